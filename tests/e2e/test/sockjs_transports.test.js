'use strict';
// STOMP over SockJS with the real npm client: sockjs-client 1.6.1 (its Node
// build) carrying legacy stompjs 2.3.3, as Spring-era front ends do
// (Stomp.over(new SockJS(url))). Each transport sockjs-client can use under
// Node is forced in turn and must carry a whole STOMP session: CONNECT,
// topic and user subscriptions fed by the HTTP API, a client SEND coming
// back, DISCONNECT.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

// What sockjs-client 1.6.1 enables under Node (no document, no
// XDomainRequest, no iframes): faye-websocket, its http-based XHR driver
// and the `eventsource` package.
const NODE_TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling'];

describe('sockjs-client 1.6.1 + stompjs 2.3.3 over each transport', () => {
  let server;
  const info = async () => (await h.http(server, 'GET', '/api/info')).json;
  // STOMP and SockJS session counts. Each test compares with the counts it
  // started from, so one test's leftovers cannot fail the next.
  const counts = async () => {
    const i = await info();
    return { sessions: i.sessions, sockjs: i.sockjs_sessions };
  };
  const backTo = (base, what) =>
    h.waitUntil(async () => {
      const c = await counts();
      return c.sessions <= base.sessions && c.sockjs <= base.sockjs;
    }, { timeout: 10000, what: `${what}: STOMP and SockJS sessions back to ${JSON.stringify(base)}` });

  before(async () => {
    server = await h.startHerald({
      endpoints: [{ path: '/websocket/mq', sockjs: true }],
      destinations: { client_send: ['/topic/x', '/topic/chat.**'] },
      sockjs: { disconnect_delay_ms: 2000 },
    });
  });
  after(() => server && server.stop());

  it('sockjs-client under Node enables exactly websocket, xhr-streaming, eventsource and xhr-polling', () => {
    const list = require('sockjs-client/lib/transport-list');
    const urlInfo = { websocket: true, cookie_needed: false, nullOrigin: false, sameOrigin: false, sameScheme: true };
    const enabled = list.filter((T) => T && T.enabled(urlInfo)).map((T) => T.transportName);
    assert.deepEqual(enabled.sort(), [...NODE_TRANSPORTS].sort());
  });

  for (const name of NODE_TRANSPORTS) {
    it(`${name}: CONNECT, topic and user messages from the API, a SEND back, DISCONNECT`, async (t) => {
      const user = `sj-${name}`;
      const base = await counts();
      const c = h.track(t, await h.sockjsStomp(server, { transports: [name], headers: { login: user } }));
      assert.equal(c.sock.transport, name, 'the forced transport is the one in use');
      assert.equal(c.frame.headers.version, '1.1');
      assert.equal(c.frame.headers['user-name'], user);
      assert.match(c.frame.headers.server, /^herald\//);

      const topic = await h.legacySubscribe(c.client, '/topic/x');
      const mine = await h.legacySubscribe(c.client, '/user/queue/y');
      const explicit = await h.legacySubscribe(c.client, `/user/${user}/queue/y`);
      const now = await counts();
      assert.equal(now.sessions, base.sessions + 1, 'one more STOMP session');
      // sockjs_sessions counts sessions over HTTP transports only.
      assert.equal(now.sockjs, base.sockjs + (name === 'websocket' ? 0 : 1), 'sockjs_sessions');

      await h.mustPublish(server, '/topic/x', { transport: name, n: 1 });
      await h.mustPublishUser(server, user, '/queue/y', `for ${user}`);
      const m1 = await topic.next();
      assert.deepEqual(JSON.parse(m1.body), { transport: name, n: 1 });
      assert.equal(m1.headers.destination, '/topic/x');
      assert.equal(m1.headers['content-type'], 'application/json');
      const m2 = await mine.next();
      assert.equal(m2.body, `for ${user}`);
      assert.equal(m2.headers.destination, '/user/queue/y');
      const m3 = await explicit.next();
      assert.equal(m3.body, `for ${user}`);
      assert.equal(m3.headers.destination, `/user/${user}/queue/y`);

      // A SEND to a client_send destination comes back to the subscriber,
      // with text that SockJS has to escape on the way in and out.
      const odd = `héllo ${name} \u2028\u2029 \ud83d\ude00 中文 \ufeff \u0007 "quoted" \\ </script>`;
      await h.legacySend(c.client, '/topic/x', odd, { 'content-type': 'text/plain' });
      const back = await topic.next();
      assert.equal(back.body, odd);
      assert.equal(back.headers.destination, '/topic/x');

      // Several messages in a row arrive complete and in order.
      for (let i = 0; i < 20; i++) await h.mustPublish(server, '/topic/x', `seq-${i}`);
      const seq = await topic.takeN(20);
      assert.deepEqual(seq.map((m) => m.body), Array.from({ length: 20 }, (_, i) => `seq-${i}`));

      // A larger message (over SockJS's and stompjs's usual chunk sizes).
      const big = 'x'.repeat(40000);
      await h.mustPublish(server, '/topic/x', big);
      assert.equal((await topic.next()).body, big);

      assert.equal(topic.all.length, 1 + 1 + 20 + 1);
      assert.equal(mine.all.length, 1);

      // DISCONNECT: the STOMP session and, for HTTP transports, the SockJS
      // session are gone (the latter at most disconnect_delay_ms later).
      c.client.disconnect();
      await backTo(base, 'after DISCONNECT');
    });
  }

  it('all four transports at once: one topic publish reaches every one', async (t) => {
    const base = await counts();
    const clients = [];
    for (const name of NODE_TRANSPORTS) {
      const c = h.track(t, await h.sockjsStomp(server, { transports: [name], headers: { login: `all-${name}` } }));
      assert.equal(c.sock.transport, name);
      clients.push({ name, c, inbox: await h.legacySubscribe(c.client, '/topic/chat.all') });
    }
    assert.deepEqual(await counts(), { sessions: base.sessions + 4, sockjs: base.sockjs + 3 });
    // A SEND from one client reaches all of them.
    await h.legacySend(clients[2].c.client, '/topic/chat.all', 'from eventsource');
    await h.mustPublish(server, '/topic/chat.all', 'from the API');
    for (const { name, inbox } of clients) {
      const got = (await inbox.takeN(2, 5000, `messages on ${name}`)).map((m) => m.body);
      assert.deepEqual(got, ['from eventsource', 'from the API'], name);
    }
    for (const { c } of clients) c.client.disconnect();
    await backTo(base, 'after four DISCONNECTs');
  });

  it('a kicked user over xhr-streaming gets an ERROR and the SockJS session closes', async (t) => {
    const base = await counts();
    const c = h.track(t, await h.sockjsStomp(server, { transports: ['xhr-streaming'], headers: { login: 'kicked-sj' } }));
    const r = await h.http(server, 'DELETE', '/api/users/kicked-sj/sessions');
    assert.equal(r.json.sessions, 1);
    const err = await c.errors.next(5000, 'the ERROR frame of the kick');
    assert.equal(err.command, 'ERROR');
    assert.ok(err.headers.message, 'ERROR has a message');
    const closed = await h.within(c.closed, 5000, 'SockJS close after the kick');
    assert.ok(closed.code, 'close has a code');
    assert.match(String(await c.errors.next(5000, 'lost connection')), /Lost connection/);
    await backTo(base, 'after the kick');
  });
});
