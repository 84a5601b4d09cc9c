'use strict';
// sources: type redis_key_expiry on a Redis Cluster holding the tokens
// (3 masters, real redis-server processes). Keyspace events stay on the
// shard that owns the key, so every herald node watches every master;
// tokens on three different shards each reach their user once, with one
// node winning each expiry's lock (itself routed by key).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { startCluster } = require('../lib/cluster');
const { startRedisCluster } = require('../lib/redis_cluster');

const PREFIX = 'login:access_token:';
const notice = (user) => ({ mobile: user, message: 'token expired, please log in again' });

describe('Redis key expiry on a Redis Cluster', () => {
  let tokens, cluster;
  before(async () => {
    tokens = await startRedisCluster({ masters: 3 });
    cluster = await startCluster({
      nodes: 3,
      config: {
        sources: [
          {
            type: 'redis_key_expiry',
            name: 'tokens',
            url: 'redis://127.0.0.1:6379/0', // credentials only: the seeds name the servers
            cluster_nodes: tokens.seeds,
            key_prefix: PREFIX,
            map: { user_destination: '/userOnlineStatus' },
          },
        ],
      },
    });
  });
  after(async () => {
    if (cluster) await cluster.stop();
    if (tokens) await tokens.stop();
  });

  const locks = async (result) => {
    const texts = await Promise.all(cluster.nodes.map((n) => h.metricsText(n)));
    return texts.reduce((s, t) => s + h.metric(t, 'herald_source_locks_total', `source="tokens",type="redis_key_expiry",result="${result}"`), 0);
  };

  it('watches every master: expiries on three shards each notify their user once', async (t) => {
    for (const n of cluster.nodes) {
      await h.waitUntil(async () => (await h.http(n, 'GET', '/readyz')).json.sources?.tokens === true, { what: `source up on ${n.id}` });
    }
    // Every master got expiry events turned on.
    for (const m of await tokens.masters()) {
      assert.match((await m.command(['CONFIG', 'GET', 'notify-keyspace-events']))[1], /E.*x|x.*E/);
    }
    // Users whose keys land on three different masters.
    const byMaster = new Map();
    for (let i = 0; byMaster.size < 3 && i < 200; i++) {
      const user = `shard-user-${i}`;
      const port = (await tokens.ownerOf(`${PREFIX}${user}`)).port;
      if (!byMaster.has(port)) byMaster.set(port, user);
    }
    assert.equal(byMaster.size, 3, 'keys on three masters');
    const users = [...byMaster.values()];
    const sessions = [];
    for (const [i, user] of users.entries()) {
      const c = h.track(t, await h.RawStomp.connect(cluster.nodes[i], { login: user }));
      await c.subscribe(`/user/${user}/userOnlineStatus`, 'n');
      sessions.push(c);
    }
    for (const user of users) await cluster.waitSubscribers(cluster.userChannel(user), 1);

    for (const user of users) {
      const key = `${PREFIX}${user}`;
      await (await tokens.ownerOf(key)).command(['SET', key, 'x', 'PX', '300']);
    }
    for (const [i, c] of sessions.entries()) {
      assert.deepEqual(JSON.parse((await c.message(5000)).body), notice(users[i]));
    }
    // Each expiry reached the three nodes; one lock each was won.
    await h.waitUntil(async () => (await locks('won')) + (await locks('lost')) === 9, { what: 'nine lock attempts' });
    assert.equal(await locks('won'), 3);
    assert.equal(await locks('lost'), 6);
    // Nothing twice.
    for (const [i, c] of sessions.entries()) {
      await h.mustPublishUser(cluster.nodes[0], users[i], '/userOnlineStatus', 'marker');
      assert.equal((await c.message()).body, 'marker');
    }
  });
});
