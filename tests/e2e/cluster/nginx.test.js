'use strict';
// deploy/nginx.conf (real nginx, upstream and listen lines pointed at this
// test's nodes) in front of two herald nodes: WebSocket upgrades pass,
// connections alternate between the nodes, a client through nginx receives
// publishes made on either node, and when a node dies new connections are
// passed to the other (passive health: proxy_next_upstream).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { startCluster } = require('../lib/cluster');

const nodeOf = (c) => c.connected.headers.session.split('-')[0];

describe('nginx round-robin (deploy/nginx.conf)', () => {
  let cluster, lb, A, B;
  before(async () => {
    cluster = await startCluster({ nodes: 2 });
    [A, B] = cluster.nodes;
    lb = await cluster.startNginx({ config: 'nginx.conf' });
  });
  after(() => cluster && cluster.stop());

  it('passes WebSocket upgrades round-robin over the nodes', async (t) => {
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const c = h.track(t, await h.RawStomp.connect(lb, { login: `rr-${i}` }));
      seen.push(nodeOf(c));
    }
    // One round-robin position shared by nginx's workers (zone): strict
    // alternation whatever worker accepted the connection.
    assert.deepEqual(seen.filter((x) => x === 'a').length, 2, `sessions landed on ${seen}`);
    assert.deepEqual(seen.filter((x) => x === 'b').length, 2, `sessions landed on ${seen}`);
    for (let i = 1; i < seen.length; i++) assert.notEqual(seen[i], seen[i - 1], `alternates: ${seen}`);
  });

  it('carries @stomp/stompjs sessions on both nodes that receive publishes made anywhere', async (t) => {
    const clients = [];
    for (let i = 0; i < 2; i++) clients.push(h.track(t, await h.stompClient(lb, { connectHeaders: { login: `nx-${i}` } })));
    const nodes = clients.map((c) => c.connected.headers.session.split('-')[0]);
    assert.deepEqual([...nodes].sort(), ['a', 'b'], `clients on ${nodes}`);
    const topics = [];
    const users = [];
    for (const c of clients) {
      topics.push(await h.stompSubscribe(c.client, '/topic/nginx'));
      users.push(await h.stompSubscribe(c.client, '/user/queue/nginx'));
    }
    await cluster.waitSubscribers(cluster.topicChannel('/topic/nginx'), 2);
    // The publish API through nginx: loopback is an allowed source.
    const viaLb = await h.mustPublish(lb, '/topic/nginx', 'via nginx');
    const onA = await h.mustPublish(A, '/topic/nginx', 'on a');
    // The two publishes may enter Redis from different nodes, so their
    // order is not fixed: each arrives once, under its own message-id.
    for (const inbox of topics) {
      const got = await inbox.takeN(2);
      const ids = Object.fromEntries(got.map((m) => [m.body, m.headers['message-id']]));
      assert.deepEqual(ids, { 'via nginx': viaLb.message_id, 'on a': onA.message_id });
    }
    await h.mustPublishUser(B, 'nx-0', '/queue/nginx', 'for nx-0');
    await h.mustPublishUser(A, 'nx-1', '/queue/nginx', 'for nx-1');
    assert.equal((await users[0].next()).body, 'for nx-0');
    assert.equal((await users[1].next()).body, 'for nx-1');
    assert.equal(users[0].all.length, 1);
  });

  it('passes new connections to the surviving node when one dies', async (t) => {
    const survivor = h.track(t, await h.stompClient(lb, { connectHeaders: { login: 'stays' } }));
    const inbox = await h.stompSubscribe(survivor.client, '/topic/after-kill');
    const kept = survivor.connected.headers.session.split('-')[0];
    const victim = kept === 'a' ? B : A;
    const other = kept === 'a' ? A : B;
    victim.proc.kill('SIGKILL');
    await h.within(victim.exited, 5000, 'killed node to exit');
    // Round-robin offers the dead node every other time: nginx retries the
    // next upstream on the refused connection, so all of these get through.
    for (let i = 0; i < 4; i++) {
      const c = h.track(t, await h.RawStomp.connect(lb, { login: `after-${i}` }));
      assert.equal(nodeOf(c), other.id);
    }
    await h.mustPublish(other, '/topic/after-kill', 'still served');
    assert.equal((await inbox.next()).body, 'still served');
  });
});
