'use strict';
// Heart-beats. These tests are about time passing, so they wait on timers
// where the subject is silence; intervals are kept short.
//
// Server: offers to send every 300 ms, asks for client beats every 400 ms,
// tolerates 400 ms x grace 2.5 = 1000 ms of silence.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setTimeout: delay } = require('node:timers/promises');
const h = require('../lib/harness');

const SEND_MS = 300;
const RECEIVE_MS = 400;
const GRACE = 2.5;
const SILENCE_MS = RECEIVE_MS * GRACE;

describe('heart-beats', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ heartbeat: { send_ms: SEND_MS, receive_ms: RECEIVE_MS, grace: GRACE } });
  });
  after(() => server && server.stop());

  it('CONNECTED advertises the server heart-beat settings', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'a', 'heart-beat': '0,0' }));
    assert.equal(c.connected.headers['heart-beat'], `${SEND_MS},${RECEIVE_MS}`);
  });

  it('sends EOL heart-beats at the negotiated interval', async (t) => {
    // Client wants beats every 200 ms; the server can do 300: max(300, 200).
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'b', 'heart-beat': '0,200' }));
    const start = Date.now();
    await h.within(
      new Promise((resolve) => {
        const check = () => c.heartbeats >= 4 && resolve();
        c.on('heartbeat', check);
        check();
      }),
      5000,
      '4 server heart-beats',
    );
    const elapsed = Date.now() - start;
    // 4 beats at 300 ms take ~1200 ms; far fewer than 4 beats per 300 ms window.
    assert.ok(elapsed >= 3 * SEND_MS * 0.8, `4 heart-beats arrived after only ${elapsed} ms`);
    const gaps = c.heartbeatTimes.slice(1).map((x, i) => x - c.heartbeatTimes[i]);
    for (const g of gaps) assert.ok(g >= SEND_MS * 0.5, `heart-beats ${g} ms apart, interval is ${SEND_MS} ms`);
  });

  it('sends no heart-beats when the client does not want them', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'c', 'heart-beat': '0,0' }));
    await delay(SEND_MS * 4);
    assert.equal(c.heartbeats, 0);
  });

  it('closes a client that promised heart-beats and went silent, with ERROR', async (t) => {
    const c = h.track(t, await h.RawStomp.open(server));
    // Promise a beat every 400 ms (matching the server's wish) and send none.
    // Timed from before the CONNECT: herald's silence clock starts when it
    // reads it, so a CONNECTED that reaches us late cannot shorten the span.
    const connectSent = Date.now();
    c.send('CONNECT', { 'accept-version': '1.2', host: 'x', login: 'silent', 'heart-beat': `${RECEIVE_MS},0` });
    await c.expect('CONNECTED');
    const err = await c.expect('ERROR', SILENCE_MS + 5000);
    const elapsed = Date.now() - connectSent;
    assert.match(err.headers.message, /heart-beat/);
    assert.ok(elapsed >= SILENCE_MS * 0.9, `closed after ${elapsed} ms; tolerated silence is ${SILENCE_MS} ms`);
    const closed = await h.within(c.closed, 5000, 'close after heart-beat timeout');
    assert.notEqual(closed.code, 1001);
  });

  it('keeps a raw client that sends heart-beats open well past the silence limit', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'beating', 'heart-beat': `${RECEIVE_MS},0` }));
    const timer = setInterval(() => c.sendRaw('\n'), RECEIVE_MS / 2);
    t.after(() => clearInterval(timer));
    let closedEarly = false;
    c.closed.then(() => (closedEarly = true));
    await delay(SILENCE_MS * 3);
    assert.equal(closedEarly, false, 'connection closed although heart-beats were sent');
    await c.subscribe('/topic/alive', 's');
    await h.mustPublish(server, '/topic/alive', 'still here');
    assert.equal((await c.message()).body, 'still here');
  });

  it('keeps a @stomp/stompjs client with heart-beats on both sides connected', async (t) => {
    const c = h.track(
      t,
      await h.stompClient(server, { connectHeaders: { login: 'stompjs-hb' }, heartbeatOutgoing: 200, heartbeatIncoming: 300 }),
    );
    let closedEarly = false;
    c.closed.then(() => (closedEarly = true));
    const inbox = await h.stompSubscribe(c.client, '/topic/hb');
    await delay(SILENCE_MS * 3);
    assert.equal(closedEarly, false, 'stompjs session closed although it sent heart-beats');
    assert.equal(c.client.connected, true);
    await h.mustPublish(server, '/topic/hb', 'beat');
    assert.equal((await inbox.next()).body, 'beat');
  });

  it('a client that promised no heart-beats is never closed for silence', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'quiet', 'heart-beat': '0,0' }));
    let closedEarly = false;
    c.closed.then(() => (closedEarly = true));
    await delay(SILENCE_MS * 2);
    assert.equal(closedEarly, false);
    await c.sendWithReceipt('SUBSCRIBE', { destination: '/topic/q', id: 'q' });
  });

  it('server heart-beats also flow to a STOMP 1.1 client', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'v11', 'heart-beat': '0,300' }, { protocols: ['v11.stomp'] }));
    assert.equal(c.connected.headers.version, '1.1');
    await h.within(
      new Promise((resolve) => c.on('heartbeat', () => c.heartbeats >= 2 && resolve())),
      5000,
      '2 heart-beats',
    );
  });
});
