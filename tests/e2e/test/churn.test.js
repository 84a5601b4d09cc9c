'use strict';
// Churn: sessions come and go (politely and abruptly) while messages flow.
// herald must stay up, deliver to whoever is subscribed, and end with its
// session and subscription counts back at zero.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

describe('session churn under load', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ threads: 2 });
  });
  after(() => server && server.stop());

  it('survives hundreds of short sessions while publishing, and leaks nothing', async () => {
    const ROUNDS = 40;
    const WORKERS = 6;
    let publishing = true;
    let published = 0;
    const publisher = (async () => {
      while (publishing) {
        await h.mustPublish(server, '/topic/churn', `p${published}`);
        await h.mustPublishUser(server, `churner${published % WORKERS}`, '/queue/churn', `u${published}`);
        published++;
      }
    })();

    let received = 0;
    const worker = async (w) => {
      for (let r = 0; r < ROUNDS; r++) {
        const c = await h.RawStomp.connect(server, { login: `churner${w}` });
        await c.subscribe('/topic/churn', 't');
        await c.subscribe('/user/queue/churn', 'u');
        // Wait for one delivery: proves the fresh subscription is live.
        const m = await c.frames.take((f) => f.command === 'MESSAGE', 5000, 'a message on a fresh subscription');
        assert.ok(m.body.startsWith('p') || m.body.startsWith('u'));
        received++;
        switch (r % 4) {
          case 0:
            await c.terminate(); // TCP torn down, no close frame
            break;
          case 1:
            await c.close(); // WebSocket close, no DISCONNECT
            break;
          case 2:
            c.send('DISCONNECT', { receipt: 'bye' });
            await c.frames.take((f) => f.command === 'RECEIPT', 5000, 'DISCONNECT receipt');
            await h.within(c.closed, 5000, 'close after DISCONNECT');
            break;
          default:
            c.send('UNSUBSCRIBE', { id: 't' });
            c.sendRaw('GARBAGE\n\n\u0000'); // protocol error mid-stream
            await h.within(c.closed, 5000, 'close after protocol error');
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    } finally {
      publishing = false;
      await publisher;
    }
    assert.equal(received, ROUNDS * WORKERS);
    assert.ok(published > 0);

    const info = await h.waitUntil(
      async () => {
        const i = (await h.http(server, 'GET', '/api/info')).json;
        return i.sessions === 0 && i.subscriptions === 0 && i;
      },
      { timeout: 10000, what: 'sessions and subscriptions to drop to 0' },
    );
    assert.equal(info.users, 0);
    assert.equal(info.channels, 0, 'the router keeps no interest in channels nobody listens to');
    assert.equal(server.proc.exitCode, null);
    const text = await h.metricsText(server);
    assert.equal(h.metric(text, 'herald_sessions', 'transport="websocket"'), 0);
    assert.equal(h.metric(text, 'herald_subscriptions'), 0);
  });
});
