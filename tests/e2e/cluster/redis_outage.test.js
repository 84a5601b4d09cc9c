'use strict';
// Two herald nodes while their redis-server goes away and comes back on the
// same port: /readyz turns 503, publishes are held up to
// broker.redis.buffer_messages and refused with 503 past it (every HTTP call
// answers), client connections stay open, and after the restart the nodes
// reconnect, subscribe their channels again (those gained during the outage
// too) and deliver what is published next to clients connected all along.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { startCluster, startRedis, freePort, backplaneMetrics, info, readyz, waitReady } = require('../lib/cluster');

const BUFFER = 5;

describe('Redis outage and recovery', () => {
  let cluster, A, B;
  before(async () => {
    cluster = await startCluster({ nodes: 2, config: { broker: { redis: { buffer_messages: BUFFER } } } });
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

  // Messages accepted with 200 during an outage are flushed the moment the
  // publishing node's own publish link reconnects — whether or not the
  // subscriber links (that node's and the others') have subscribed again.
  // So they reach a given subscriber or not depending on which link won the
  // reconnect race; seen in either direction, including the publishing
  // node's own subscriber missing them while the other node's got them.
  it('delivers the publishes held during an outage to subscribers connected throughout', { todo: 'herald bug: the outage buffer is flushed before the subscriber links have subscribed again' }, async (t) => {
    const local = await connect(t, B, 'held-local');
    const remote = await connect(t, A, 'held-remote');
    await local.subscribe('/topic/held', 'h');
    await remote.subscribe('/topic/held', 'h');
    await cluster.waitSubscribers(cluster.topicChannel('/topic/held'), 2);

    await cluster.redis.stop();
    await waitReady(B, false);
    for (let k = 0; k < 3; k++) assert.equal((await h.publish(B, '/topic/held', `held-${k}`)).status, 200);
    await cluster.redis.start();
    await waitReady(A);
    await waitReady(B);
    await cluster.waitSubscribers(cluster.topicChannel('/topic/held'), 2);
    await h.mustPublish(B, '/topic/held', 'marker');

    const seen = {};
    for (const [name, c] of [
      ['on the publishing node', local],
      ['on the other node', remote],
    ]) {
      const bodies = [];
      for (;;) {
        const f = await c.message();
        bodies.push(f.body);
        if (f.body === 'marker') break;
      }
      seen[name] = bodies;
    }
    assert.deepEqual(seen, {
      'on the publishing node': ['held-0', 'held-1', 'held-2', 'marker'],
      'on the other node': ['held-0', 'held-1', 'held-2', 'marker'],
    });
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

  // DELETE /api/users/{id}/sessions goes out on the control channel only, so
  // during an outage it is held like any publish: the node answers 200 with
  // its local session count but closes nothing, not even its own sessions,
  // and after recovery the held kick is flushed before the subscriber links
  // are back (see above), so it is usually lost everywhere.
  it('DELETE /api/users/{id}/sessions during an outage closes the user\'s sessions', { todo: 'herald bug: a kick during a Redis outage is only held, and closes nothing' }, async (t) => {
    const local = await connect(t, A, 'kicked-in-outage');
    const remote = await connect(t, B, 'kicked-in-outage');
    await cluster.waitSubscribers(`${cluster.prefix}!control`, 2);
    await cluster.redis.stop();
    await waitReady(A, false);
    const r = await h.http(A, 'DELETE', '/api/users/kicked-in-outage/sessions');
    assert.equal(r.status, 200, r.text);
    // The answering node's own session needs no backplane.
    assert.equal((await local.expect('ERROR', 3000)).command, 'ERROR');
    await cluster.redis.start();
    await waitReady(A);
    await waitReady(B);
    assert.equal((await remote.expect('ERROR', 5000)).command, 'ERROR');
  });
});
