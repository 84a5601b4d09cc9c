'use strict';
// Three herald nodes (a, b, c) on one real RabbitMQ with `broker.type:
// amqp`: the cross-node scenarios of routing.test.js (the Redis backplane),
// plus what is particular to AMQP. Each node's private queue is bound to
// the direct exchange once per channel it has local interest in, so a user's
// messages reach only the nodes holding that user's sessions and a topic's
// only the nodes with a subscriber (herald_backplane_received_total{kind}
// shows it), exactly once, with one message id. DELETE
// /api/users/{id}/sessions on one node closes the user's sessions on every
// node. When RabbitMQ restarts, /readyz goes 503 and back to 200, bindings
// are rebuilt, held publishes go out and delivery resumes.
//
// A SUBSCRIBE's RECEIPT comes before the node's queue.bind is confirmed, so
// tests wait for herald_backplane_channels (bindings confirmed by RabbitMQ)
// before publishing through another node. Every node binds two channels of
// its own at all times (the control channel and its node channel), plus one
// per user with a session there (for user messages and kicks) and one per
// topic subscribed there; each test starts once every node is back to its
// two, so the counts it waits for are exact. Nothing sleeps: tests await
// frames or poll metrics.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { backplaneMetrics, info, readyz, waitReady } = require('../lib/cluster');
const { startRabbitMQ } = require('../lib/rabbitmq');

const EXCHANGE = 'herald-e2e';
const BASE_CHANNELS = 2; // !control and !node:<id>
// Short backoff: the restart test should recover within a second. Held
// publishes go out this long after the node is back.
const RECONNECT_MAX_MS = 500;
const BUFFER = 5;

describe('cluster routing over RabbitMQ (broker.type: amqp)', () => {
  let rabbit;
  const nodes = [];
  let A, B, C;

  before(async () => {
    rabbit = await startRabbitMQ();
    for (const id of ['a', 'b', 'c']) {
      const node = await h.startHerald({
        node: { id },
        auth: { mode: 'none' },
        broker: {
          type: 'amqp',
          amqp: { url: rabbit.url, exchange: EXCHANGE, buffer_messages: BUFFER, reconnect_max_ms: RECONNECT_MAX_MS },
        },
      });
      node.id = id;
      nodes.push(node);
    }
    [A, B, C] = nodes;
    await Promise.all(nodes.map((n) => waitReady(n, true, 15000)));
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    if (rabbit) await rabbit.dispose();
  });

  const connect = async (t, node, login) => h.track(t, await h.RawStomp.connect(node, { login }));
  const bodies = (frames) => frames.map((f) => f.body);
  const messages = (c) => c.frames.all.filter((f) => f.command === 'MESSAGE');

  const metricsOf = async (node) => {
    const m = await backplaneMetrics(node);
    m.up = h.metric(m.text, 'herald_broker_up', 'broker="amqp"');
    return m;
  };
  const received = async () => {
    const out = {};
    for (const n of nodes) out[n.id] = (await metricsOf(n)).received;
    return out;
  };
  // Polls until `node` has `count` bindings confirmed by RabbitMQ.
  const waitChannels = async (node, count, timeout = 5000) => {
    let last;
    await h
      .waitUntil(async () => (last = (await metricsOf(node)).channels) === count, { timeout, interval: 25 })
      .catch((e) => {
        throw new Error(`node ${node.id} has ${last} bindings, not ${count}: ${e.message}\n${node.log()}`);
      });
  };
  // The previous test's clients are closed and their bindings removed.
  const settled = () => Promise.all(nodes.map((n) => waitChannels(n, BASE_CHANNELS)));

  // The exchange's bindings, from rabbitmqctl: [{queue, key}].
  const bindings = async () => {
    const r = await rabbit.ctl(['list_bindings', '-q', '--no-table-headers', 'source_name', 'destination_name', 'routing_key']);
    assert.equal(r.status, 0, r.output);
    return r.output
      .split('\n')
      .map((l) => l.split('\t'))
      .filter((f) => f.length === 3 && f[0] === EXCHANGE)
      .map(([, queue, key]) => ({ queue, key }));
  };

  it('reports the ready amqp backplane; each node binds its own queue to the control channel', async () => {
    for (const n of nodes) {
      const i = await info(n);
      assert.equal(i.node, n.id);
      assert.equal(i.broker.type, 'amqp');
      assert.equal(i.broker.state, 'ready');
      assert.equal((await readyz(n)).status, 200);
      const m = await metricsOf(n);
      assert.equal(m.up, 1);
      assert.equal(m.channels, BASE_CHANNELS);
    }
    const b = await bindings();
    const control = b.filter((x) => x.key === '!control').map((x) => x.queue);
    assert.equal(new Set(control).size, 3, `three queues bound to !control: ${JSON.stringify(b)}`);
    for (const id of ['a', 'b', 'c']) {
      const own = b.filter((x) => x.key === `!node:${id}`);
      assert.equal(own.length, 1, `one queue bound to !node:${id}`);
      assert.ok(control.includes(own[0].queue), 'the node channel and the control channel share the node queue');
    }
  });

  it('a user publish through node b reaches the user on a and c exactly once, and only a and c receive it', async (t) => {
    await settled();
    const onA = await connect(t, A, 'ulysses');
    const onC = await connect(t, C, 'ulysses');
    const otherOnA = await connect(t, A, 'vera');
    const otherOnB = await connect(t, B, 'vera');
    await onA.subscribe('/user/queue/notice', 'n');
    await onC.subscribe('/user/ulysses/queue/notice', 'n'); // explicit form
    await otherOnA.subscribe('/user/queue/notice', 'n');
    await otherOnB.subscribe('/user/queue/notice', 'n');
    await waitChannels(A, BASE_CHANNELS + 2);
    await waitChannels(B, BASE_CHANNELS + 1);
    await waitChannels(C, BASE_CHANNELS + 1);
    const ulyssesQueues = (await bindings()).filter((x) => x.key === 'u:ulysses');
    assert.equal(ulyssesQueues.length, 2, 'the user channel is bound by the two nodes holding ulysses');
    const before = await received();

    const m1 = await h.mustPublishUser(B, 'ulysses', '/queue/notice', 'm1');
    const marker = await h.mustPublishUser(B, 'ulysses', '/queue/notice', 'marker');
    assert.match(m1.message_id, /^b-/);
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
    const afterUser = await received();
    assert.equal(afterUser.a.user - before.a.user, 2);
    assert.equal(afterUser.c.user - before.c.user, 2);
    assert.equal(afterUser.b.user - before.b.user, 0, 'node b holds no session of ulysses: it must not receive them');

    await h.mustPublishUser(B, 'vera', '/queue/notice', 'for vera');
    for (const c of [otherOnA, otherOnB]) {
      assert.equal((await c.message()).body, 'for vera');
      assert.equal(messages(c).length, 1);
    }
    const afterVera = await received();
    assert.equal(afterVera.b.user - before.b.user, 1, 'node b received only the message for vera');
    assert.equal(afterVera.c.user - afterUser.c.user, 0, 'node c holds no session of vera');
    for (const c of [onA, onC]) assert.equal(messages(c).length, 2);
  });

  it('a node unbinds a user channel once its last session of the user is gone', async (t) => {
    await settled();
    const onA = await connect(t, A, 'leaving');
    const onB = await connect(t, B, 'leaving');
    await onA.subscribe('/user/queue/x', 'x');
    await onB.subscribe('/user/queue/x', 'x');
    await waitChannels(A, BASE_CHANNELS + 1);
    await waitChannels(B, BASE_CHANNELS + 1);
    await onB.close();
    await waitChannels(B, BASE_CHANNELS);
    assert.equal((await bindings()).filter((x) => x.key === 'u:leaving').length, 1);
    const before = await received();
    await h.mustPublishUser(C, 'leaving', '/queue/x', 'still here');
    assert.equal((await onA.message()).body, 'still here');
    const afterwards = await received();
    assert.equal(afterwards.b.user - before.b.user, 0);
    assert.equal(afterwards.a.user - before.a.user, 1);
  });

  it('a topic publish through one node reaches subscribers on all three exactly once, with one message id', async (t) => {
    await settled();
    const subs = [];
    for (const n of nodes) {
      const c = await connect(t, n, `reader-${n.id}`);
      await c.subscribe('/topic/broadcast', 's');
      subs.push(c);
    }
    const b2 = await connect(t, B, 'reader-b2'); // one AMQP message, two deliveries on b
    await b2.subscribe('/topic/broadcast', 's2');
    subs.push(b2);
    const onlyA = await connect(t, A, 'reader-only-a');
    await onlyA.subscribe('/topic/only-a', 'o');
    // Users reader-a and reader-only-a, two topics; reader-b and
    // reader-b2, one topic; reader-c, one topic.
    await waitChannels(A, BASE_CHANNELS + 4);
    await waitChannels(B, BASE_CHANNELS + 3);
    await waitChannels(C, BASE_CHANNELS + 2);
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
    for (const id of ['a', 'b', 'c']) assert.equal(mid[id].topic - before[id].topic, 2, `node ${id} topic messages`);

    await h.mustPublish(C, '/topic/only-a', 'just a');
    assert.equal((await onlyA.message()).body, 'just a');
    const end = await received();
    assert.equal(end.a.topic - mid.a.topic, 1);
    assert.equal(end.b.topic - mid.b.topic, 0, 'node b has no subscriber of /topic/only-a');
    assert.equal(end.c.topic - mid.c.topic, 0, 'node c has no subscriber of /topic/only-a');
    for (const c of subs) assert.equal(messages(c).length, 2);
  });

  it('routes by exact channel: AMQP wildcards in names mean nothing, and names over 255 bytes work', async (t) => {
    await settled();
    // On a topic exchange "/topic/a.#" would match "/topic/a.b.c"; on
    // herald's direct exchange it is just another name.
    const wild = await connect(t, A, 'wild');
    await wild.subscribe('/topic/a.#', 'w');
    const plain = await connect(t, B, 'plain');
    await plain.subscribe('/topic/a.b.c', 'p');
    // Longer than an AMQP routing key may be: bound under its hash.
    const long = `/topic/${'long-'.repeat(60)}end`;
    assert.ok(Buffer.byteLength(long) > 255);
    const longA = await connect(t, A, 'long-a');
    await longA.subscribe(long, 'l');
    const longC = await connect(t, C, 'long-c');
    await longC.subscribe(long, 'l');
    // Two users and two topics on a, one of each on b and c.
    await waitChannels(A, BASE_CHANNELS + 4);
    await waitChannels(B, BASE_CHANNELS + 2);
    await waitChannels(C, BASE_CHANNELS + 2);
    const hashed = (await bindings()).filter((x) => x.key.startsWith('#sha256:'));
    assert.equal(hashed.length, 2, 'a and c bind the long name under one hashed key');
    assert.equal(hashed[0].key, hashed[1].key);

    await h.mustPublish(C, '/topic/a.b.c', 'exact');
    await h.mustPublish(C, '/topic/a.#', 'literal');
    assert.equal((await plain.message()).body, 'exact');
    assert.equal((await wild.message()).body, 'literal');
    await h.mustPublish(B, long, 'far');
    for (const c of [longA, longC]) {
      const f = await c.message();
      assert.equal(f.body, 'far');
      assert.equal(f.headers.destination, long);
    }
    assert.equal(messages(plain).length, 1);
    assert.equal(messages(wild).length, 1);
  });

  it("DELETE /api/users/{id}/sessions on node b closes the user's sessions on a and c", async (t) => {
    await settled();
    const onA = await connect(t, A, 'kicked');
    const onC = await connect(t, C, 'kicked');
    const stompjsOnC = h.track(t, await h.stompClient(C, { connectHeaders: { login: 'kicked' } }));
    const stays = await connect(t, A, 'stays');
    await stays.subscribe('/user/queue/x', 'x');
    await waitChannels(A, BASE_CHANNELS + 2); // users kicked and stays
    await waitChannels(C, BASE_CHANNELS + 1);
    const controlBefore = await received();

    const r = await h.http(B, 'DELETE', '/api/users/kicked/sessions');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ok, true);
    assert.equal(r.json.user, 'kicked');
    // The directory is per node with this broker: b counts its own (none).
    assert.equal(r.json.sessions, 0);

    for (const c of [onA, onC]) {
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /closed by the server/);
      assert.equal((await h.within(c.closed, 5000, 'close of a kicked session')).code, 1008);
    }
    const err = await stompjsOnC.errors.next(5000);
    assert.match(err.headers.message, /closed by the server/);
    assert.equal((await h.within(stompjsOnC.closed, 5000, 'stompjs kicked close')).code, 1008);

    const controlAfter = await received();
    for (const id of ['a', 'b', 'c']) assert.ok(controlAfter[id].control > controlBefore[id].control, `node ${id} control messages`);

    await h.mustPublishUser(B, 'stays', '/queue/x', 'unaffected');
    assert.equal((await stays.message()).body, 'unaffected');
    assert.equal(stays.ws.readyState, h.WebSocket.OPEN);
    const again = await connect(t, B, 'kicked');
    await again.subscribe('/user/queue/back', 'b');
    await waitChannels(B, BASE_CHANNELS + 1);
    await h.mustPublishUser(A, 'kicked', '/queue/back', 'welcome back');
    assert.equal((await again.message()).body, 'welcome back');
  });

  it('survives a RabbitMQ restart: unready, holds then refuses publishes, rebinds, delivers again', async (t) => {
    await settled();
    const topicA = await connect(t, A, 'steady-a');
    await topicA.subscribe('/topic/outage', 't');
    const userC = await connect(t, C, 'steady-c');
    await userC.subscribe('/user/queue/notice', 'u');
    await waitChannels(A, BASE_CHANNELS + 2); // user steady-a and the topic
    await waitChannels(C, BASE_CHANNELS + 1);
    await h.mustPublish(B, '/topic/outage', 'before');
    assert.equal((await topicA.message()).body, 'before');
    const before = {};
    for (const n of nodes) before[n.id] = await metricsOf(n);

    await rabbit.stop();
    for (const n of nodes) {
      await waitReady(n, false);
      assert.deepEqual((await readyz(n)).json, { ready: false });
      assert.notEqual((await info(n)).broker.state, 'ready');
      assert.equal((await metricsOf(n)).up, 0);
    }
    // Held up to broker.amqp.buffer_messages, in order; refused past it.
    const held = [];
    for (let k = 0; k < BUFFER; k++) {
      const r = await h.publish(B, '/topic/outage', `held-${k}`);
      assert.equal(r.status, 200, r.text);
      held.push(r.json.message_id);
    }
    const refused = await h.publish(B, '/topic/outage', 'refused');
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.json.ok, false);
    assert.equal((await metricsOf(B)).rejected - before.b.rejected, 1);
    // Clients stay connected, and interest gained meanwhile is bound later.
    assert.equal(topicA.ws.readyState, h.WebSocket.OPEN);
    const late = await connect(t, B, 'late');
    await late.subscribe('/user/queue/notice', 'u');

    await rabbit.start();
    for (const n of nodes) {
      await waitReady(n, true, 15000);
      const m = await metricsOf(n);
      assert.ok(m.reconnects > before[n.id].reconnects, `node ${n.id} counted its reconnects`);
      assert.equal(m.up, 1);
    }
    await waitChannels(A, BASE_CHANNELS + 2);
    await waitChannels(B, BASE_CHANNELS + 1); // late, bound after the restart
    await waitChannels(C, BASE_CHANNELS + 1);

    // The held messages go out reconnect_max_ms after b is back (until
    // then its buffer is still full), in order, then what is published now.
    await h.waitUntil(async () => (await metricsOf(B)).pending === 0, { what: 'node b pending publishes to drain' });
    const after1 = await h.mustPublish(B, '/topic/outage', 'after');
    const got = [];
    for (let k = 0; k <= BUFFER; k++) got.push(await topicA.message());
    assert.deepEqual(bodies(got), [...held.map((_, k) => `held-${k}`), 'after']);
    assert.deepEqual(
      got.map((f) => f.headers['message-id']),
      [...held, after1.message_id],
    );
    await h.mustPublishUser(A, 'steady-c', '/queue/notice', 'to c');
    assert.equal((await userC.message()).body, 'to c');
    await h.mustPublishUser(C, 'late', '/queue/notice', 'hello late');
    assert.equal((await late.message()).body, 'hello late');
    assert.ok(!messages(topicA).some((f) => f.body === 'refused'));
  });
});
