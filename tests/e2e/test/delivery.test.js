'use strict';
// Topic and user delivery through @stomp/stompjs (STOMP 1.2) and raw frames:
// HTTP publishes reach the right subscribers, user destinations in principal
// and explicit form, several sessions per user, isolation between users.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

describe('delivery', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ auth: { mode: 'none' } });
  });
  after(() => server && server.stop());

  const connect = (t, login) => h.stompClient(server, { connectHeaders: { login } }).then((c) => h.track(t, c));

  it('delivers an HTTP topic publish to a @stomp/stompjs subscriber with its headers', async (t) => {
    const c = await connect(t, 'reader');
    assert.equal(c.connected.headers.version, '1.2');
    assert.equal(c.connected.headers['user-name'], 'reader');
    const inbox = await h.stompSubscribe(c.client, '/topic/news');
    const res = await h.mustPublish(server, '/topic/news', 'hello world', { headers: { 'x-custom': 'one two' } });
    assert.equal(typeof res.message_id, 'string');
    assert.ok(res.message_id.length > 0);
    const m = await inbox.next();
    assert.equal(m.body, 'hello world');
    assert.equal(m.headers.destination, '/topic/news');
    assert.equal(m.headers['message-id'], res.message_id);
    assert.equal(m.headers.subscription, inbox.subscription.id);
    assert.equal(m.headers['x-custom'], 'one two');
  });

  it('serialises a JSON body and marks it application/json', async (t) => {
    const c = await connect(t, 'json-reader');
    const inbox = await h.stompSubscribe(c.client, '/topic/json');
    const body = { n: 42, list: [1, 'two', null], nested: { ok: true }, text: 'é ü 漢字' };
    await h.mustPublish(server, '/topic/json', body);
    const m = await inbox.next();
    assert.equal(m.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(m.body), body);
    // content-length counts bytes, not characters
    assert.equal(Number(m.headers['content-length']), Buffer.byteLength(m.body));
  });

  it('an explicit content-type header wins over the JSON default', async (t) => {
    const c = await connect(t, 'ct-reader');
    const inbox = await h.stompSubscribe(c.client, '/topic/ct');
    await h.mustPublish(server, '/topic/ct', { a: 1 }, { headers: { 'content-type': 'application/vnd.test+json' } });
    const m = await inbox.next();
    assert.equal(m.headers['content-type'], 'application/vnd.test+json');
    assert.deepEqual(JSON.parse(m.body), { a: 1 });
  });

  it('fans a topic message out to every subscriber and to no other topic', async (t) => {
    const a = await connect(t, 'fan-a');
    const b = await connect(t, 'fan-b');
    const other = await connect(t, 'fan-other');
    const ia = await h.stompSubscribe(a.client, '/topic/fan');
    const ib = await h.stompSubscribe(b.client, '/topic/fan');
    const iq = await h.stompSubscribe(b.client, '/queue/fan'); // /queue is a broker prefix too
    const io = await h.stompSubscribe(other.client, '/topic/fan.other');
    for (let i = 0; i < 5; i++) await h.mustPublish(server, '/topic/fan', `m${i}`);
    await h.mustPublish(server, '/queue/fan', 'queued');
    await h.mustPublish(server, '/topic/fan.other', 'marker');
    assert.deepEqual((await ia.takeN(5)).map((m) => m.body), ['m0', 'm1', 'm2', 'm3', 'm4']);
    assert.deepEqual((await ib.takeN(5)).map((m) => m.body), ['m0', 'm1', 'm2', 'm3', 'm4']);
    assert.equal((await iq.next()).body, 'queued');
    // Published last: had /topic/fan leaked here it would have come first.
    assert.equal((await io.next()).body, 'marker');
    assert.equal(io.all.length, 1);
  });

  it('stops delivering after UNSUBSCRIBE', async (t) => {
    const c = await connect(t, 'unsub');
    const gone = await h.stompSubscribe(c.client, '/topic/unsub');
    const stays = await h.stompSubscribe(c.client, '/topic/unsub.marker');
    await h.mustPublish(server, '/topic/unsub', 'before');
    assert.equal((await gone.next()).body, 'before');
    const receipt = 'unsub-receipt';
    const got = new Promise((r) => c.client.watchForReceipt(receipt, r));
    gone.subscription.unsubscribe({ receipt });
    await h.within(got, 5000, 'UNSUBSCRIBE receipt');
    await h.mustPublish(server, '/topic/unsub', 'after');
    await h.mustPublish(server, '/topic/unsub.marker', 'marker');
    assert.equal((await stays.next()).body, 'marker');
    assert.equal(gone.all.length, 1);
  });

  it('delivers a user publish to the principal form /user/queue/...', async (t) => {
    const c = await connect(t, 'alice');
    const inbox = await h.stompSubscribe(c.client, '/user/queue/notice');
    const res = await h.mustPublishUser(server, 'alice', '/queue/notice', { hello: 'alice' });
    const m = await inbox.next();
    assert.deepEqual(JSON.parse(m.body), { hello: 'alice' });
    assert.equal(m.headers.destination, '/user/queue/notice', 'MESSAGE destination is the one subscribed to');
    assert.equal(m.headers['message-id'], res.message_id);
  });

  it('delivers a user publish to the explicit form /user/{user}/..., any relative path', async (t) => {
    const c = await connect(t, 'dave');
    const queue = await h.stompSubscribe(c.client, '/user/dave/queue/notice');
    const status = await h.stompSubscribe(c.client, '/user/dave/userOnlineStatus');
    await h.mustPublishUser(server, 'dave', '/queue/notice', 'explicit');
    await h.mustPublishUser(server, 'dave', '/userOnlineStatus', 'online');
    const m1 = await queue.next();
    assert.equal(m1.body, 'explicit');
    assert.equal(m1.headers.destination, '/user/dave/queue/notice');
    const m2 = await status.next();
    assert.equal(m2.body, 'online');
    assert.equal(m2.headers.destination, '/user/dave/userOnlineStatus');
    assert.equal(queue.all.length, 1);
  });

  it('delivers a user publish to the principal form /user/{D} of a single-segment D', async (t) => {
    // "/user/userOnlineStatus" cannot be "/user/<U>/<D>": it is the
    // principal form of "/userOnlineStatus", though no broker prefix covers it.
    const c = await connect(t, '13800000000');
    const other = await connect(t, '13900000000');
    const status = await h.stompSubscribe(c.client, '/user/userOnlineStatus');
    const explicit = await h.stompSubscribe(c.client, '/user/13800000000/userOnlineStatus');
    const otherStatus = await h.stompSubscribe(other.client, '/user/userOnlineStatus');
    const res = await h.mustPublishUser(server, '13800000000', '/userOnlineStatus', 'online');
    const m = await status.next();
    assert.equal(m.body, 'online');
    assert.equal(m.headers.destination, '/user/userOnlineStatus');
    assert.equal(m.headers['message-id'], res.message_id);
    assert.equal((await explicit.next()).body, 'online');
    await h.mustPublishUser(server, '13900000000', '/userOnlineStatus', 'other online');
    assert.equal((await otherStatus.next()).body, 'other online');
    assert.equal(status.all.length, 1);
    assert.equal(otherStatus.all.length, 1);
  });

  it('delivers one user publish to both the principal and the explicit subscription', async (t) => {
    const c = await connect(t, 'erin');
    const principal = await h.stompSubscribe(c.client, '/user/queue/both');
    const explicit = await h.stompSubscribe(c.client, '/user/erin/queue/both');
    await h.mustPublishUser(server, 'erin', '/queue/both', 'twice');
    assert.equal((await principal.next()).body, 'twice');
    assert.equal((await explicit.next()).body, 'twice');
  });

  it('delivers a user publish to every session of that user', async (t) => {
    const s1 = await connect(t, 'frank');
    const s2 = await connect(t, 'frank');
    assert.notEqual(s1.connected.headers.session, s2.connected.headers.session);
    const i1 = await h.stompSubscribe(s1.client, '/user/queue/notice');
    const i2 = await h.stompSubscribe(s2.client, '/user/frank/queue/notice');
    await h.mustPublishUser(server, 'frank', '/queue/notice', 'to all of frank');
    assert.equal((await i1.next()).body, 'to all of frank');
    assert.equal((await i2.next()).body, 'to all of frank');
  });

  it('keeps one user\'s messages away from another user', async (t) => {
    const grace = await connect(t, 'grace');
    const heidi = await connect(t, 'heidi');
    const ig = await h.stompSubscribe(grace.client, '/user/queue/private');
    const ih = await h.stompSubscribe(heidi.client, '/user/queue/private');
    await h.mustPublishUser(server, 'grace', '/queue/private', 'for grace');
    await h.mustPublishUser(server, 'heidi', '/queue/private', 'for heidi');
    assert.equal((await ig.next()).body, 'for grace');
    // heidi's first message must be her own: grace's was published first.
    assert.equal((await ih.next()).body, 'for heidi');
    assert.equal(ih.all.length, 1);
    assert.equal(ig.all.length, 1);
  });

  it('a user publish does not reach topic subscribers of the same path', async (t) => {
    const c = await connect(t, 'ivan');
    const topic = await h.stompSubscribe(c.client, '/queue/shared-path');
    const mine = await h.stompSubscribe(c.client, '/user/queue/shared-path');
    await h.mustPublishUser(server, 'ivan', '/queue/shared-path', 'user-only');
    await h.mustPublish(server, '/queue/shared-path', 'broadcast');
    assert.equal((await mine.next()).body, 'user-only');
    assert.equal((await topic.next()).body, 'broadcast');
    assert.equal(topic.all.length, 1);
    assert.equal(mine.all.length, 1);
  });

  it('refuses a subscription to another user\'s destination with ERROR and close; nothing leaks', async (t) => {
    const victim = await connect(t, 'judy');
    const victimInbox = await h.stompSubscribe(victim.client, '/user/queue/secret');
    const mallory = h.track(t, await h.RawStomp.connect(server, { login: 'mallory' }));
    const ownSession = await connect(t, 'mallory');
    const own = await h.stompSubscribe(ownSession.client, '/user/queue/secret');

    mallory.send('SUBSCRIBE', { destination: '/user/judy/queue/secret', id: 'steal', receipt: 'steal-r' });
    const err = await mallory.expect('ERROR');
    assert.match(err.headers.message, /another user|not allowed|own/i);
    assert.equal(err.headers['receipt-id'], 'steal-r');
    const closed = await h.within(mallory.closed, 5000, 'close after ERROR');
    assert.equal(closed.code, 1002);
    assert.equal(mallory.frames.all.filter((f) => f.command === 'MESSAGE').length, 0);

    // The victim still gets her message; mallory's other session gets only his own.
    await h.mustPublishUser(server, 'judy', '/queue/secret', 'judy only');
    await h.mustPublishUser(server, 'mallory', '/queue/secret', 'mallory only');
    assert.equal((await victimInbox.next()).body, 'judy only');
    assert.equal((await own.next()).body, 'mallory only');
    assert.equal(own.all.length, 1);
  });

  it('refuses the same cross-user subscription from @stomp/stompjs', async (t) => {
    const c = await connect(t, 'oscar');
    c.client.subscribe('/user/peggy/userOnlineStatus', () => assert.fail('must not receive'));
    const err = await c.errors.next(5000, 'ERROR frame');
    assert.match(err.headers.message, /another user|not allowed|own/i);
    const closed = await h.within(c.closed, 5000, 'stompjs socket close');
    assert.equal(closed.code, 1002);
  });

  it('an unknown destination prefix cannot be subscribed to', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'x' }));
    c.send('SUBSCRIBE', { destination: '/nowhere/x', id: 's' });
    const err = await c.expect('ERROR');
    assert.match(err.headers.message, /cannot subscribe|not a broker/i);
    await h.within(c.closed, 5000, 'close');
  });

  it('delivers a 600 KB body intact', async (t) => {
    const c = await connect(t, 'big');
    const inbox = await h.stompSubscribe(c.client, '/topic/big');
    let body = '';
    for (let i = 0; body.length < 600 * 1024; i++) body += `${i},`;
    await h.mustPublish(server, '/topic/big', body);
    const m = await inbox.next(10000);
    assert.equal(m.body.length, body.length);
    assert.equal(m.body, body);
  });

  it('routes user names with non-ASCII and reserved URL characters', async (t) => {
    const name = 'zoë+ünï@example.com';
    const c = await connect(t, name);
    assert.equal(c.connected.headers['user-name'], name);
    const inbox = await h.stompSubscribe(c.client, '/user/queue/intl');
    await h.mustPublishUser(server, name, '/queue/intl', 'hallo');
    assert.equal((await inbox.next()).body, 'hallo');
  });

  it('a user publish to a user without sessions succeeds and reaches nobody', async (t) => {
    const r = await h.publishUser(server, 'offline-user', '/queue/notice', 'nobody home');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ok, true);
  });

  it('fans out to many connections across worker threads in publish order', async (t) => {
    const N = 24;
    const M = 100;
    const clients = [];
    for (let i = 0; i < N; i++) {
      const c = h.track(t, await h.RawStomp.connect(server, { login: `fan${i}` }));
      await c.subscribe('/topic/many', 'm');
      clients.push(c);
    }
    const info = await h.http(server, 'GET', '/api/info');
    const busy = info.json.threads.filter((th) => th.subscriptions > 0).length;
    assert.equal(busy, 2, 'the subscribers are spread over both worker threads');
    // One producer (one HTTP connection), many consumers on both workers:
    // each consumer sees exactly the publish order.
    const ids = [];
    for (let i = 0; i < M; i++) ids.push((await h.mustPublish(server, '/topic/many', `${i}`)).message_id);
    for (const c of clients) {
      const got = await c.frames.takeN(M, 10000, 'fan-out message');
      assert.ok(got.every((f) => f.command === 'MESSAGE'));
      assert.deepEqual(got.map((f) => f.headers['message-id']), ids);
    }
  });

  it('raw STOMP 1.2 MESSAGE frames carry destination, subscription, message-id and exact bytes', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'raw' }));
    await c.subscribe('/topic/raw', 'sub-raw');
    const clean = 'line1\nline2\r\n' + 'x'.repeat(1000) + ' ünïcødé 漢字';
    const res = await h.mustPublish(server, '/topic/raw', clean, { headers: { 'x-colon': 'a:b', 'x-backslash': 'c\\d' } });
    const m = await c.message();
    assert.equal(m.headers.destination, '/topic/raw');
    assert.equal(m.headers.subscription, 'sub-raw');
    assert.equal(m.headers['message-id'], res.message_id);
    assert.equal(m.headers['x-colon'], 'a:b', 'header value escaping round-trips');
    assert.equal(m.headers['x-backslash'], 'c\\d');
    assert.equal(m.body, clean);
    assert.equal(Number(m.headers['content-length']), Buffer.byteLength(clean));
  });
});
