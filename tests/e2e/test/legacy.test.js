'use strict';
// The legacy browser client stompjs 2.3.3 (STOMP 1.0/1.1 only), as old
// Spring-era web apps use it: Stomp.over(new WebSocket(url, ['v11.stomp',
// 'v10.stomp'])), user status under /user/{id}/userOnlineStatus.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

describe('legacy stompjs 2.3.3', () => {
  let server;
  before(async () => {
    server = await h.startHerald({});
  });
  after(() => server && server.stop());

  it('connects with STOMP 1.1 and receives user and topic userOnlineStatus publishes', async (t) => {
    const c = h.track(t, await h.legacyStomp(server, { headers: { login: 'u1001' } }));
    assert.equal(c.ws.protocol, 'v11.stomp');
    assert.equal(c.frame.headers.version, '1.1');
    assert.equal(c.frame.headers['user-name'], 'u1001');
    assert.match(c.frame.headers.server, /^herald\//);

    const mine = await h.legacySubscribe(c.client, '/user/u1001/userOnlineStatus');
    const all = await h.legacySubscribe(c.client, '/topic/userOnlineStatus');

    await h.mustPublishUser(server, 'u1001', '/userOnlineStatus', { user: 'u1001', online: true });
    await h.mustPublish(server, '/topic/userOnlineStatus', { user: 'u2002', online: false });

    const m1 = await mine.next();
    assert.deepEqual(JSON.parse(m1.body), { user: 'u1001', online: true });
    assert.equal(m1.headers.destination, '/user/u1001/userOnlineStatus');
    assert.equal(m1.headers['content-type'], 'application/json');
    const m2 = await all.next();
    assert.deepEqual(JSON.parse(m2.body), { user: 'u2002', online: false });
    assert.equal(m2.headers.destination, '/topic/userOnlineStatus');
  });

  it('two legacy sessions of one user both get the user publish, another user gets none', async (t) => {
    const a1 = h.track(t, await h.legacyStomp(server, { headers: { login: 'u1' } }));
    const a2 = h.track(t, await h.legacyStomp(server, { headers: { login: 'u1' } }));
    const b = h.track(t, await h.legacyStomp(server, { headers: { login: 'u2' } }));
    const i1 = await h.legacySubscribe(a1.client, '/user/u1/userOnlineStatus');
    const i2 = await h.legacySubscribe(a2.client, '/user/u1/userOnlineStatus');
    const ib = await h.legacySubscribe(b.client, '/user/u2/userOnlineStatus');
    await h.mustPublishUser(server, 'u1', '/userOnlineStatus', 'u1 online');
    await h.mustPublishUser(server, 'u2', '/userOnlineStatus', 'u2 online');
    assert.equal((await i1.next()).body, 'u1 online');
    assert.equal((await i2.next()).body, 'u1 online');
    assert.equal((await ib.next()).body, 'u2 online');
    assert.equal(ib.all.length, 1);
  });

  it('acks by message-id in STOMP 1.1 (client-individual)', async (t) => {
    const c = h.track(t, await h.legacyStomp(server, { headers: { login: 'acker' } }));
    const inbox = new h.Inbox('legacy ack message');
    const receipt = 'legacy-ack-sub';
    const subscribed = new Promise((resolve) => (c.client.onreceipt = (f) => f.headers['receipt-id'] === receipt && resolve()));
    c.client.subscribe('/user/acker/jobs', (m) => inbox.push(m), { ack: 'client-individual', receipt });
    await h.within(subscribed, 5000, 'legacy SUBSCRIBE receipt');
    await h.mustPublishUser(server, 'acker', '/jobs', 'job-1');
    const m = await inbox.next();
    assert.equal(m.body, 'job-1');
    assert.ok(m.headers['message-id']);
    const ackReceipt = new Promise((resolve) => (c.client.onreceipt = (f) => f.headers['receipt-id'] === 'acked' && resolve()));
    m.ack({ receipt: 'acked' });
    await h.within(ackReceipt, 5000, 'ACK receipt');
    assert.equal(c.ws.readyState, h.WebSocket.OPEN);
  });

  it('negotiates STOMP 1.0 over v10.stomp and still delivers', async (t) => {
    const c = h.track(t, await h.legacyStomp(server, { protocols: ['v10.stomp'], headers: { login: 'old' } }));
    assert.equal(c.ws.protocol, 'v10.stomp');
    assert.equal(c.frame.headers.version, '1.0');
    const inbox = await h.legacySubscribe(c.client, '/topic/v10');
    await h.mustPublish(server, '/topic/v10', 'from 1.0');
    assert.equal((await inbox.next()).body, 'from 1.0');
  });

  it('client-side heart-beats from stompjs 2.3.3 keep working with the server\'s', async (t) => {
    // Default 10 s heart-beats on both sides; only the CONNECT negotiation
    // is exercised here (the heartbeat suite covers timing).
    const Stomp = require('stompjs');
    const ws = new h.WebSocket(server.ws, ['v11.stomp', 'v10.stomp']);
    const client = Stomp.over(ws);
    client.debug = null;
    h.track(t, { ws });
    const frame = await h.within(
      new Promise((resolve, reject) => client.connect({ login: 'hb' }, resolve, reject)),
      5000,
      'legacy CONNECTED',
    );
    assert.equal(frame.headers.version, '1.1');
    assert.match(frame.headers['heart-beat'], /^\d+,\d+$/);
  });
});
