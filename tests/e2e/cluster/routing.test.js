'use strict';
// Three herald nodes (a, b, c) on one real redis-server: user and topic
// messages published through one node reach the sessions on the others
// exactly once, only the nodes holding an interested session receive them
// from Redis (interest-based routing, seen in PUBSUB NUMSUB and in each
// node's herald_backplane_received_total), and DELETE /api/users/{id}/sessions
// on one node closes the user's sessions on every node.
//
// A RECEIPT for SUBSCRIBE comes before the node's Redis SUBSCRIBE is
// acknowledged (it arrives even while Redis is stopped with SIGSTOP), so a
// publish through another node right after the receipt could miss the new
// subscriber. Tests wait for the subscription to show in Redis (PUBSUB
// NUMSUB, which also asserts which nodes subscribe) before publishing.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { startCluster, backplaneMetrics, info } = require('../lib/cluster');

describe('cluster routing over Redis', () => {
  let cluster, A, B, C;
  before(async () => {
    cluster = await startCluster({ nodes: 3 });
    [A, B, C] = cluster.nodes;
  });
  after(() => cluster && cluster.stop());

  const connect = async (t, node, login) => h.track(t, await h.RawStomp.connect(node, { login }));

  // Received-from-Redis counters of every node, by id.
  const received = async () => {
    const out = {};
    for (const n of cluster.nodes) out[n.id] = (await backplaneMetrics(n)).received;
    return out;
  };
  const bodies = (frames) => frames.map((f) => f.body);

  it('reports its node id and the ready Redis backplane', async () => {
    for (const n of cluster.nodes) {
      const i = await info(n);
      assert.equal(i.node, n.id);
      assert.equal(i.broker.type, 'redis');
      assert.equal(i.broker.state, 'ready');
      const m = await backplaneMetrics(n);
      assert.equal(m.up, 1);
      assert.match(m.text, new RegExp(`^herald_node_info\\{node="${n.id}"`, 'm'));
      // Every node listens on the control channel from the start.
      assert.ok(i.broker.channels >= 1, JSON.stringify(i.broker));
    }
    assert.equal(await cluster.redis.numsub(`${cluster.prefix}!control`), 3);
  });

  it('a user publish through node b reaches the user on a and c exactly once, and only a and c receive it from Redis', async (t) => {
    const onA = await connect(t, A, 'ulysses');
    const onC = await connect(t, C, 'ulysses');
    const otherOnA = await connect(t, A, 'vera');
    const otherOnB = await connect(t, B, 'vera');
    await onA.subscribe('/user/queue/notice', 'n');
    await onC.subscribe('/user/ulysses/queue/notice', 'n'); // explicit form
    await otherOnA.subscribe('/user/queue/notice', 'n');
    await otherOnB.subscribe('/user/queue/notice', 'n');

    // Interest-based routing in Redis itself: the user's channel has the two
    // nodes holding a session of ulysses, not b.
    await cluster.waitSubscribers(cluster.userChannel('ulysses'), 2);
    await cluster.waitSubscribers(cluster.userChannel('vera'), 2);
    const before = await received();

    const m1 = await h.mustPublishUser(B, 'ulysses', '/queue/notice', 'm1');
    const marker = await h.mustPublishUser(B, 'ulysses', '/queue/notice', 'marker');
    assert.match(m1.message_id, /^b-/, 'message ids start with the publishing node id');

    for (const [c, dest] of [
      [onA, '/user/queue/notice'],
      [onC, '/user/ulysses/queue/notice'],
    ]) {
      const got = [await c.message(), await c.message()];
      // Exactly once: a duplicate of m1 would come before the marker.
      assert.deepEqual(bodies(got), ['m1', 'marker']);
      assert.deepEqual(
        got.map((f) => f.headers['message-id']),
        [m1.message_id, marker.message_id],
      );
      assert.equal(got[0].headers.destination, dest);
    }

    // Counters move before delivery, so they are final by now.
    const afterUser = await received();
    assert.equal(afterUser.a.user - before.a.user, 2, 'node a received both user messages from Redis');
    assert.equal(afterUser.c.user - before.c.user, 2, 'node c received both user messages from Redis');
    assert.equal(afterUser.b.user - before.b.user, 0, 'node b holds no session of ulysses: it must not receive them');

    // vera got nothing: her next message is the first she sees. Published
    // through b on the same connection after ulysses' messages, so on node
    // b (subscribed to vera) anything leaked would have come first.
    await h.mustPublishUser(B, 'vera', '/queue/notice', 'for vera');
    for (const c of [otherOnA, otherOnB]) {
      const f = await c.message();
      assert.equal(f.body, 'for vera');
      assert.equal(c.frames.all.filter((x) => x.command === 'MESSAGE').length, 1);
    }
    const afterVera = await received();
    assert.equal(afterVera.b.user - before.b.user, 1, 'node b received only the message for vera');
    assert.equal(afterVera.c.user - afterUser.c.user, 0, 'node c holds no session of vera');
    // No duplicates trickled in meanwhile.
    for (const c of [onA, onC]) assert.equal(c.frames.all.filter((x) => x.command === 'MESSAGE').length, 2);
  });

  it('a node unsubscribes a user channel from Redis once its last session of the user is gone', async (t) => {
    const onA = await connect(t, A, 'leaving');
    const onB = await connect(t, B, 'leaving');
    await onA.subscribe('/user/queue/x', 'x');
    await onB.subscribe('/user/queue/x', 'x');
    await cluster.waitSubscribers(cluster.userChannel('leaving'), 2);
    await onB.close();
    // broker.redis.unsubscribe_delay_ms (1 s by default) later, b lets go.
    await cluster.waitSubscribers(cluster.userChannel('leaving'), 1);
    const before = await received();
    await h.mustPublishUser(C, 'leaving', '/queue/x', 'still here');
    assert.equal((await onA.message()).body, 'still here');
    const afterwards = await received();
    assert.equal(afterwards.b.user - before.b.user, 0);
    assert.equal(afterwards.a.user - before.a.user, 1);
  });

  it('a topic publish through one node reaches subscribers on all three exactly once, with one message id', async (t) => {
    const subs = [];
    for (const n of cluster.nodes) {
      const c = await connect(t, n, `reader-${n.id}`);
      await c.subscribe('/topic/broadcast', 's');
      subs.push(c);
    }
    // A second subscriber on node b: one Redis message, two deliveries.
    const b2 = await connect(t, B, 'reader-b2');
    await b2.subscribe('/topic/broadcast', 's2');
    subs.push(b2);
    // A topic only node a subscribes to.
    const onlyA = await connect(t, A, 'reader-only-a');
    await onlyA.subscribe('/topic/only-a', 'o');
    await cluster.waitSubscribers(cluster.topicChannel('/topic/broadcast'), 3);
    await cluster.waitSubscribers(cluster.topicChannel('/topic/only-a'), 1);
    const before = await received();

    const m1 = await h.mustPublish(C, '/topic/broadcast', { n: 1 });
    const marker = await h.mustPublish(C, '/topic/broadcast', 'marker');
    assert.match(m1.message_id, /^c-/);
    for (const c of subs) {
      const got = [await c.message(), await c.message()];
      assert.deepEqual(bodies(got), ['{"n":1}', 'marker']);
      assert.equal(got[0].headers['message-id'], m1.message_id, 'the same message id on every node');
      assert.equal(got[1].headers['message-id'], marker.message_id);
      assert.equal(got[0].headers.destination, '/topic/broadcast');
      assert.equal(got[0].headers['content-type'], 'application/json');
    }
    const mid = await received();
    for (const id of ['a', 'b', 'c']) assert.equal(mid[id].topic - before[id].topic, 2, `node ${id} topic messages from Redis`);

    await h.mustPublish(C, '/topic/only-a', 'just a');
    assert.equal((await onlyA.message()).body, 'just a');
    const end = await received();
    assert.equal(end.a.topic - mid.a.topic, 1);
    assert.equal(end.b.topic - mid.b.topic, 0, 'node b has no subscriber of /topic/only-a');
    assert.equal(end.c.topic - mid.c.topic, 0, 'node c has no subscriber of /topic/only-a');
    for (const c of subs) assert.equal(c.frames.all.filter((x) => x.command === 'MESSAGE').length, 2);
  });

  it('DELETE /api/users/{id}/sessions on node b closes the user\'s sessions on a and c', async (t) => {
    const onA = await connect(t, A, 'kicked');
    const onC = await connect(t, C, 'kicked');
    const stompjsOnC = h.track(t, await h.stompClient(C, { connectHeaders: { login: 'kicked' } }));
    const stays = await connect(t, A, 'stays');
    await stays.subscribe('/user/queue/x', 'x');
    const controlBefore = await received();

    const r = await h.http(B, 'DELETE', '/api/users/kicked/sessions');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ok, true);
    assert.equal(r.json.user, 'kicked');
    // r.json.sessions is the cluster-wide count from the presence directory:
    // see the next test, which waits for presence to show the sessions.

    for (const c of [onA, onC]) {
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /closed by the server/);
      assert.equal((await h.within(c.closed, 5000, 'close of a kicked session')).code, 1008);
    }
    const err = await stompjsOnC.errors.next(5000);
    assert.match(err.headers.message, /closed by the server/);
    assert.equal((await h.within(stompjsOnC.closed, 5000, 'stompjs kicked close')).code, 1008);

    // Every node got the kick over the control channel.
    const controlAfter = await received();
    for (const id of ['a', 'b', 'c']) assert.ok(controlAfter[id].control > controlBefore[id].control, `node ${id} control messages`);

    // Other users are untouched.
    await h.mustPublishUser(B, 'stays', '/queue/x', 'unaffected');
    assert.equal((await stays.message()).body, 'unaffected');
    assert.equal(stays.ws.readyState, h.WebSocket.OPEN);
    // The kicked user may come back on any node.
    const again = await connect(t, B, 'kicked');
    await again.subscribe('/user/queue/back', 'b');
    await cluster.waitSubscribers(cluster.userChannel('kicked'), 1);
    await h.mustPublishUser(A, 'kicked', '/queue/back', 'welcome back');
    assert.equal((await again.message()).body, 'welcome back');
  });
  // The answer's `sessions` is the user's session count in the presence
  // directory, read before the kick goes out. Presence reaches Redis one
  // loop turn after a CONNECT, so the test waits for it to show all three.
  it('DELETE /api/users/{id}/sessions answers the number of sessions closed cluster-wide', async (t) => {
    const clients = [await connect(t, A, 'counted'), await connect(t, C, 'counted'), await connect(t, C, 'counted')];
    await h.waitUntil(async () => (await h.http(B, 'GET', '/api/users/counted/presence')).json.sessions === 3, {
      what: 'presence of counted to show 3 sessions',
    });
    const r = await h.http(B, 'DELETE', '/api/users/counted/sessions');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { ok: true, user: 'counted', sessions: 3 });
    for (const c of clients) assert.match((await c.expect('ERROR')).headers.message, /closed by the server/);
    // Nobody left: a second kick counts none.
    await h.waitUntil(async () => (await h.http(B, 'GET', '/api/users/counted/presence')).json.online === false, {
      what: 'counted to go offline',
    });
    assert.deepEqual((await h.http(A, 'DELETE', '/api/users/counted/sessions')).json, { ok: true, user: 'counted', sessions: 0 });
  });
});
