'use strict';
// The cluster directory in Redis, read through any node: GET /api/nodes (the
// node registry: each node refreshes <prefix>node:<id> every
// cluster.heartbeat_ms with a TTL of cluster.node_ttl_ms) and presence
// (GET /api/users/{id}/presence, GET /api/presence paged by cursor: each
// node's <prefix>presence:<id> hash of user -> sessions). Counts follow the
// sessions opened and closed; a node stopped with SIGTERM removes its
// entries at once, and one killed with SIGKILL drops out, with its users'
// sessions, once its entry lapses. Short heartbeat and TTL keep that quick.
//
// Presence reaches Redis one loop turn after a CONNECT or a close, and node
// entries at the next heartbeat: tests poll the API until it shows what
// they opened, then assert the whole answer. After a Redis restart each
// node writes its entries afresh.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { startCluster, info, apiNodes, presence, waitPresence, waitReady } = require('../lib/cluster');

const HEARTBEAT_MS = 200;
const NODE_TTL_MS = 1000;

describe('cluster directory: node registry and presence', () => {
  let cluster, A, B, C, startedAt;
  before(async () => {
    startedAt = Date.now();
    cluster = await startCluster({
      nodes: 3,
      config: { cluster: { heartbeat_ms: HEARTBEAT_MS, node_ttl_ms: NODE_TTL_MS, presence_topic: '/topic/presence' } },
    });
    [A, B, C] = cluster.nodes;
  });
  after(() => cluster && cluster.stop());

  const connect = async (t, node, login) => h.track(t, await h.RawStomp.connect(node, { login }));
  const ids = (j) => j.nodes.map((n) => n.id);
  const entry = (j, id) => j.nodes.find((n) => n.id === id);
  const key = (rest) => `${cluster.prefix}${rest}`;
  // Polls /api/nodes through `via` until `pred(answer)` holds; resolves
  // with it. 503 is "not yet": after a Redis restart the directory's link
  // reconnects on its own, apart from the broker's that /readyz reports.
  const waitNodes = (via, pred, what, timeout = 5000) =>
    h.waitUntil(
      async () => {
        const r = await h.http(via, 'GET', '/api/nodes');
        if (r.status === 503) return null;
        assert.equal(r.status, 200, r.text);
        return pred(r.json) ? r.json : null;
      },
      { timeout, what: `/api/nodes through ${via.id}: ${what}` },
    );
  const presencePage = (via, query) => h.http(via, 'GET', `/api/presence${query}`);

  it('GET /api/nodes lists the three nodes, sorted by id, through any node', async () => {
    // Each node registers once its directory link is up (not part of
    // /readyz): wait for all three, then assert the answer as a whole.
    await waitNodes(A, (j) => j.count === 3, 'three nodes registered');
    const now = Date.now();
    for (const via of [A, B, C]) {
      const j = await apiNodes(via);
      assert.equal(j.count, 3, JSON.stringify(j));
      assert.deepEqual(ids(j), ['a', 'b', 'c']);
      for (const n of [A, B, C]) {
        const e = entry(j, n.id);
        assert.deepEqual(Object.keys(e).sort(), ['connections', 'id', 'listen', 'sessions', 'started_unix_ms', 'users', 'version']);
        assert.equal(e.version, (await info(n)).version);
        assert.equal(e.listen, `127.0.0.1:${n.port}`);
        assert.ok(Number.isInteger(e.started_unix_ms), JSON.stringify(e));
        assert.ok(e.started_unix_ms >= startedAt - 1000 && e.started_unix_ms <= now + 1000, `started_unix_ms ${e.started_unix_ms} within the test's run (${startedAt}..${now})`);
        for (const k of ['connections', 'sessions', 'users']) assert.ok(Number.isInteger(e[k]) && e[k] >= 0, `${k}: ${JSON.stringify(e)}`);
      }
      // The nodes were started one after another.
      const started = j.nodes.map((e) => e.started_unix_ms);
      assert.ok(started[0] <= started[1] && started[1] <= started[2], `start times ${started}`);
    }
    // Each entry is a key with the TTL that makes a dead node lapse.
    for (const id of ['a', 'b', 'c']) {
      const ttl = await cluster.redis.command(['PTTL', key(`node:${id}`)]);
      assert.ok(ttl > 0 && ttl <= NODE_TTL_MS, `PTTL of ${key(`node:${id}`)}: ${ttl}`);
    }
    assert.deepEqual((await cluster.redis.command(['SMEMBERS', key('nodes')])).sort(), ['a', 'b', 'c']);
  });

  // `connections` counts every open connection of the node, this test's
  // keep-alive HTTP connection to its API included (as /api/info does), so
  // it is compared with /api/info; sessions and users are exact.
  it('node entries count the connections, sessions and users each node holds', async (t) => {
    const x = [await connect(t, B, 'reg-x'), await connect(t, B, 'reg-x')];
    const y = await connect(t, B, 'reg-y');
    const z = await connect(t, C, 'reg-z');
    // A WebSocket without CONNECT: a connection, not a session.
    h.track(t, await h.RawStomp.open(C));
    // Polls /api/nodes through `via` until every node's entry shows `want`
    // sessions and users and the connections its /api/info reports.
    const settle = async (via, want, what) => {
      let last;
      await h.waitUntil(
        async () => {
          const j = await apiNodes(via);
          last = { j, infos: {} };
          for (const n of [A, B, C]) {
            const e = entry(j, n.id);
            const i = await info(n);
            last.infos[n.id] = { connections: i.connections, sessions: i.sessions, users: i.users };
            if (!e || e.sessions !== want[n.id].sessions || e.users !== want[n.id].users || e.connections !== i.connections) return false;
            if (i.sessions !== want[n.id].sessions || i.users !== want[n.id].users) return false;
          }
          return true;
        },
        { what: `/api/nodes through ${via.id}: ${what}` },
      ).catch((e) => {
        throw new Error(`${e.message}\nlast /api/nodes: ${JSON.stringify(last && last.j)}\n/api/info: ${JSON.stringify(last && last.infos)}`);
      });
      return last.j;
    };
    const want = {
      a: { sessions: 0, users: 0 },
      b: { sessions: 3, users: 2 },
      c: { sessions: 1, users: 1 },
    };
    const j = await settle(A, want, 'the sessions opened');
    assert.equal(j.count, 3);
    assert.ok(entry(j, 'b').connections >= 3, JSON.stringify(entry(j, 'b')));
    assert.ok(entry(j, 'c').connections >= 2, `the bare WebSocket counts: ${JSON.stringify(entry(j, 'c'))}`);
    // Through the other nodes too.
    for (const via of [B, C]) await settle(via, want, 'the sessions opened');

    // Closing sessions brings the counts down.
    const cBefore = entry(j, 'c').connections;
    await x[0].close();
    y.send('DISCONNECT', { receipt: 'bye' });
    await y.expect('RECEIPT');
    await h.within(y.closed, 5000, 'close after DISCONNECT');
    await z.terminate();
    const k = await settle(C, { a: want.a, b: { sessions: 1, users: 1 }, c: { sessions: 0, users: 0 } }, 'the sessions left');
    assert.equal(entry(k, 'c').connections, cBefore - 1, 'node c lost the closed session\'s connection');
    assert.equal(x[1].ws.readyState, h.WebSocket.OPEN);
  });

  it('presence of a user with one session on a and two on c, asked through b', async (t) => {
    const user = 'pres-u';
    const onA = await connect(t, A, user);
    const onC = [await connect(t, C, user), await connect(t, C, user)];
    const other = await connect(t, B, 'pres-other');
    const want = { user, online: true, sessions: 3, nodes: [{ node: 'a', sessions: 1 }, { node: 'c', sessions: 2 }] };
    assert.deepEqual(await waitPresence(B, user, 3), want);
    // Every node reads the same directory.
    assert.deepEqual(await presence(A, user), want);
    assert.deepEqual(await presence(C, user), want);
    assert.deepEqual(await presence(A, 'pres-other'), { user: 'pres-other', online: true, sessions: 1, nodes: [{ node: 'b', sessions: 1 }] });
    // A user nobody has seen is simply offline.
    assert.deepEqual(await presence(B, 'pres-nobody'), { user: 'pres-nobody', online: false, sessions: 0, nodes: [] });

    // A user name that needs escaping in the path.
    const odd = 'pres odd/user@x&y=1';
    h.track(t, await h.RawStomp.connect(A, { login: odd }));
    assert.deepEqual(await waitPresence(C, odd, 1), { user: odd, online: true, sessions: 1, nodes: [{ node: 'a', sessions: 1 }] });

    // Sessions closing show at once (one loop turn), node by node.
    await onA.close();
    assert.deepEqual(await waitPresence(B, user, 2), { user, online: true, sessions: 2, nodes: [{ node: 'c', sessions: 2 }] });
    onC[0].send('DISCONNECT', {});
    await h.within(onC[0].closed, 5000, 'close after DISCONNECT');
    await onC[1].terminate();
    assert.deepEqual(await waitPresence(B, user, 0), { user, online: false, sessions: 0, nodes: [] });
    assert.deepEqual(await presence(A, 'pres-other'), { user: 'pres-other', online: true, sessions: 1, nodes: [{ node: 'b', sessions: 1 }] });
    assert.equal(other.ws.readyState, h.WebSocket.OPEN);
  });

  it('GET /api/presence pages through the online users in order, each exactly once', async (t) => {
    // Users spread over the nodes with various session counts; one name
    // needs escaping as a cursor.
    const spec = {
      'pg-0': ['a'],
      'pg-1': ['b', 'c'],
      'pg-2': ['c', 'c'],
      'pg-3 &+/=?': ['a', 'b'],
      'pg-4': ['b'],
      'pg-5': ['a', 'a', 'c'],
      'pg-6': ['c'],
    };
    for (const [user, where] of Object.entries(spec)) {
      for (const id of where) await connect(t, cluster.node(id), user);
    }
    const expected = Object.keys(spec)
      .sort()
      .map((user) => {
        const per = {};
        for (const id of spec[user]) per[id] = (per[id] || 0) + 1;
        const nodes = Object.keys(per)
          .sort()
          .map((node) => ({ node, sessions: per[node] }));
        return { user, online: true, sessions: spec[user].length, nodes };
      });
    // Earlier tests' sessions are gone and every one of these is present:
    // the whole listing is exactly these users.
    const full = await h.waitUntil(
      async () => {
        const r = await presencePage(B, '?limit=1000');
        return JSON.stringify(r.json) === JSON.stringify({ users: expected, next: null }) ? r.json : null;
      },
      { what: `GET /api/presence to list exactly ${Object.keys(spec).join(', ')}` },
    );
    assert.deepEqual(full.users.map((u) => u.user), Object.keys(spec).sort());

    // Pages of 2 through another node, following the cursor.
    for (const limit of [1, 2, 3]) {
      const got = [];
      let pages = 0;
      let query = `?limit=${limit}`;
      for (;;) {
        const r = await presencePage(C, query);
        assert.equal(r.status, 200, r.text);
        pages++;
        assert.ok(r.json.users.length >= 1 && r.json.users.length <= limit, `page ${pages} of ${limit}: ${r.text}`);
        got.push(...r.json.users);
        if (r.json.next === null) break;
        assert.equal(typeof r.json.next, 'string');
        assert.ok(pages < 20, 'the cursor never ends');
        query = `?limit=${limit}&after=${encodeURIComponent(r.json.next)}`;
      }
      assert.deepEqual(got, expected, `paging by ${limit}`);
      assert.equal(pages, Math.ceil(expected.length / limit), `pages of ${limit}`);
    }
    // Without a limit: all of them (the default page is larger).
    assert.deepEqual((await presencePage(A, '')).json, { users: expected, next: null });
    // After the last user: an empty last page.
    assert.deepEqual((await presencePage(A, `?after=${encodeURIComponent('pg-6')}`)).json, { users: [], next: null });
    assert.deepEqual((await presencePage(A, `?limit=2&after=${encodeURIComponent('pg-4')}`)).json, { users: expected.slice(5, 7), next: null });
  });

  it('GET /api/presence refuses a limit outside 1..1000 with 400', async () => {
    for (const limit of ['0', '1001', '-1', 'x', '1.5', '99999999999999999999']) {
      const r = await presencePage(A, `?limit=${limit}`);
      assert.equal(r.status, 400, `limit=${limit}: ${r.status} ${r.text}`);
      assert.equal(r.json.ok, false);
      assert.match(r.json.error, /limit/);
    }
    for (const limit of ['1', '1000']) assert.equal((await presencePage(A, `?limit=${limit}`)).status, 200, `limit=${limit}`);
  });

  it('a node stopped with SIGTERM leaves /api/nodes and presence at once', async (t) => {
    // A long TTL: if the node left its entries behind, they would stay for
    // half a minute, far past this test's one look.
    const D = await cluster.addNode('d', { cluster: { node_ttl_ms: 30000 } });
    await waitNodes(A, (j) => ids(j).includes('d'), 'node d registered');
    const user = 'term-u';
    const onD = await connect(t, D, user);
    await connect(t, B, user);
    await connect(t, D, 'term-only-d');
    await waitPresence(A, user, 2);
    await waitPresence(A, 'term-only-d', 1);
    await waitNodes(A, (j) => entry(j, 'd') && entry(j, 'd').sessions === 2, 'node d counts its sessions');

    const exit = await D.stop();
    assert.equal(exit.code, 0, `node d exit ${JSON.stringify(exit)}`);
    await h.within(onD.closed, 5000, 'the stopped node\'s client to be closed');

    // No polling: the entries are gone the moment the process has exited.
    for (const via of [A, B, C]) {
      const j = await apiNodes(via);
      assert.deepEqual(ids(j), ['a', 'b', 'c'], `through ${via.id}`);
      assert.equal(j.count, 3);
    }
    assert.deepEqual(await presence(C, user), { user, online: true, sessions: 1, nodes: [{ node: 'b', sessions: 1 }] });
    assert.deepEqual(await presence(C, 'term-only-d'), { user: 'term-only-d', online: false, sessions: 0, nodes: [] });
    assert.equal(await cluster.redis.command(['EXISTS', key('node:d'), key('presence:d')]), 0);
    assert.equal(await cluster.redis.command(['SISMEMBER', key('nodes'), 'd']), 0);
  });

  it('a node killed with SIGKILL drops out of /api/nodes, and presence drops its sessions, once its heartbeat lapses', async (t) => {
    const watcher = await connect(t, A, 'presence-watcher');
    await watcher.subscribe('/topic/presence', 'p');
    await cluster.waitSubscribers(cluster.topicChannel('/topic/presence'), 1);
    const about = (user) => (f) => f.command === 'MESSAGE' && JSON.parse(f.body).user === user;
    const E = await cluster.addNode('e');
    const user = 'kill-u';
    await connect(t, E, user);
    await connect(t, E, user);
    await connect(t, B, user);
    await connect(t, E, 'kill-only-e');
    await waitPresence(A, user, 3);
    await waitPresence(A, 'kill-only-e', 1);
    const before = await waitNodes(A, (j) => entry(j, 'e') && entry(j, 'e').sessions === 3, 'node e counts its sessions');
    assert.deepEqual(ids(before), ['a', 'b', 'c', 'e']);
    const ttl = await cluster.redis.command(['PTTL', key('presence:e')]);
    assert.ok(ttl > 0, `the presence hash of e expires too (PTTL ${ttl})`);

    E.proc.kill('SIGKILL');
    assert.equal((await h.within(E.exited, 5000, 'node e to exit')).signal, 'SIGKILL');

    // Nothing removes the entries now but their TTL (node_ttl_ms) and the
    // survivors' sweep.
    const limit = NODE_TTL_MS + 5000;
    const j = await waitNodes(B, (j) => !ids(j).includes('e'), 'node e gone after its TTL', limit);
    assert.deepEqual(ids(j), ['a', 'b', 'c']);
    assert.equal(j.count, 3);
    assert.deepEqual(
      await waitPresence(C, user, 1, limit),
      { user, online: true, sessions: 1, nodes: [{ node: 'b', sessions: 1 }] },
      'presence drops e\'s sessions once its heartbeat lapses',
    );
    assert.deepEqual(await waitPresence(A, 'kill-only-e', 0, limit), { user: 'kill-only-e', online: false, sessions: 0, nodes: [] });
    // The node that buried e told that its only user went offline, once;
    // kill-u, still on b, did not.
    const offline = await watcher.frames.take((f) => about('kill-only-e')(f) && !JSON.parse(f.body).online, limit, 'kill-only-e offline');
    assert.deepEqual(JSON.parse(offline.body), { user: 'kill-only-e', online: false });
    // A survivor buried it: out of the node set, its presence hash deleted.
    await h.waitUntil(async () => (await cluster.redis.command(['SISMEMBER', key('nodes'), 'e'])) === 0, { what: 'e out of the node set' });
    assert.equal(await cluster.redis.command(['EXISTS', key('node:e'), key('presence:e')]), 0);
    // The survivors are all still listed, through every one of them.
    for (const via of [A, B, C]) assert.deepEqual(ids(await apiNodes(via)), ['a', 'b', 'c']);
    assert.deepEqual(watcher.frames.all.filter(about('kill-u')).map((f) => JSON.parse(f.body).online), [true]);
    assert.equal(watcher.frames.all.filter(about('kill-only-e')).length, 2, 'online once, offline once');
  });

  // Last: restarts Redis, which comes back empty (no persistence).
  it('answers 503 while Redis is down, and every node writes its entry and presence afresh when it is back', async (t) => {
    const user = 'heal-u';
    await connect(t, A, user);
    const onC = await connect(t, C, user);
    await waitPresence(B, user, 2);
    await waitNodes(B, (j) => ['a', 'b', 'c'].every((id) => entry(j, id)), 'all three nodes listed');

    await cluster.redis.stop();
    await waitReady(B, false);
    // The directory cannot be read: a prompt 503 with a reason, not a hang
    // (the http helper gives up after 5 s).
    for (const path of ['/api/nodes', `/api/users/${user}/presence`, '/api/presence?limit=10']) {
      const r = await h.http(B, 'GET', path);
      assert.equal(r.status, 503, `${path}: ${r.status} ${r.text}`);
      assert.equal(r.json.ok, false);
      assert.match(r.json.error, /unavailable|not reachable/, path);
    }
    // Changes while Redis is away: one session ends, another user arrives.
    await onC.close();
    await connect(t, B, 'heal-new');

    await cluster.redis.start(); // same port, empty
    for (const n of [A, B, C]) await waitReady(n);
    const j = await waitNodes(A, (j) => j.count === 3, 'all three nodes listed again');
    assert.deepEqual(ids(j), ['a', 'b', 'c']);
    assert.deepEqual(await waitPresence(C, user, 1), { user, online: true, sessions: 1, nodes: [{ node: 'a', sessions: 1 }] });
    assert.deepEqual(await waitPresence(A, 'heal-new', 1), { user: 'heal-new', online: true, sessions: 1, nodes: [{ node: 'b', sessions: 1 }] });
    await waitNodes(C, (j) => entry(j, 'a').sessions === 1 && entry(j, 'b').sessions === 1 && entry(j, 'c').sessions === 0, 'the counts of now');
  });
});
