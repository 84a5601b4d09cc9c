'use strict';
// The AMQP source against a real RabbitMQ and three herald nodes on a real
// Redis backplane. A producer shaped like Spring Cloud Stream's rabbit
// binder (amqplib) publishes JSON {"mobile", "message"} to a durable topic
// exchange with the destination as routing key and content type
// application/json; herald maps /mobile to the user and /message to the
// body, and publishes to a user destination (/userOnlineStatus, subscribed
// as /user/<mobile>/userOnlineStatus; or /queue/userOnlineStatus, also
// reachable as /user/queue/userOnlineStatus) and to /topic/userOnlineStatus.
//
// fanout: every node consumes its own queue and delivers locally; group:
// the nodes share a durable queue, one node consumes each message and
// publishes it through Redis. Either way each session gets each message
// exactly once: a duplicate would arrive before the marker published after
// it. Nothing sleeps: tests await frames, Redis pushes and metrics.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const amqp = require('amqplib');
const h = require('../lib/harness');
const { startCluster, readyz } = require('../lib/cluster');
const { startRabbitMQ } = require('../lib/rabbitmq');

const USER = '13800000000';
const SOURCE = 'events';

function sourceConfig(rabbit, amqpKeys, userDestination) {
  return {
    sources: [
      {
        type: 'amqp',
        name: SOURCE,
        url: rabbit.url,
        routing_key: '#',
        prefetch: 16,
        reconnect_max_ms: 500,
        map: { user: '/mobile', body: '/message', user_destination: userDestination, topic: '/topic/userOnlineStatus' },
        ...amqpKeys,
      },
    ],
  };
}

// The source's counters on one node.
async function sourceMetrics(node) {
  const text = await h.metricsText(node);
  const labels = `source="${SOURCE}",type="amqp"`;
  const ev = (r) => h.metric(text, 'herald_source_events_total', `${labels},result="${r}"`);
  return {
    up: h.metric(text, 'herald_source_up', labels),
    received: ev('received'),
    published: ev('published'),
    unmapped: ev('unmapped'),
    unavailable: ev('unavailable'),
    dead_lettered: ev('dead_lettered'),
    reconnects: h.metric(text, 'herald_source_reconnects_total', labels),
  };
}

async function allMetrics(cluster) {
  return Promise.all(cluster.nodes.map(sourceMetrics));
}

const total = (ms, key) => ms.reduce((a, m) => a + m[key], 0);

// Polls every node until `pred(metrics of all nodes)` holds; resolves with them.
function waitMetrics(cluster, pred, what, timeout = 15000) {
  return h.waitUntil(
    async () => {
      const ms = await allMetrics(cluster);
      return pred(ms) ? ms : null;
    },
    { timeout, interval: 50, what },
  );
}

const waitUp = (cluster, up = 1, timeout = 15000) =>
  waitMetrics(cluster, (ms) => ms.every((m) => m.up === up), `herald_source_up ${up} on every node`, timeout);

// The producer: a confirm channel, so a publish has reached the broker
// when the promise resolves.
class Producer {
  static async open(rabbit, exchange) {
    const p = new Producer();
    p.conn = await amqp.connect(rabbit.url);
    // A broker restart closes the connection: an 'error' event nobody
    // listens to would end the test process.
    p.conn.on('error', () => {});
    p.ch = await p.conn.createConfirmChannel();
    p.ch.on('error', () => {});
    p.exchange = exchange;
    await p.ch.assertExchange(exchange, 'topic', { durable: true });
    return p;
  }

  async send(content, { routingKey = this.exchange } = {}) {
    const body = Buffer.isBuffer(content) ? content : Buffer.from(typeof content === 'string' ? content : JSON.stringify(content));
    this.ch.publish(this.exchange, routingKey, body, { contentType: 'application/json', persistent: true });
    await this.ch.waitForConfirms();
  }

  event(message, mobile = USER) {
    return this.send({ mobile, message });
  }

  async close() {
    await this.conn.close().catch(() => {});
  }
}

// The subscriptions of the user's four sessions (two on node a, one on each
// of b and c). The fanout tests use the layout of the issue, explicit form
// only: Spring front ends subscribe /user/<id>/userOnlineStatus. The group
// tests map to /queue/userOnlineStatus, which the principal form
// (/user/queue/...) reaches too.
const EXPLICIT = Array(4).fill(`/user/${USER}/userOnlineStatus`);
const BOTH_FORMS = [
  '/user/queue/userOnlineStatus',
  `/user/${USER}/queue/userOnlineStatus`,
  '/user/queue/userOnlineStatus',
  `/user/${USER}/queue/userOnlineStatus`,
];

// The user's sessions, subscribed to `forms`, and a topic subscriber on
// every node.
async function audience(t, cluster, forms) {
  const [A, B, C] = cluster.nodes;
  const connect = async (node, login) => h.track(t, await h.RawStomp.connect(node, { login }));
  const sessions = [
    [await connect(A, USER), forms[0]],
    [await connect(A, USER), forms[1]],
    [await connect(B, USER), forms[2]],
    [await connect(C, USER), forms[3]],
  ];
  const watchers = [await connect(A, 'w1'), await connect(B, 'w2'), await connect(C, 'w3')];
  for (const [c, dest] of sessions) await c.subscribe(dest, 's');
  for (const w of watchers) await w.subscribe('/topic/userOnlineStatus', 't');
  return { sessions: sessions.map(([c]) => c), watchers, dests: sessions.map(([, d]) => d) };
}

// Publishes `message` and checks that every session and watcher gets it,
// as its next frame (so nothing else, no duplicate of an earlier one, came
// in between), on the destination it subscribed.
async function deliverOnce(producer, aud, message) {
  await producer.event(message);
  for (const [i, c] of aud.sessions.entries()) {
    const f = await c.message(10000);
    assert.equal(f.body, message, `session ${i}`);
    assert.equal(f.headers.destination, aud.dests[i]);
  }
  for (const w of aud.watchers) {
    const f = await w.message(10000);
    assert.equal(f.body, message);
    assert.equal(f.headers.destination, '/topic/userOnlineStatus');
  }
}

// A raw Redis SUBSCRIBE connection: `text()` is everything pushed so far.
function redisSubscribe(port, channel) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let buf = '';
    let done = false;
    s.setEncoding('latin1');
    s.on('data', (d) => {
      buf += d;
      // The subscribe confirmation: ["subscribe", channel, 1].
      if (!done && buf.includes(':1\r\n')) {
        done = true;
        resolve({ text: () => buf, close: () => s.destroy() });
      }
    });
    s.once('error', reject);
    s.write(`*2\r\n$9\r\nSUBSCRIBE\r\n$${Buffer.byteLength(channel)}\r\n${channel}\r\n`);
  });
}

const count = (text, needle) => text.split(needle).length - 1;

describe('AMQP source (RabbitMQ, Spring Cloud Stream layout)', () => {
  let rabbit;
  before(async () => {
    rabbit = await startRabbitMQ();
  });
  after(() => rabbit && rabbit.dispose());

  describe('fanout mode', () => {
    const exchange = 'test_rabbit';
    let cluster, producer;
    before(async () => {
      cluster = await startCluster({ nodes: 3, config: sourceConfig(rabbit, { exchange, mode: 'fanout' }, '/userOnlineStatus') });
      producer = await Producer.open(rabbit, exchange);
      await waitUp(cluster);
    });
    after(async () => {
      if (producer) await producer.close();
      if (cluster) await cluster.stop();
    });

    it('every node consumes its own copy and delivers it to its own sessions, exactly once each', async (t) => {
      const aud = await audience(t, cluster, EXPLICIT);
      const before = await allMetrics(cluster);
      await deliverOnce(producer, aud, 'hello');
      await deliverOnce(producer, aud, 'marker');
      // Each node received both messages from its own queue and published them.
      const ms = await waitMetrics(
        cluster,
        (m) => m.every((x, i) => x.published - before[i].published === 2),
        'every node to publish both messages',
      );
      ms.forEach((m, i) => assert.equal(m.received - before[i].received, 2, `node ${cluster.nodes[i].id}`));
      // /readyz shows the source without being gated by it.
      const r = await readyz(cluster.nodes[0]);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.sources, { [SOURCE]: true });
    });

    it('an unmappable message is counted as unmapped on every node, and later messages flow', async (t) => {
      const aud = await audience(t, cluster, EXPLICIT);
      const before = await allMetrics(cluster);
      await producer.send('not json');
      await waitMetrics(
        cluster,
        (m) => m.every((x, i) => x.unmapped - before[i].unmapped === 1),
        'every node to count the message as unmapped',
      );
      await deliverOnce(producer, aud, 'after garbage');
    });

    it('RabbitMQ restart: herald_source_up goes 0, then 1, and consumption resumes', async (t) => {
      const before = await allMetrics(cluster);
      await rabbit.stop();
      await waitUp(cluster, 0);
      const r = await readyz(cluster.nodes[1]);
      assert.equal(r.status, 200, '/readyz is not gated by the source');
      assert.deepEqual(r.json.sources, { [SOURCE]: false });
      await rabbit.start();
      await waitUp(cluster, 1, 30000);
      const ms = await allMetrics(cluster);
      ms.forEach((m, i) => assert.ok(m.reconnects > before[i].reconnects, `node ${cluster.nodes[i].id} reconnected`));
      // The producer's connection died with the broker.
      await producer.close();
      producer = await Producer.open(rabbit, exchange);
      const aud = await audience(t, cluster, EXPLICIT);
      await deliverOnce(producer, aud, 'after restart');
      await deliverOnce(producer, aud, 'marker after restart');
      // One line for the loss and one for the recovery, not one per retry.
      for (const n of cluster.nodes) {
        assert.equal(count(n.log(), `source ${SOURCE}: connection lost`), 1, n.log());
        assert.equal(count(n.log(), `source ${SOURCE}: reconnected`), 1, n.log());
      }
    });
  });

  describe('group mode', () => {
    const exchange = 'test_rabbit_group';
    const queue = `${exchange}.herald`;
    const dlx = `${exchange}.dlx`;
    let cluster, producer, admin;
    before(async () => {
      // What an operator sets up for dead letters: an exchange and a queue.
      const conn = await amqp.connect(rabbit.url);
      conn.on('error', () => {});
      admin = { conn, ch: await conn.createChannel() };
      await admin.ch.assertExchange(dlx, 'fanout', { durable: true });
      await admin.ch.assertQueue(`${dlx}.q`, { durable: true });
      await admin.ch.bindQueue(`${dlx}.q`, dlx, '');
      cluster = await startCluster({
        nodes: 3,
        config: sourceConfig(rabbit, { exchange, mode: 'group', queue, dead_letter_exchange: dlx }, '/queue/userOnlineStatus'),
      });
      producer = await Producer.open(rabbit, exchange);
      await waitUp(cluster);
    });
    after(async () => {
      if (producer) await producer.close();
      if (admin) await admin.conn.close().catch(() => {});
      if (cluster) await cluster.stop();
    });

    it('each message is consumed by one node and reaches every session through the backplane exactly once', async (t) => {
      const aud = await audience(t, cluster, BOTH_FORMS);
      // Delivery crosses Redis: wait until every node subscribes the channels.
      await cluster.waitSubscribers(cluster.userChannel(USER), 3);
      await cluster.waitSubscribers(cluster.topicChannel('/topic/userOnlineStatus'), 3);
      for (const msg of ['one', 'two', 'three']) {
        const before = await allMetrics(cluster);
        await deliverOnce(producer, aud, msg);
        const ms = await waitMetrics(
          cluster,
          (m) => total(m, 'published') - total(before, 'published') === 1,
          `${msg}: published by one node`,
        );
        assert.equal(total(ms, 'received') - total(before, 'received'), 1, `${msg}: received by exactly one node`);
      }
      const q = await admin.ch.checkQueue(queue);
      assert.equal(q.consumerCount, 3);
    });

    it('unmappable messages are counted and rejected to the dead-letter exchange; a huge one too', async (t) => {
      const aud = await audience(t, cluster, BOTH_FORMS);
      await cluster.waitSubscribers(cluster.userChannel(USER), 3);
      await cluster.waitSubscribers(cluster.topicChannel('/topic/userOnlineStatus'), 3);
      const before = await allMetrics(cluster);
      const bad = [
        Buffer.from('not json'),
        Buffer.from(JSON.stringify({ message: 'no user here' })),
        Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0x80, 0x00]), // not UTF-8
        Buffer.from(JSON.stringify({ mobile: USER, message: 'x'.repeat(200 * 1024) })), // > limits.max_frame_bytes
      ];
      for (const b of bad) await producer.send(b);
      const ms = await waitMetrics(
        cluster,
        (m) => total(m, 'unmapped') - total(before, 'unmapped') === bad.length,
        'the bad messages to be counted as unmapped',
      );
      assert.equal(total(ms, 'dead_lettered') - total(before, 'dead_lettered'), bad.length);
      assert.equal(total(ms, 'received') - total(before, 'received'), bad.length);
      assert.equal(total(ms, 'published') - total(before, 'published'), 0);
      // They are in the queue bound to the dead-letter exchange, as sent.
      const dead = [];
      await h.waitUntil(
        async () => {
          const m = await admin.ch.get(`${dlx}.q`, { noAck: true });
          if (m) dead.push(m.content);
          return dead.length === bad.length;
        },
        { timeout: 10000, what: 'the dead-lettered messages' },
      );
      const key = (b) => b.toString('base64');
      assert.deepEqual(dead.map(key).sort(), bad.map(key).sort());
      // Nothing reached the user, and the next message flows.
      await deliverOnce(producer, aud, 'after bad ones');
    });

    it('messages published while every node is stopped are delivered once the nodes start', async () => {
      await Promise.all(cluster.nodes.map((n) => n.stop()));
      cluster.nodes = [];
      const msgs = ['while down 1', 'while down 2', 'while down 3'];
      for (const m of msgs) await producer.event(m);
      assert.equal((await admin.ch.checkQueue(queue)).messageCount, msgs.length, 'the queue holds them');
      // No client can connect while no node runs: watch the user's backplane
      // channel, where the consuming node publishes each message once.
      const sub = await redisSubscribe(cluster.redis.port, cluster.userChannel(USER));
      try {
        for (const id of ['a', 'b', 'c']) await cluster.addNode(id);
        await h.waitUntil(() => msgs.every((m) => sub.text().includes(m)), {
          timeout: 20000,
          what: 'the queued messages on the backplane',
        });
        const ms = await waitMetrics(cluster, (m) => total(m, 'published') === msgs.length, 'three publishes');
        // A node that took a message before its backplane was ready put it
        // back (counted unavailable) for a ready one: no message is lost in
        // an outage buffer. Each counts as received once per take.
        assert.equal(total(ms, 'received') - total(ms, 'unavailable'), msgs.length);
        for (const m of msgs) assert.equal(count(sub.text(), m), 1, `${m} once`);
        assert.equal((await admin.ch.checkQueue(queue)).messageCount, 0);
      } finally {
        sub.close();
      }
    });
  });
});
