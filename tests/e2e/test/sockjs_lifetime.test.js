'use strict';
// How long SockJS sessions live: server heart-beats on every transport, and
// STOMP sessions over SockJS being freed after the disconnect delay when
// their client stops polling, drops a poll or goes away, and closing with
// their last frames delivered when the server ends them.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

const {
  openWs, PRELUDE, ANOTHER,
} = h;

describe('SockJS heart-beats', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ endpoints: [{ path: '/echo', sockjs: true, handler: 'echo' }], sockjs: { heartbeat_ms: 1000 } });
  });
  after(() => server && server.stop());

  it('an idle poll is answered with "h", an idle stream and WebSocket get "h" frames', async (t) => {
    const s = new h.SjSession(server, '/echo');
    await s.open();
    const r = await s.poll(5000);
    assert.equal(r.text, 'h\n');

    const es = h.track(t, new h.SjSession(server, '/echo').pollStream('eventsource', { method: 'GET' }));
    await es.until('data: o\r\n\r\ndata: h\r\n\r\n', 5000);

    const st = h.track(t, new h.SjSession(server, '/echo').pollStream('xhr_streaming'));
    await st.until(`${PRELUDE}o\nh\n`, 5000);

    const c = await openWs(server, `/echo/000/${h.randomId()}/websocket`);
    h.track(t, c.ws);
    assert.equal(await c.inbox.next(), 'o');
    assert.equal(await c.inbox.next(5000), 'h');
  });
});

describe('SockJS sessions of clients that go away (stomp handler, disconnect_delay_ms 1000)', () => {
  let server;
  const info = async () => (await h.http(server, 'GET', '/api/info')).json;
  // STOMP and SockJS session counts. Each test compares with the counts it
  // started from, so one test's leftovers cannot fail the next.
  const counts = async () => {
    const i = await info();
    return { sessions: i.sessions, sockjs: i.sockjs_sessions };
  };
  const gone = async (base, what) => {
    await h.waitUntil(async () => {
      const c = await counts();
      return c.sockjs <= base.sockjs && c.sessions <= base.sessions;
    }, { timeout: 10000, what: `${what} (STOMP and SockJS sessions back to ${JSON.stringify(base)}; now ${JSON.stringify(await counts())})` });
    const c = await counts();
    assert.equal(h.metric(await h.metricsText(server), 'herald_sockjs_sessions'), c.sockjs, 'herald_sockjs_sessions = /api/info sockjs_sessions');
  };
  async function assertOneMore(base) {
    const c = await counts();
    assert.equal(c.sockjs, base.sockjs + 1, 'sockjs_sessions');
    assert.equal(c.sessions, base.sessions + 1, 'sessions');
    assert.equal(h.metric(await h.metricsText(server), 'herald_sockjs_sessions'), c.sockjs, 'herald_sockjs_sessions');
  }

  before(async () => {
    server = await h.startHerald({
      endpoints: [{ path: '/websocket/mq', sockjs: true }],
      // The SockJS heart-beat stays long: freeing must not wait for it.
      sockjs: { disconnect_delay_ms: 1000, heartbeat_ms: 25000 },
    });
  });
  after(() => server && server.stop());

  it('starts with no sessions', async () => {
    assert.deepEqual(await counts(), { sessions: 0, sockjs: 0 });
  });

  // CONNECTs a STOMP session over raw xhr polling.
  async function rawStompOverXhr(login) {
    const s = new h.SjSession(server, '/websocket/mq');
    await s.open();
    await s.mustSend([`CONNECT\naccept-version:1.1,1.2\nhost:127.0.0.1\nlogin:${login}\nheart-beat:0,0\n\n\u0000`]);
    const [connected] = await s.receive(1);
    assert.match(connected, /^CONNECTED\n/);
    assert.match(connected, new RegExp(`\nuser-name:${login}\n`));
    assert.ok(connected.endsWith('\u0000'), 'a whole frame with its NUL');
    return s;
  }

  it('a STOMP session over raw xhr polling delivers, and DISCONNECT over xhr_send ends it', async () => {
    const base = await counts();
    const s = await rawStompOverXhr('polite');
    await assertOneMore(base);
    await s.mustSend(['SUBSCRIBE\nid:1\ndestination:/topic/t\nreceipt:r1\n\n\u0000']);
    assert.match((await s.receive(1))[0], /^RECEIPT\nreceipt-id:r1\n/);
    await h.mustPublish(server, '/topic/t', 'over raw xhr');
    const [m] = await s.receive(1);
    assert.match(m, /^MESSAGE\n/);
    assert.ok(m.endsWith('\n\nover raw xhr\u0000'), JSON.stringify(m));
    await s.mustSend(['DISCONNECT\nreceipt:bye\n\n\u0000']);
    const rest = [];
    for (;;) {
      const r = await s.poll();
      rest.push(...r.frames);
      if (r.frames.some((f) => f[0] === 'c')) break;
    }
    assert.match(h.arrayMessages(rest).join(''), /^RECEIPT\nreceipt-id:bye\n/, `frames after DISCONNECT: ${JSON.stringify(rest)}`);
    await gone(base, 'sessions freed after DISCONNECT');
  });

  it('a client that stops polling between polls is freed after the disconnect delay', async () => {
    const base = await counts();
    await rawStompOverXhr('stops-polling');
    await assertOneMore(base);
    await gone(base, 'the abandoned session to be freed');
  });

  it('a client that drops its pending poll is freed after the disconnect delay', async () => {
    const base = await counts();
    const s = await rawStompOverXhr('drops-poll');
    await assertOneMore(base);
    // Two polls at once: the one refused with c[2010] proves the other is
    // attached on the server; that one is then dropped.
    const a = s.pollStream();
    const b = s.pollStream();
    const refused = await h.within(Promise.race([a.done.then(() => a), b.done.then(() => b)]), 5000, 'one poll to be refused');
    assert.equal(refused.text, `${ANOTHER}\n`);
    const attached = refused === a ? b : a;
    assert.equal(attached.ended, false);
    attached.abort();
    await gone(base, 'the session whose poll was dropped to be freed');
  });

  it('a sockjs-client over xhr-polling that goes away without DISCONNECT is freed', async () => {
    const base = await counts();
    const c = await h.sockjsStomp(server, { transports: ['xhr-polling'], headers: { login: 'vanishes' } });
    assert.equal(c.sock.transport, 'xhr-polling');
    await assertOneMore(base);
    c.sock.close(); // aborts the pending poll, sends nothing
    await gone(base, 'the vanished client\'s session to be freed');
  });

  it('a kicked STOMP session over xhr polling gets its ERROR and a close frame', async () => {
    const base = await counts();
    const s = await rawStompOverXhr('kicked');
    await assertOneMore(base);
    const r = await h.http(server, 'DELETE', '/api/users/kicked/sessions');
    assert.equal(r.json.sessions, 1);
    const frames = [];
    for (;;) {
      const p = await s.poll();
      frames.push(...p.frames);
      if (p.frames.some((f) => f[0] === 'c')) break;
    }
    assert.match(h.arrayMessages(frames).join(''), /^ERROR\n/, `frames after the kick: ${JSON.stringify(frames)}`);
    assert.match(frames[frames.length - 1], /^c\[\d+,".*"\]$/);
    await gone(base, 'the kicked session to be freed');
  });

  it('a STOMP protocol error over xhr polling: the ERROR frame comes before the close frame', async () => {
    const base = await counts();
    const s = await rawStompOverXhr('offender');
    await s.mustSend(['SEND\ndestination:/topic/not-client-sendable\nreceipt:x\n\nnope\u0000']);
    const frames = [];
    for (;;) {
      const p = await s.poll();
      frames.push(...p.frames);
      if (p.frames.some((f) => f[0] === 'c')) break;
    }
    const stomp = h.arrayMessages(frames).join('');
    assert.match(stomp, /^ERROR\n/, `frames after the bad SEND: ${JSON.stringify(frames)}`);
    assert.match(stomp, /\nmessage:[^\n]*not allowed/);
    await gone(base, 'the closed session to be freed');
  });

  it('plain STOMP over the raw WebSocket at base/websocket', async (t) => {
    // No subprotocol, as a SockJS-style raw WebSocket client opens it.
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'raw-ws' }, { path: '/websocket/mq/websocket', protocols: [] }));
    assert.equal(c.connected.headers['user-name'], 'raw-ws');
    await c.subscribe('/topic/raw', 's');
    await h.mustPublish(server, '/topic/raw', 'raw ws');
    assert.equal((await c.message()).body, 'raw ws');
  });
});
