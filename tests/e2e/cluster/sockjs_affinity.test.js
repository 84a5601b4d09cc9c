'use strict';
// SockJS's HTTP transports through the balancers of deploy/. Plain
// round-robin (haproxy.cfg) scatters a session's requests
// (/<endpoint>/<server>/<session>/<transport>) over the nodes, and the
// nodes relay each one to the node holding the session through the
// backplane, so nothing is lost, duplicated or opened twice. The affinity
// configs (haproxy-affinity.cfg, nginx.conf with its `hash` line) pin them
// by session id instead — an optimisation — and still spread WebSocket
// connections round-robin.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { startCluster, info } = require('../lib/cluster');

const SOCKJS = '/websocket/mq';
const nodeOf = (c) => c.connected.headers.session.split('-')[0];

// The hash line of deploy/nginx.conf, enabled.
const enableNginxHash = (text) => {
  const out = text.replace(/^([ \t]*)#[ \t]*(hash \$herald_sockjs_session consistent;)/m, '$1$2');
  if (out === text) throw new Error('deploy/nginx.conf: no commented `hash $herald_sockjs_session consistent;` line');
  return out;
};

describe('SockJS HTTP transports behind the balancers', () => {
  let cluster, plain, sticky, nginx;
  before(async () => {
    cluster = await startCluster({
      nodes: 3,
      config: {
        endpoints: [{ path: '/ws' }, { path: SOCKJS, sockjs: true }],
        sockjs: { disconnect_delay_ms: 1000 },
      },
    });
    plain = await cluster.startHaproxy({ config: 'haproxy.cfg' });
    sticky = await cluster.startHaproxy({ config: 'haproxy-affinity.cfg' });
    nginx = await cluster.startNginx({ config: 'nginx.conf', transform: enableNginxHash });
    for (const lb of [plain, sticky]) await lb.waitServers((s) => s.length === 3 && s.every((x) => x.status === 'UP'), 'three nodes UP');
  });
  after(() => cluster && cluster.stop());

  // SockJS HTTP sessions per node. Sessions of earlier tests may still be
  // ending (through HAProxy a closed poll is noticed only at the next
  // heart-beat), so tests compare with the counts they started from.
  const sockjsCounts = async () => Object.fromEntries((await Promise.all(cluster.nodes.map(info))).map((i) => [i.node, i.sockjs_sessions]));
  // One node holds the new session and no other node opened one: no
  // request of the session strayed (a stray poll would open a session).
  const assertOnlyHolder = async (before, holder) => {
    const now = await sockjsCounts();
    assert.ok(now[holder] >= 1, `node ${holder} holds the session: ${JSON.stringify(now)}`);
    for (const id of Object.keys(now)) {
      if (id !== holder) assert.ok(now[id] <= before[id], `node ${id} opened a session: ${JSON.stringify(before)} -> ${JSON.stringify(now)}`);
    }
  };

  it('plain round-robin scatters a session\'s requests, and every one finds the session', async (t) => {
    const requests = (n) => h.metricsText(n).then((text) => h.metric(text, 'herald_http_requests_total'));
    const before = await Promise.all(cluster.nodes.map(requests));
    const s = new h.SjSession(plain, SOCKJS);
    await s.open();
    t.after(() => s.send(['DISCONNECT\n\n\0']).catch(() => {}));
    // Each request on a new connection: round-robin moves on every time.
    for (let i = 0; i < 6; i++) assert.equal((await s.send(['\n'])).status, 204, `xhr_send ${i}`);
    const after = await Promise.all(cluster.nodes.map(requests));
    const served = after.filter((v, i) => v > before[i]).length;
    assert.ok(served >= 2, `the requests reached ${served} node(s)`);
  });

  for (const [name, lbOf, tag] of [
    ['haproxy.cfg (plain round-robin, relayed)', () => plain, 'rr'],
    ['haproxy-affinity.cfg', () => sticky, 'pin'],
    ['nginx.conf with its hash line', () => nginx, 'hash'],
  ]) {
    describe(name, () => {
      it('every request of a raw xhr session reaches the one node holding it', async () => {
        const lb = lbOf();
        const before = await sockjsCounts();
        const s = new h.SjSession(lb, SOCKJS);
        await s.open();
        // STOMP CONNECT, then a SUBSCRIBE with a receipt, one request each,
        // then polls: every one must find the session.
        await s.mustSend([`CONNECT\naccept-version:1.2\nhost:x\nlogin:pinned-${tag}\n\n\0`]);
        const connected = await s.receive(1);
        assert.match(connected[0], /^CONNECTED\n/);
        const holder = /session:([a-z])-/.exec(connected[0])[1];
        const topic = `/topic/pinned-${tag}`;
        await s.mustSend([`SUBSCRIBE\nid:1\ndestination:${topic}\nreceipt:r1\n\n\0`]);
        assert.match((await s.receive(1))[0], /^RECEIPT\nreceipt-id:r1/);
        for (let i = 0; i < 5; i++) await s.mustSend(['\n']); // heart-beats
        await cluster.waitSubscribers(cluster.topicChannel(topic), 1);
        const other = cluster.nodes.find((n) => n.id !== holder);
        await h.mustPublish(other, topic, 'to a pinned session');
        const [msg] = await s.receive(1);
        assert.match(msg, /^MESSAGE\n/);
        assert.match(msg, /to a pinned session\0?$/);
        await assertOnlyHolder(before, holder);
        await s.mustSend(['DISCONNECT\n\n\0']);
      });

      for (const transport of ['xhr-polling', 'xhr-streaming']) {
        it(`carries sockjs-client + stompjs over ${transport}`, async (t) => {
          const lb = lbOf();
          const before = await sockjsCounts();
          const login = `sj-${tag}-${transport}`;
          const c = await h.sockjsStomp(lb, { path: SOCKJS, transports: [transport], headers: { login } });
          t.after(() => h.dispose(c));
          const holder = /^([a-z])-/.exec(c.frame.headers.session)[1];
          const dest = `/topic/sj-${tag}-${transport}`;
          const topic = await h.legacySubscribe(c.client, dest);
          const user = await h.legacySubscribe(c.client, '/user/queue/sj');
          await cluster.waitSubscribers(cluster.topicChannel(dest), 1);
          await cluster.waitSubscribers(cluster.userChannel(login), 1);
          for (const n of cluster.nodes) await h.mustPublish(n, dest, `from ${n.id}`);
          await h.mustPublishUser(cluster.nodes[2], login, '/queue/sj', 'for you');
          // Each node publishes through its own Redis connection, so
          // messages of different nodes may interleave: compare as sets.
          const got = await topic.takeN(3);
          assert.deepEqual(
            got.map((m) => m.body).sort(),
            cluster.nodes.map((n) => `from ${n.id}`).sort(),
          );
          assert.equal((await user.next()).body, 'for you');
          // Nothing twice: the next message is the marker.
          await h.mustPublish(cluster.nodes[1], dest, 'marker');
          assert.equal((await topic.next()).body, 'marker');
          await assertOnlyHolder(before, holder);
        });
      }

      it('still spreads WebSocket connections over the nodes', async (t) => {
        const lb = lbOf();
        const seen = new Set();
        for (let i = 0; i < 6 && seen.size < 3; i++) {
          const c = h.track(t, await h.RawStomp.connect(lb, { login: `ws-${i}` }));
          seen.add(nodeOf(c));
        }
        assert.ok(seen.size >= 2, `WebSocket connections all went to ${[...seen]}`);
      });
    });
  }
});
