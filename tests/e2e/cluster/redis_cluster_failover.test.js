'use strict';
// Three herald nodes on a Redis Cluster of three masters with a replica
// each, while the master serving a topic's channel dies (SIGKILL) and its
// replica takes over: the nodes go unready while a slot has no reachable
// master, still deliver on the slots of the surviving masters, learn the
// new map, SSUBSCRIBE their channels on the promoted replica, and deliver what
// is published next exactly once, to sessions connected all along.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { readyz, waitReady, backplaneMetrics } = require('../lib/cluster');
const { startHeraldOnCluster, nodeIds } = require('../lib/redis_cluster');

describe('herald on a Redis Cluster: master failover', () => {
  let cluster, A, B, C;
  before(async () => {
    // cluster-node-timeout 1 s: the replica is promoted within a few.
    cluster = await startHeraldOnCluster({ nodes: 3, masters: 3, replicas: 1, nodeTimeout: 1000 });
    [A, B, C] = cluster.nodes;
  });
  after(() => cluster && cluster.stop());

  const connect = async (t, node, login) => h.track(t, await h.RawStomp.connect(node, { login }));
  const messages = (c) => c.frames.all.filter((f) => f.command === 'MESSAGE');

  it('resubscribes on the promoted replica and keeps delivering', async (t) => {
    const topic = '/topic/failover';
    const channel = cluster.topicChannel(topic);
    const subs = [];
    for (const n of [A, C]) {
      const c = await connect(t, n, `survivor-${n.id}`);
      await c.subscribe(topic, 'f');
      subs.push(c);
    }
    const user = await connect(t, B, 'fiona');
    await user.subscribe('/user/queue/x', 'u');
    await cluster.waitSubscribers(channel, 2);
    await cluster.waitSubscribers(cluster.userChannel('fiona'), 1);
    await h.mustPublish(B, topic, 'before');
    for (const c of subs) assert.equal((await c.message()).body, 'before');

    const dead = await cluster.redis.ownerOf(channel);
    const slot = await cluster.redis.keySlot(channel);
    const replica = (await cluster.redis.slots()).find((r) => r.first <= slot && slot <= r.last).replicas[0];
    assert.ok(replica, 'the master has a replica');
    // A topic whose master survives: its subscription stays in place.
    let calm;
    for (let i = 0; !calm; i++) {
      if ((await cluster.redis.ownerOf(cluster.topicChannel(`/topic/calm-${i}`))).port !== dead.port) calm = `/topic/calm-${i}`;
    }
    const calmSub = await connect(t, A, 'calm');
    await calmSub.subscribe(calm, 'c');
    await cluster.waitSubscribers(cluster.topicChannel(calm), 1);
    const survivor = (await cluster.redis.masters()).find((m) => m.port !== dead.port);

    await dead.stop('SIGKILL');

    // A slot without a reachable master: not ready (no sleep: the nodes
    // notice the lost connections at once).
    for (const n of cluster.nodes) await waitReady(n, false, 5000);

    // While the cluster is down (the master is flagged FAIL, the replica
    // not yet promoted) a publish on a surviving master's slot still
    // arrives: sharded pub/sub goes on (cluster-allow-pubsubshard-when-down,
    // yes by default; were it refused with CLUSTERDOWN, herald would retry).
    await h.waitUntil(async () => (await survivor.info()).cluster_state === 'fail', {
      timeout: 10000,
      interval: 10,
      what: 'the cluster to notice the dead master (cluster_state:fail)',
    });
    await h.mustPublish(B, calm, 'during');

    await cluster.redis.waitHealthy(30000);
    const promoted = await cluster.redis.ownerOf(channel);
    assert.equal(promoted.port, replica, 'the replica serves the slot now');
    for (const n of cluster.nodes) await waitReady(n, true, 15000);
    await cluster.waitSubscribers(channel, 2, 10000);
    await cluster.waitSubscribers(cluster.userChannel('fiona'), 1, 10000);

    assert.equal((await calmSub.message(10000)).body, 'during');
    await h.mustPublish(B, topic, 'after');
    for (const c of subs) assert.equal((await c.message()).body, 'after');
    await h.mustPublish(B, calm, 'calm after');
    assert.equal((await calmSub.message()).body, 'calm after');
    assert.equal(messages(calmSub).length, 2, 'exactly once');
    await h.mustPublishUser(A, 'fiona', '/queue/x', 'for fiona');
    assert.equal((await user.message()).body, 'for fiona');
    for (const c of subs) assert.equal(messages(c).length, 2, 'exactly once');

    // The directory is back too (its link learns the new map on its own:
    // 503 until then), and the nodes counted the recovery.
    for (const n of cluster.nodes) {
      await h.waitUntil(async () => (await nodeIds(n).catch(() => [])).join() === 'a,b,c', {
        what: `/api/nodes on ${n.id} to list a, b, c`,
      });
      assert.equal((await readyz(n)).status, 200);
      assert.ok((await backplaneMetrics(n)).reconnects >= 1, `node ${n.id} reconnects`);
    }
  });
});
