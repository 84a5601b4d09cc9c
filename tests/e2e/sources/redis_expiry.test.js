'use strict';
// sources: type redis_key_expiry against a real redis-server holding login
// tokens (not the backplane's), three herald nodes on the Redis backplane.
// An expired token key reaches every node as a keyspace event; exactly one
// node takes the expiry's lock and publishes the notice, which every
// session of the user receives once. In tracking: sweep, an expiry that
// happened while every node was stopped is notified when they are back.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { startCluster, startRedis } = require('../lib/cluster');
const { redisSubscribe } = require('../lib/redis_sub');

const PREFIX = 'login:access_token:';
const STRICT = 'login:strict_token:';
const TRACKED = 'login:tracked_token:';
const LOCKS = 'herald:expiry:';
const notice = (user) => ({ mobile: user, message: 'token expired, please log in again' });

describe('Redis key expiry → session expired notices', () => {
  let tokens, cluster, A, B, C;
  const map = { user_destination: '/userOnlineStatus', topic: '/topic/userOnlineStatus' };
  const sourcesFor = (url) => [
    // Keyspace events alone: the lock decides which node notifies.
    { type: 'redis_key_expiry', name: 'tokens', url, key_prefix: PREFIX, map },
    // Tracked keys and a sweeper, for expiries nobody heard.
    { type: 'redis_key_expiry', name: 'tracked', url, key_prefix: TRACKED, tracking: 'sweep', sweep_ms: 200, scan_ms: 200, map },
    { type: 'redis_key_expiry', name: 'strict', url, key_prefix: STRICT, close_sessions: 'user', map: { user_destination: '/userOnlineStatus' } },
  ];
  before(async () => {
    tokens = await startRedis();
    // Keyspace events are off in a fresh Redis: herald turns them on.
    assert.equal((await tokens.command(['CONFIG', 'GET', 'notify-keyspace-events']))[1], '');
    cluster = await startCluster({ nodes: 3, config: { sources: sourcesFor(tokens.url) } });
    [A, B, C] = cluster.nodes;
  });
  after(async () => {
    if (cluster) await cluster.stop();
    if (tokens) await tokens.dispose();
  });

  const metrics = async (node, source) => {
    const text = await h.metricsText(node);
    const m = (name, extra = '') => h.metric(text, name, `source="${source}",type="redis_key_expiry"${extra}`);
    return {
      up: m('herald_source_up'),
      won: m('herald_source_locks_total', ',result="won"'),
      lost: m('herald_source_locks_total', ',result="lost"'),
      swept: m('herald_source_swept_total'),
      published: m('herald_source_events_total', ',result="published"'),
    };
  };
  const sum = async (source, field) => (await Promise.all(cluster.nodes.map((n) => metrics(n, source)))).reduce((s, x) => s + x[field], 0);
  // The explicit user form: a principal subscribes its own /user/<id>/...
  const connect = async (t, node, login, dest = `/user/${login}/userOnlineStatus`) => {
    const c = h.track(t, await h.RawStomp.connect(node, { login }));
    await c.subscribe(dest, 'n');
    return c;
  };

  it('turns keyspace events on, and reports the source up in /metrics and /readyz', async () => {
    assert.match((await tokens.command(['CONFIG', 'GET', 'notify-keyspace-events']))[1], /E/);
    for (const n of cluster.nodes) {
      await h.waitUntil(async () => {
        const r = await h.http(n, 'GET', '/readyz');
        return r.status === 200 && r.json.sources && Object.values(r.json.sources).every((up) => up);
      }, { what: `sources up on ${n.id}` });
      assert.deepEqual((await h.http(n, 'GET', '/readyz')).json, { ready: true, sources: { tokens: true, tracked: true, strict: true } });
      assert.equal((await metrics(n, 'tokens')).up, 1);
    }
  });

  it('one expiry: exactly one notice per session of the user on every node, one lock won and two lost', async (t) => {
    const user = '13800000000';
    const sessions = [await connect(t, A, user), await connect(t, A, user), await connect(t, B, user), await connect(t, C, user)];
    const watcher = await connect(t, B, 'watcher', '/topic/userOnlineStatus');
    await cluster.waitSubscribers(cluster.userChannel(user), 3);
    await cluster.waitSubscribers(cluster.topicChannel('/topic/userOnlineStatus'), 1);
    const wonBefore = await sum('tokens', 'won');
    const lostBefore = await sum('tokens', 'lost');

    await tokens.command(['SET', `${PREFIX}${user}`, 'a-token', 'PX', '500']);
    for (const s of sessions) {
      const m = await s.message(5000);
      assert.deepEqual(JSON.parse(m.body), notice(user));
      assert.equal(m.headers.destination, `/user/${user}/userOnlineStatus`);
    }
    assert.deepEqual(JSON.parse((await watcher.message(5000)).body), notice(user));

    // Nothing twice: the next message each session gets is the marker.
    await h.mustPublishUser(C, user, '/userOnlineStatus', 'marker');
    for (const s of sessions) assert.equal((await s.message()).body, 'marker');
    await h.mustPublish(A, '/topic/userOnlineStatus', 'marker');
    assert.equal((await watcher.message()).body, 'marker');

    // Every node saw the event and tried the lock; one won.
    await h.waitUntil(async () => (await sum('tokens', 'won')) + (await sum('tokens', 'lost')) === wonBefore + lostBefore + 3, {
      what: 'three lock attempts',
    });
    assert.equal((await sum('tokens', 'won')) - wonBefore, 1);
    assert.equal((await sum('tokens', 'lost')) - lostBefore, 2);
    // The lock is the atomic SET NX PX, holding the winner's id.
    const holder = await tokens.command(['GET', `${LOCKS}${PREFIX}${user}`]);
    assert.ok(['a', 'b', 'c'].includes(holder), `lock held by ${holder}`);
    assert.ok((await tokens.command(['PTTL', `${LOCKS}${PREFIX}${user}`])) > 0);
  });

  it('keys outside the prefix are not events', async (t) => {
    const s = await connect(t, A, 'bystander');
    await cluster.waitSubscribers(cluster.userChannel('bystander'), 1);
    await tokens.command(['SET', 'login:refresh_token:bystander', 'x', 'PX', '100']);
    await tokens.command(['SET', `${PREFIX}bystander`, 'x', 'PX', '300']);
    // The first message is the notice of the watched key, nothing before it.
    assert.deepEqual(JSON.parse((await s.message(5000)).body), notice('bystander'));
  });

  it('close_sessions: user closes the user\'s sessions on every node after the notice', async (t) => {
    const user = 'strict-user';
    const sessions = [await connect(t, A, user), await connect(t, C, user)];
    const other = await connect(t, B, 'strict-other');
    await cluster.waitSubscribers(cluster.userChannel(user), 2);
    await tokens.command(['SET', `${STRICT}${user}`, 'x', 'PX', '300']);
    for (const s of sessions) {
      assert.deepEqual(JSON.parse((await s.message(5000)).body), notice(user));
      const err = await s.expect('ERROR');
      assert.match(err.headers.message, /session expired/);
      assert.equal((await h.within(s.closed, 5000, 'close after the expiry')).code, 1008);
    }
    assert.equal(other.ws.readyState, h.WebSocket.OPEN);
  });

  it('tracking: sweep notifies an expiry that happened while every node was stopped, once', async () => {
    const user = 'sleeper';
    const key = `${TRACKED}${user}`;
    await tokens.command(['SET', key, 'x', 'PX', '2000']);
    // Tracked: the scan recorded it with its expiry time.
    await h.waitUntil(async () => (await tokens.command(['ZSCORE', `${LOCKS}!tracked`, key])) !== null, {
      what: 'the token to be tracked',
    });
    const ids = cluster.nodes.map((n) => n.id);
    for (const n of cluster.nodes) await n.stop();
    cluster.nodes.length = 0;
    // Expired with nobody listening (EXISTS makes Redis expire it lazily).
    await h.waitUntil(async () => (await tokens.command(['EXISTS', key])) === 0, { timeout: 10000, what: 'the token to expire' });

    // No client can be connected while the nodes are down: watch herald's
    // own publishes on the backplane instead.
    const sub = await redisSubscribe(cluster.redis.port, [cluster.userChannel(user), cluster.topicChannel('/topic/userOnlineStatus')]);
    try {
      for (const id of ids) await cluster.addNode(id);
      const got = [await sub.messages.next(10000), await sub.messages.next(10000)];
      assert.deepEqual(got.map((m) => m.channel).sort(), [cluster.topicChannel('/topic/userOnlineStatus'), cluster.userChannel(user)].sort());
      for (const m of got) assert.ok(m.payload.includes(`{"mobile": "${user}", "message": "token expired, please log in again"}`), m.payload);
      await h.waitUntil(async () => (await sum('tracked', 'swept')) === 1, { what: 'one node to count the swept expiry' });
      assert.equal(await sum('tracked', 'won'), 1, 'only the sweeping node took the lock since the restart');
      assert.equal(await tokens.command(['ZSCORE', `${LOCKS}!tracked`, key]), null, 'no longer tracked');
      // And once only: a marker published now is the next message.
      await h.mustPublishUser(cluster.node('a'), user, '/userOnlineStatus', 'marker');
      const next = await sub.messages.next(5000);
      assert.ok(next.payload.includes('marker'), next.payload);
    } finally {
      sub.close();
    }
  });

  it('refuses to start when Redis has no expiry events and configure_events is false', async () => {
    const bare = await startRedis();
    try {
      const node = await h.startHerald({
        sources: [{ type: 'redis_key_expiry', url: bare.url, key_prefix: PREFIX, configure_events: false, map: { topic: '/topic/x' } }],
      });
      const { code } = await h.within(node.exited, 10000, 'herald to exit');
      await node.stop().catch(() => {});
      assert.equal(code, 2);
      assert.match(node.log(), /notify-keyspace-events/);
      assert.match(node.log(), /set `notify-keyspace-events Ex`/);
    } finally {
      await bare.dispose();
    }
  });
});
