'use strict';
// deploy/haproxy.cfg in front of three herald nodes: HAProxy's /readyz
// checks see the nodes UP, WebSocket upgrades pass, connections spread
// round-robin, and a @stomp/stompjs client whose node is killed (SIGKILL)
// reconnects through HAProxy to another node, subscribes again in its
// onConnect and receives what is published next.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const h = require('../lib/harness');
const { startCluster, info } = require('../lib/cluster');

describe('HAProxy round-robin (deploy/haproxy.cfg)', () => {
  let cluster, lb;
  before(async () => {
    cluster = await startCluster({ nodes: 3 });
    lb = await cluster.startHaproxy({ config: 'haproxy.cfg' });
    // Health checks (GET /readyz, expect 200) pass on every node.
    await lb.waitServers((s) => s.length === 3 && s.every((x) => x.status === 'UP' && x.check === 'L7OK'), 'three nodes UP by L7 check');
  });
  after(() => cluster && cluster.stop());

  it('spreads WebSocket connections over the nodes round-robin', async (t) => {
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const c = h.track(t, await h.RawStomp.connect(lb, { login: `rr-${i}` }));
      // The STOMP session id starts with the id of the node that holds it.
      seen.push(c.connected.headers.session.split('-')[0]);
    }
    assert.deepEqual([...seen].sort(), ['a', 'b', 'c'], `sessions landed on ${seen}`);
    // Through the balancer, a publish reaches a subscriber wherever it is.
    const sub = h.track(t, await h.stompClient(lb, { connectHeaders: { login: 'via-lb' } }));
    const inbox = await h.stompSubscribe(sub.client, '/topic/via-lb');
    await cluster.waitSubscribers(cluster.topicChannel('/topic/via-lb'), 1);
    await h.mustPublish(cluster.nodes[0], '/topic/via-lb', 'through haproxy');
    assert.equal((await inbox.next()).body, 'through haproxy');
  });

  it('a stompjs client whose node is killed reconnects through HAProxy to another node and receives the next message', async (t) => {
    const user = `survivor-${crypto.randomUUID().slice(0, 8)}`;
    const dest = '/topic/failover';
    const c = h.track(t, await h.stompClient(lb, { connectHeaders: { login: user }, reconnectDelay: 200 }));

    // What an application does: subscribe in onConnect, on every (re)connect.
    // The receipt tells the test when the subscription is in place.
    const messages = new h.Inbox('failover message');
    const subscribed = new h.Inbox('subscription after (re)connect');
    const subscribe = (frame) => {
      const receipt = `sub-${crypto.randomUUID()}`;
      c.client.watchForReceipt(receipt, () => subscribed.push(frame));
      c.client.subscribe(dest, (m) => messages.push(m), { receipt });
    };
    c.client.onConnect = subscribe;
    subscribe(c.connected);
    const first = await subscribed.next();

    const victimId = first.headers.session.split('-')[0];
    const victim = cluster.node(victimId);
    const survivors = cluster.nodes.filter((n) => n !== victim);
    assert.equal((await info(victim)).sessions, 1, 'the client is on the node its session id names');
    await cluster.waitSubscribers(cluster.topicChannel(dest), 1);
    await h.mustPublish(survivors[0], dest, 'before');
    assert.equal((await messages.next()).body, 'before');

    victim.proc.kill('SIGKILL');
    assert.equal((await h.within(victim.exited, 5000, 'killed node to exit')).signal, 'SIGKILL');
    // Right away, before the checks have necessarily noticed: round-robin
    // sends one of three new connections to the dead node, where it is
    // refused and redispatched (retries + option redispatch), so every one
    // gets through to a survivor.
    const fresh = await Promise.all([0, 1, 2].map((i) => h.RawStomp.connect(lb, { login: `fresh-${i}` })));
    h.track(t, ...fresh);
    for (const x of fresh) assert.notEqual(x.connected.headers.session.split('-')[0], victimId);

    // stompjs notices the close, waits reconnectDelay, reconnects through
    // HAProxy; a connection tried on the dead node is redispatched.
    const again = await subscribed.next(15000, 'reconnect and resubscribe through HAProxy');
    const nowOn = again.headers.session.split('-')[0];
    assert.notEqual(nowOn, victimId);
    assert.ok(survivors.some((n) => n.id === nowOn), `reconnected to ${nowOn}`);
    assert.ok((await info(cluster.node(nowOn))).users >= 1);

    await cluster.waitSubscribers(cluster.topicChannel(dest), 1);
    const m = await h.mustPublish(survivors.find((n) => n.id !== nowOn), dest, 'after');
    const got = await messages.next(5000, 'the message published after the failover');
    assert.equal(got.body, 'after');
    assert.equal(got.headers['message-id'], m.message_id);
    assert.equal(messages.all.length, 2, 'nothing lost, nothing twice');

    // HAProxy's checks take the dead node out; the others stay in.
    await lb.waitServers(
      (s) => s.every((x) => (x.node === victim ? x.status.startsWith('DOWN') : x.status === 'UP')),
      `${victimId} DOWN, the others UP`,
    );
    // New connections now go to the survivors only.
    for (let i = 0; i < 4; i++) {
      const x = h.track(t, await h.RawStomp.connect(lb, { login: `after-${i}` }));
      assert.notEqual(x.connected.headers.session.split('-')[0], victimId);
    }
  });
});
