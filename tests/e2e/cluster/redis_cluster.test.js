'use strict';
// Three herald nodes (a, b, c) on a real three-master Redis Cluster
// (broker.redis.cluster_nodes): publishes go out with SPUBLISH to the
// master serving the channel's slot, each node SSUBSCRIBEs its channels on
// the masters serving them, and the directory keeps its hash-tagged keys
// on the cluster. User and topic messages published through one node reach
// the sessions on the others exactly once; channels spread over the
// shards; /api/nodes, presence and online/offline events (EVAL) work; and
// a slot moved to another master (a resharding: Redis drops the
// subscriptions with "sunsubscribe") keeps its channels delivering,
// subscribed again on the new owner.
//
// As on a single Redis, a RECEIPT for SUBSCRIBE comes before the node's
// SSUBSCRIBE is acknowledged: tests wait for the subscription to show on
// the owning master (PUBSUB SHARDNUMSUB) before publishing.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { backplaneMetrics, info, readyz } = require('../lib/cluster');
const { startHeraldOnCluster, nodeIds } = require('../lib/redis_cluster');

describe('herald on a Redis Cluster', () => {
  let cluster, A, B, C;
  before(async () => {
    cluster = await startHeraldOnCluster({ nodes: 3, masters: 3, config: { cluster: { presence_topic: '/topic/presence' } } });
    [A, B, C] = cluster.nodes;
  });
  after(() => cluster && cluster.stop());

  const connect = async (t, node, login) => h.track(t, await h.RawStomp.connect(node, { login }));
  const messages = (c) => c.frames.all.filter((f) => f.command === 'MESSAGE');
  const received = async () => {
    const out = {};
    for (const n of cluster.nodes) out[n.id] = (await backplaneMetrics(n)).received;
    return out;
  };

  it('is ready on every node, with the cluster backplane up', async () => {
    for (const n of cluster.nodes) {
      const r = await readyz(n);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      const i = await info(n);
      assert.equal(i.broker.type, 'redis');
      assert.equal(i.broker.state, 'ready');
      assert.equal((await backplaneMetrics(n)).up, 1);
    }
    // Every node subscribes the control channel on the master serving it.
    await cluster.waitSubscribers(`${cluster.prefix}!control`, 3);
  });

  it('GET /api/nodes lists the three nodes (the directory lives on the cluster)', async () => {
    for (const n of cluster.nodes) {
      await h.waitUntil(async () => (await nodeIds(n)).join() === 'a,b,c', { what: `/api/nodes on ${n.id} to list a, b, c` });
    }
    // The directory's keys share one hash slot ({prefix}): its multi-key
    // commands (MGET, DEL) are legal on a cluster.
    const owner = await cluster.redis.ownerOf(`{${cluster.prefix}}nodes`);
    assert.equal(await owner.command(['SCARD', `{${cluster.prefix}}nodes`]), 3);
  });

  it('a user publish through b reaches the user on a and c exactly once; presence shows a and c', async (t) => {
    const onA = await connect(t, A, 'ulysses');
    const onC = await connect(t, C, 'ulysses');
    await onA.subscribe('/user/queue/notice', 'n');
    await onC.subscribe('/user/queue/notice', 'n');
    await cluster.waitSubscribers(cluster.userChannel('ulysses'), 2);

    // The presence of ulysses, as any node reads it from the cluster.
    await h.waitUntil(
      async () => {
        const r = await h.http(B, 'GET', '/api/users/ulysses/presence');
        if (r.status !== 200) return false;
        const nodes = r.json.nodes.map((x) => `${x.node}:${x.sessions}`).sort();
        return r.json.online === true && r.json.sessions === 2 && nodes.join() === 'a:1,c:1';
      },
      { what: 'presence of ulysses on a and c' },
    );
    const before = await received();

    const m1 = await h.mustPublishUser(B, 'ulysses', '/queue/notice', 'm1');
    const marker = await h.mustPublishUser(B, 'ulysses', '/queue/notice', 'marker');
    assert.match(m1.message_id, /^b-/);
    for (const c of [onA, onC]) {
      const got = [await c.message(), await c.message()];
      // Exactly once: a duplicate of m1 would come before the marker.
      assert.deepEqual(got.map((f) => f.body), ['m1', 'marker']);
      assert.deepEqual(got.map((f) => f.headers['message-id']), [m1.message_id, marker.message_id]);
    }
    const afterwards = await received();
    assert.equal(afterwards.a.user - before.a.user, 2);
    assert.equal(afterwards.c.user - before.c.user, 2);
    assert.equal(afterwards.b.user - before.b.user, 0, 'node b holds no session of ulysses');
    for (const c of [onA, onC]) assert.equal(messages(c).length, 2);
  });

  it('online/offline events: first session in and last session out, across nodes', async (t) => {
    // The directory detects them with EVAL on the user's key: routed by
    // that key (not by the script), on the master serving it.
    const watcher = await connect(t, B, 'watcher');
    await watcher.subscribe('/topic/presence', 'p');
    await cluster.waitSubscribers(cluster.topicChannel('/topic/presence'), 1);
    const about = (user) => (f) => f.command === 'MESSAGE' && JSON.parse(f.body).user === user;
    const sessionsOf = async (user) => (await h.http(B, 'GET', `/api/users/${user}/presence`)).json.sessions;

    const first = await connect(t, A, 'pia');
    const online = await watcher.frames.take(about('pia'), 5000, 'pia online');
    assert.equal(JSON.parse(online.body).online, true);
    const second = await connect(t, C, 'pia');
    await h.waitUntil(async () => (await sessionsOf('pia')) === 2, { what: 'two sessions of pia' });
    await second.close();
    await h.waitUntil(async () => (await sessionsOf('pia')) === 1, { what: 'one session of pia' });
    await first.close();
    const offline = await watcher.frames.take(about('pia'), 5000, 'pia offline');
    assert.equal(JSON.parse(offline.body).online, false);
    // One event each way: the second session came and went unannounced.
    assert.equal(watcher.frames.all.filter(about('pia')).length, 2);
  });

  it('a topic publish reaches subscribers on all three nodes exactly once', async (t) => {
    const subs = [];
    for (const n of cluster.nodes) {
      const c = await connect(t, n, `reader-${n.id}`);
      await c.subscribe('/topic/broadcast', 's');
      subs.push(c);
    }
    const b2 = await connect(t, B, 'reader-b2');
    await b2.subscribe('/topic/broadcast', 's2');
    subs.push(b2);
    await cluster.waitSubscribers(cluster.topicChannel('/topic/broadcast'), 3);

    const m1 = await h.mustPublish(C, '/topic/broadcast', { n: 1 });
    const marker = await h.mustPublish(A, '/topic/broadcast', 'marker');
    // Published through two nodes, so their relative order is not defined:
    // each arrives once, with the id its publisher gave it.
    for (const c of subs) {
      const got = [await c.message(), await c.message()];
      const ids = Object.fromEntries(got.map((f) => [f.body, f.headers['message-id']]));
      assert.deepEqual(ids, { '{"n":1}': m1.message_id, marker: marker.message_id }, 'one message id on every node');
    }
    for (const c of subs) assert.equal(messages(c).length, 2);
  });

  it('channels spread over the shards, each subscribed where its slot is served', async (t) => {
    const topics = Array.from({ length: 24 }, (_, i) => `/topic/spread-${i}`);
    const reader = await connect(t, A, 'spread-reader');
    for (const [i, topic] of topics.entries()) await reader.subscribe(topic, `s${i}`);
    for (const topic of topics) await cluster.waitSubscribers(cluster.topicChannel(topic), 1);

    // PUBSUB SHARDCHANNELS on each master: herald's channels are on the
    // master serving their slot, and on more than one master.
    const holding = [];
    for (const m of await cluster.redis.masters()) {
      const channels = (await m.shardChannels(`${cluster.prefix}/topic/spread-*`)).sort();
      for (const ch of channels) assert.equal((await cluster.redis.ownerOf(ch)).port, m.port, `${ch} on its slot's master`);
      if (channels.length > 0) holding.push(m.port);
    }
    assert.ok(holding.length >= 2, `herald channels on ${holding.length} shard(s): ${holding}`);

    // Each gets its own publish, through another node, exactly once.
    for (const topic of topics) await h.mustPublish(C, topic, topic);
    const got = [];
    for (let i = 0; i < topics.length; i++) got.push((await reader.message()).body);
    assert.deepEqual(got.sort(), [...topics].sort());
    assert.equal(messages(reader).length, topics.length);
  });

  it('a node lets go of a channel on its shard once its last subscriber is gone', async (t) => {
    const onA = await connect(t, A, 'leaving');
    const onB = await connect(t, B, 'leaving');
    await onA.subscribe('/user/queue/x', 'x');
    await onB.subscribe('/user/queue/x', 'x');
    await cluster.waitSubscribers(cluster.userChannel('leaving'), 2);
    await onB.close();
    // broker.redis.unsubscribe_delay_ms (1 s by default) later.
    await cluster.waitSubscribers(cluster.userChannel('leaving'), 1);
    await h.mustPublishUser(C, 'leaving', '/queue/x', 'still here');
    assert.equal((await onA.message()).body, 'still here');
  });

  it('keeps delivering when the channel\'s slot moves to another master (resharding)', async (t) => {
    const topic = '/topic/resharded';
    const channel = cluster.topicChannel(topic);
    const subs = [];
    for (const n of [A, C]) {
      const c = await connect(t, n, `moving-${n.id}`);
      await c.subscribe(topic, 'm');
      subs.push(c);
    }
    await cluster.waitSubscribers(channel, 2);
    await h.mustPublish(B, topic, 'before');
    for (const c of subs) assert.equal((await c.message()).body, 'before');

    const slot = await cluster.redis.keySlot(channel);
    const from = await cluster.redis.ownerOf(channel);
    const to = (await cluster.redis.masters()).find((m) => m.port !== from.port);
    await cluster.redis.moveSlot(slot, to.port);
    assert.equal((await cluster.redis.ownerOf(channel)).port, to.port);

    // The old owner dropped the subscriptions ("sunsubscribe"); both nodes
    // subscribe again on the new one.
    await cluster.waitSubscribers(channel, 2, 10000);
    assert.equal(await from.shardNumsub(channel), 0);
    // Publishes through b follow the slot too (MOVED, then the new map).
    await h.mustPublish(B, topic, 'after');
    for (const c of subs) assert.equal((await c.message()).body, 'after');
    for (const c of subs) assert.equal(messages(c).length, 2);
    for (const n of cluster.nodes) assert.equal((await readyz(n)).status, 200);
  });
});
