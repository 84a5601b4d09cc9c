'use strict';
// SockJS sessions under stress and at the edges of their life: a client that
// keeps sending after the server closed its SockJS WebSocket, raw echo
// keeping order under a burst, a server shutdown with STOMP clients on
// SockJS WebSocket and on a pending poll (they are told c[3000] and herald
// exits cleanly — with the sanitizer build, any memory error fails the run).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

const { GO_AWAY, ANOTHER } = h;
const CONNECT = (user) => `CONNECT\naccept-version:1.2\nhost:x\nlogin:${user}\nheart-beat:0,0\n\n\u0000`;
const SUBSCRIBE = 'SUBSCRIBE\nid:1\ndestination:/topic/r\n\n\u0000';

const CONFIG = {
  endpoints: [
    { path: '/websocket/mq', sockjs: true },
    { path: '/echo', sockjs: true, handler: 'echo' },
  ],
};

describe('SockJS robustness', () => {
  let server;
  before(async () => {
    server = await h.startHerald(CONFIG);
  });
  after(async () => {
    if (server) await server.stop();
  });

  it('a client that keeps sending after the server closed its SockJS WebSocket does no harm', async (t) => {
    const c = await h.openWs(server, `/websocket/mq/000/${h.randomId()}/websocket`);
    h.track(t, c.ws);
    assert.equal(await c.inbox.next(), 'o');
    // A frame the STOMP engine refuses, then a flood the server must drop.
    c.ws.send(JSON.stringify(['NOT-A-COMMAND\n\n\u0000']));
    for (let i = 0; i < 200; i++) c.ws.send(JSON.stringify(['\n']));
    const frames = [];
    for (let f = await c.inbox.next(); f !== GO_AWAY; f = await c.inbox.next()) frames.push(f);
    assert.match(frames.join(''), /ERROR/);
    await h.within(c.closed, 5000, 'server close');
    const health = await h.http(server, 'GET', '/healthz', { json: false });
    assert.equal(health.status, 200);
  });

  it('raw echo keeps order under a burst', async (t) => {
    const c = await h.openWs(server, '/echo/websocket');
    h.track(t, c.ws);
    const sent = Array.from({ length: 300 }, (_, i) => `m${i}`);
    for (const m of sent) c.ws.send(m);
    const got = [];
    while (got.length < sent.length) got.push(await c.inbox.next());
    assert.deepEqual(got, sent);
  });
});

describe('SockJS at shutdown', () => {
  it('STOMP clients on SockJS WebSocket and on a pending poll get c[3000] and herald exits cleanly', async (t) => {
    const server = await h.startHerald(CONFIG);
    try {
      const c = await h.openWs(server, `/websocket/mq/000/${h.randomId()}/websocket`);
      h.track(t, c.ws);
      assert.equal(await c.inbox.next(), 'o');
      c.ws.send(JSON.stringify([CONNECT('ws-user'), SUBSCRIBE]));
      assert.match(await c.inbox.next(), /CONNECTED/);

      const s = `/websocket/mq/000/${h.randomId()}`;
      assert.equal((await h.sjHttp(server, 'POST', `${s}/xhr`)).text, 'o\n');
      await h.sjHttp(server, 'POST', `${s}/xhr_send`, { body: JSON.stringify([CONNECT('poll-user'), SUBSCRIBE]) });
      assert.match((await h.sjHttp(server, 'POST', `${s}/xhr`)).text, /CONNECTED/);
      // Two polls at once: whichever the server attached first stays pending,
      // the other is refused with c[2010] — which tells which one to watch.
      const first = new h.HttpStream(server, 'POST', `${s}/xhr`);
      const second = new h.HttpStream(server, 'POST', `${s}/xhr`);
      const refused = await h.within(
        Promise.race([first.done.then(() => first), second.done.then(() => second)]),
        5000, 'one of two concurrent polls to be refused');
      assert.equal(refused.text, `${ANOTHER}\n`);
      const poll = refused === first ? second : first;

      const stopped = server.stop();
      const frames = [];
      for (let f = await c.inbox.next(); f !== GO_AWAY; f = await c.inbox.next()) frames.push(f);
      const answer = await poll.done;
      assert.equal(answer.text, `${GO_AWAY}\n`);
      const exit = await stopped;
      assert.equal(exit.code, 0, server.log());
    } finally {
      await server.stop();
    }
  });
});
