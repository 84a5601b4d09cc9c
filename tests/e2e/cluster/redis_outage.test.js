'use strict';
// Two herald nodes while their redis-server goes away and comes back on the
// same port: /readyz turns 503, publishes are held up to
// broker.redis.buffer_messages and refused with 503 past it (every HTTP call
// answers), client connections stay open, and after the restart the nodes
// reconnect, subscribe their channels again (those gained during the outage
// too) and deliver what is published next to clients connected all along.
// Held publishes go out, in order, once both of the publishing node's links
// are back and broker.redis.reconnect_max_ms has passed (by then every node
// has resubscribed); a kick during the outage closes the answering node's
// sessions at once and the others' after the recovery.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { startCluster, startRedis, freePort, backplaneMetrics, info, readyz, waitReady } = require('../lib/cluster');

const BUFFER = 5;
// The broker waits this long after reconnecting before it flushes what it
// held: small, to keep the recovery quick.
const RECONNECT_MAX_MS = 300;

describe('Redis outage and recovery', () => {
  let cluster, A, B;
  before(async () => {
    cluster = await startCluster({ nodes: 2, config: { broker: { redis: { buffer_messages: BUFFER, reconnect_max_ms: RECONNECT_MAX_MS } } } });
    [A, B] = cluster.nodes;
  });
  after(() => cluster && cluster.stop());

  const connect = async (t, node, login) => h.track(t, await h.RawStomp.connect(node, { login }));

  // Every call answers: the http helper fails after 5 s otherwise.
  const publishTimed = async (node, dest, body) => {
    const t0 = Date.now();
    const r = await h.publish(node, dest, body);
    return { ...r, ms: Date.now() - t0 };
  };

  it('goes unready, buffers then refuses publishes, and recovers when Redis is back', async (t) => {
    const subA = await connect(t, A, 'steady-a');
    await subA.subscribe('/topic/outage', 't');
    const userB = await connect(t, B, 'steady-b');
    await userB.subscribe('/user/queue/notice', 'u');
    await cluster.waitSubscribers(cluster.topicChannel('/topic/outage'), 1);
    await cluster.waitSubscribers(cluster.userChannel('steady-b'), 1);
    await h.mustPublish(B, '/topic/outage', 'before');
    assert.equal((await subA.message()).body, 'before');
    const before = { a: await backplaneMetrics(A), b: await backplaneMetrics(B) };
    assert.equal(before.a.reconnects, 0);

    await cluster.redis.stop();

    for (const n of [A, B]) {
      await waitReady(n, false);
      const r = await readyz(n);
      assert.deepEqual(r.json, { ready: false });
      const i = await info(n);
      assert.notEqual(i.broker.state, 'ready', `node ${n.id} broker state`);
      assert.equal((await backplaneMetrics(n)).up, 0);
    }

    // Up to buffer_messages publishes are accepted and held...
    const ids = [];
    for (let k = 0; k < BUFFER; k++) {
      const r = await publishTimed(B, '/topic/outage', `held-${k}`);
      assert.equal(r.status, 200, `held publish ${k}: ${r.text}`);
      assert.equal(r.json.ok, true);
      ids.push(r.json.message_id);
    }
    assert.equal(new Set(ids).size, BUFFER);
    assert.equal((await info(B)).broker.pending, BUFFER);
    // ...then refused at once with a reason, topic and user publishes alike.
    for (const r of [
      await publishTimed(B, '/topic/outage', 'refused-1'),
      await publishTimed(B, '/topic/outage', 'refused-2'),
      await (async () => {
        const t0 = Date.now();
        const x = await h.publishUser(B, 'steady-b', '/queue/notice', 'refused-3');
        return { ...x, ms: Date.now() - t0 };
      })(),
    ]) {
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.ok, false);
      assert.ok(typeof r.json.error === 'string' && r.json.error.length > 0, `a reason: ${r.text}`);
      assert.ok(r.ms < 2000, `answered in ${r.ms} ms`);
    }
    const during = await backplaneMetrics(B);
    assert.equal(during.rejected - before.b.rejected, 3);
    assert.equal(during.pending, BUFFER);
    assert.equal((await info(B)).broker.rejected - before.b.rejected, 3);

    // Client connections stay open; a client may connect and subscribe
    // meanwhile (its channel is subscribed in Redis once it is back).
    assert.equal(subA.ws.readyState, h.WebSocket.OPEN);
    assert.equal(userB.ws.readyState, h.WebSocket.OPEN);
    const late = await connect(t, A, 'late');
    await late.subscribe('/user/queue/notice', 'u');

    await cluster.redis.start(); // same port, empty

    for (const n of [A, B]) {
      await waitReady(n, true);
      assert.deepEqual((await readyz(n)).json, { ready: true });
      const m = await backplaneMetrics(n);
      assert.ok(m.reconnects > 0, `node ${n.id} counted its reconnects`);
      assert.equal(m.up, 1);
      const i = await info(n);
      assert.equal(i.broker.state, 'ready');
      assert.ok(i.broker.reconnects > 0);
    }
    // Held publishes went out (whether they found subscribers: see below).
    await h.waitUntil(async () => (await backplaneMetrics(B)).pending === 0, { what: 'node b pending publishes to drain' });

    // Channels subscribed again, and the one gained during the outage.
    await cluster.waitSubscribers(cluster.topicChannel('/topic/outage'), 1);
    await cluster.waitSubscribers(cluster.userChannel('steady-b'), 1);
    await cluster.waitSubscribers(cluster.userChannel('late'), 1);
    await cluster.waitSubscribers(`${cluster.prefix}!control`, 2);

    const after1 = await h.mustPublish(B, '/topic/outage', 'after');
    const got = await subA.frames.take((f) => f.command === 'MESSAGE' && f.body === 'after', 5000, 'the message published after recovery');
    assert.equal(got.headers['message-id'], after1.message_id);
    await h.mustPublishUser(A, 'steady-b', '/queue/notice', 'after, to a user');
    assert.equal((await userB.frames.take((f) => f.body === 'after, to a user')).command, 'MESSAGE');
    await h.mustPublishUser(B, 'late', '/queue/notice', 'hello late');
    assert.equal((await late.message()).body, 'hello late');
    // Nothing refused was delivered.
    for (const c of [subA, userB]) assert.ok(!c.frames.all.some((f) => /^refused/.test(f.body)));
  });

  // Messages accepted with 200 during an outage are held until both of the
  // publishing node's links are back, then for reconnect_max_ms more (every
  // node's subscriber link reconnects within that ceiling and resubscribes),
  // and then flushed in order, ahead of what is published after recovery.
  it('delivers the publishes held during an outage to subscribers connected throughout', async (t) => {
    const local = await connect(t, B, 'held-local');
    const remote = await connect(t, A, 'held-remote');
    await local.subscribe('/topic/held', 'h');
    await remote.subscribe('/topic/held', 'h');
    await cluster.waitSubscribers(cluster.topicChannel('/topic/held'), 2);

    await cluster.redis.stop();
    await waitReady(B, false);
    const held = [];
    for (let k = 0; k < 3; k++) {
      const r = await h.publish(B, '/topic/held', `held-${k}`);
      assert.equal(r.status, 200, r.text);
      held.push(r.json.message_id);
    }
    assert.equal((await info(B)).broker.pending, 3);
    await cluster.redis.start();
    await waitReady(A);
    await waitReady(B);
    // Published right away, while the held ones may still wait out
    // reconnect_max_ms: it must come after them, not overtake them.
    const marker = await h.mustPublish(B, '/topic/held', 'marker');

    const seen = {};
    for (const [name, c] of [
      ['on the publishing node', local],
      ['on the other node', remote],
    ]) {
      const got = [];
      for (;;) {
        const f = await c.message(5000);
        got.push(`${f.body} ${f.headers['message-id']}`);
        if (f.body === 'marker') break;
      }
      seen[name] = got;
    }
    const want = [...held.map((id, k) => `held-${k} ${id}`), `marker ${marker.message_id}`];
    assert.deepEqual(seen, { 'on the publishing node': want, 'on the other node': want });
    assert.equal((await info(B)).broker.pending, 0);
  });

  it('a node started before Redis serves clients, is not ready, and becomes ready when Redis appears', async (t) => {
    const port = await freePort();
    const node = await h.startHerald({
      node: { id: 'early' },
      broker: { type: 'redis', redis: { url: `redis://127.0.0.1:${port}/0`, connect_timeout_ms: 500, reconnect_max_ms: 300 } },
    });
    node.id = 'early';
    t.after(() => node.stop());
    assert.deepEqual(await readyz(node), { status: 503, json: { ready: false } });
    assert.equal((await info(node)).broker.state, 'connecting');
    const c = await connect(t, node, 'early-bird');
    await c.subscribe('/topic/early', 'e');

    const redis = await startRedis({ port });
    t.after(() => redis.dispose());
    await waitReady(node);
    assert.equal((await info(node)).broker.state, 'ready');
    await h.waitUntil(async () => (await redis.numsub('herald:/topic/early')) === 1, { what: 'the early subscription in Redis' });
    await h.mustPublish(node, '/topic/early', 'now');
    assert.equal((await c.message()).body, 'now');
  });

  // DELETE /api/users/{id}/sessions closes the answering node's own sessions
  // at once, with no backplane; the control message for the other nodes is
  // held like any publish and reaches them after the recovery.
  it('DELETE /api/users/{id}/sessions during an outage closes the user\'s sessions', async (t) => {
    const local = await connect(t, A, 'kicked-in-outage');
    const remote = await connect(t, B, 'kicked-in-outage');
    await cluster.waitSubscribers(`${cluster.prefix}!control`, 2);
    await cluster.redis.stop();
    await waitReady(A, false);
    const r = await h.http(A, 'DELETE', '/api/users/kicked-in-outage/sessions');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ok, true);
    // The answering node's own session needs no backplane: closed while
    // Redis is still down.
    const err = await local.expect('ERROR', 3000);
    assert.match(err.headers.message, /closed by the server/);
    assert.equal((await h.within(local.closed, 3000, 'close of the local kicked session')).code, 1008);
    assert.equal(remote.ws.readyState, h.WebSocket.OPEN, 'the other node cannot have heard of the kick yet');
    await cluster.redis.start();
    await waitReady(A);
    await waitReady(B);
    // The held control message reaches node b after the recovery.
    const remoteErr = await remote.expect('ERROR', 5000);
    assert.match(remoteErr.headers.message, /closed by the server/);
    assert.equal((await h.within(remote.closed, 3000, 'close of the remote kicked session')).code, 1008);
  });

  // During an outage the directory cannot be read: the answer counts the
  // sessions this node closed itself and says it is partial.
  it('DELETE /api/users/{id}/sessions during an outage counts the sessions it closed itself, marked partial', async (t) => {
    const local = [await connect(t, A, 'counted-in-outage'), await connect(t, A, 'counted-in-outage')];
    await cluster.redis.stop();
    await waitReady(A, false);
    const r = await h.http(A, 'DELETE', '/api/users/counted-in-outage/sessions');
    for (const c of local) await c.expect('ERROR', 3000);
    await cluster.redis.start();
    await waitReady(A);
    await waitReady(B);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { ok: true, user: 'counted-in-outage', sessions: 2, partial: true });
  });
});
