'use strict';
// auth.mode redis: a STOMP CONNECT's token (CONNECT passcode, Authorization
// header, or the access_token query parameter of the WebSocket URL) is
// looked up in the cluster's Redis (broker.redis.url) under
// login:token:{token}; the value is the user (or, with auth.redis.user_field,
// a JSON object whose field is). Frames pipelined behind CONNECT wait for the
// lookup and then run in order. Every auth.redis.recheck_ms a session's key
// is checked again: when it is gone the session gets an ERROR and is closed.
// An unreachable Redis refuses new CONNECTs at once and closes nobody.
//
// Nodes a and b take the key's value as the user; node c reads the `uid`
// field of a JSON value.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const h = require('../lib/harness');
const { startCluster, waitReady } = require('../lib/cluster');

const RECHECK_MS = 1000;

describe('auth.mode redis', () => {
  let cluster, A, B, C;
  before(async () => {
    cluster = await startCluster({
      nodes: 3,
      config: { auth: { mode: 'redis', redis: { key: 'login:token:{token}', user_field: '', recheck_ms: RECHECK_MS } } },
      nodeConfig: (id) => (id === 'c' ? { auth: { redis: { user_field: 'uid' } } } : {}),
    });
    [A, B, C] = cluster.nodes;
  });
  after(() => cluster && cluster.stop());

  // A fresh token whose key holds `value`.
  const issue = async (value, extra = []) => {
    const token = `tok-${crypto.randomUUID()}`;
    assert.equal(await cluster.redis.command(['SET', `login:token:${token}`, value, ...extra]), 'OK');
    return token;
  };
  const revoke = (token) => cluster.redis.command(['DEL', `login:token:${token}`]);

  // Opens a WebSocket, sends CONNECT with `headers`; resolves to the client
  // and its first frame.
  const attempt = async (t, node, headers, openOpts) => {
    const c = h.track(t, await h.RawStomp.open(node, openOpts));
    c.send('CONNECT', { 'accept-version': '1.2', host: 'x', ...headers });
    return { c, f: await c.frames.next(5000, 'CONNECTED or ERROR') };
  };
  const accepted = async (t, node, headers, openOpts) => {
    const { c, f } = await attempt(t, node, headers, openOpts);
    assert.equal(f.command, 'CONNECTED', `expected CONNECTED, got ${f.command} ${f.headers.message || ''}`);
    c.connected = f;
    return c;
  };
  const refused = async (t, node, headers, message, openOpts) => {
    const { c, f } = await attempt(t, node, headers, openOpts);
    assert.equal(f.command, 'ERROR', `expected ERROR, got ${f.command} ${JSON.stringify(f.headers)}`);
    assert.equal(f.headers.message, message);
    assert.equal((await h.within(c.closed, 5000, 'close after the auth ERROR')).code, 1008);
    return f;
  };

  it('takes the token from passcode, an Authorization header or the access_token query parameter, and the user from its key', async (t) => {
    const alice = await issue('alice');
    const bob = await issue('bob-1234');
    const carol = await issue('carol');
    // The login header names nobody: the principal comes from the key.
    const viaPasscode = await accepted(t, A, { login: 'mallory', passcode: alice });
    assert.equal(viaPasscode.connected.headers['user-name'], 'alice');
    const viaHeader = await accepted(t, B, { Authorization: `Bearer ${bob}` });
    assert.equal(viaHeader.connected.headers['user-name'], 'bob-1234');
    const viaQuery = await accepted(t, A, {}, { query: `?access_token=${encodeURIComponent(carol)}` });
    assert.equal(viaQuery.connected.headers['user-name'], 'carol');
    // The same token works on any node, for as many sessions as asked.
    const again = await accepted(t, B, { passcode: alice });
    assert.equal(again.connected.headers['user-name'], 'alice');

    // They are those users: user destinations reach them across nodes.
    await viaPasscode.subscribe('/user/queue/notice', 'n');
    await viaHeader.subscribe('/user/queue/notice', 'n');
    // A node subscribes a user's channel while it holds a session of theirs.
    await cluster.waitSubscribers(cluster.userChannel('alice'), 2);
    await cluster.waitSubscribers(cluster.userChannel('bob-1234'), 1);
    await h.mustPublishUser(B, 'alice', '/queue/notice', 'for alice');
    await h.mustPublishUser(A, 'bob-1234', '/queue/notice', 'for bob');
    assert.equal((await viaPasscode.message()).body, 'for alice');
    assert.equal((await viaHeader.message()).body, 'for bob');
  });

  it('refuses a CONNECT without a token, and one with an unknown token', async (t) => {
    const before = h.metric(await h.metricsText(A), 'herald_auth_failures_total');
    await refused(t, A, { login: 'alice' }, 'missing token');
    await refused(t, A, { passcode: 'no-such-token' }, 'invalid or expired token');
    await refused(t, B, { Authorization: 'Bearer no-such-token' }, 'invalid or expired token');
    await refused(t, A, {}, 'invalid or expired token', { query: '?access_token=no-such-token' });
    // A revoked token is unknown too.
    const gone = await issue('gone');
    await revoke(gone);
    await refused(t, B, { passcode: gone }, 'invalid or expired token');
    assert.equal(h.metric(await h.metricsText(A), 'herald_auth_failures_total') - before, 3);
  });

  it('with user_field, the user is that field of a JSON value; a value without it is refused', async (t) => {
    const bob = await issue(JSON.stringify({ uid: 'bob', name: 'Bob', roles: ['x'] }));
    const c = await accepted(t, C, { passcode: bob });
    assert.equal(c.connected.headers['user-name'], 'bob');
    const numeric = await issue(JSON.stringify({ uid: 42 }));
    assert.equal((await accepted(t, C, { passcode: numeric })).connected.headers['user-name'], '42');

    for (const value of [JSON.stringify({ name: 'no uid' }), JSON.stringify({ uid: '' }), 'plain-string', '["uid"]']) {
      const token = await issue(value);
      const { c: x, f } = await attempt(t, C, { passcode: token });
      assert.equal(f.command, 'ERROR', `value ${value}: ${f.command} ${JSON.stringify(f.headers)}`);
      assert.match(f.headers.message, /no user/, `value ${value}`);
      assert.equal((await h.within(x.closed, 5000, 'close')).code, 1008);
    }
  });

  it('frames pipelined behind CONNECT wait for the lookup and run in order', async (t) => {
    const token = await issue('piper');
    const c = h.track(t, await h.RawStomp.open(A));
    // One WebSocket message: CONNECT and two receipted SUBSCRIBEs.
    c.sendRaw(
      Buffer.concat([
        h.encodeFrame('CONNECT', { 'accept-version': '1.2', host: 'x', passcode: token }),
        h.encodeFrame('SUBSCRIBE', { destination: '/user/queue/pipe', id: 'u', receipt: 'r-user' }),
        h.encodeFrame('SUBSCRIBE', { destination: '/topic/pipe', id: 't', receipt: 'r-topic' }),
      ]),
    );
    // Then one more in a message of its own, before any answer came.
    c.send('SUBSCRIBE', { destination: '/topic/pipe-2', id: 't2', receipt: 'r-topic-2' });
    const first = await c.frames.takeN(4, 5000, 'answers to the pipelined frames');
    assert.deepEqual(
      first.map((f) => [f.command, f.headers['receipt-id'] || f.headers['user-name']]),
      [
        ['CONNECTED', 'piper'],
        ['RECEIPT', 'r-user'],
        ['RECEIPT', 'r-topic'],
        ['RECEIPT', 'r-topic-2'],
      ],
    );
    await cluster.waitSubscribers(cluster.userChannel('piper'), 1);
    await cluster.waitSubscribers(cluster.topicChannel('/topic/pipe'), 1);
    await h.mustPublishUser(B, 'piper', '/queue/pipe', 'to piper');
    await h.mustPublish(C, '/topic/pipe', 'to the topic');
    const got = [await c.message(), await c.message()];
    assert.deepEqual(
      got.map((f) => [f.headers.subscription, f.body]).sort(),
      [
        ['t', 'to the topic'],
        ['u', 'to piper'],
      ],
    );

    // Behind a refused CONNECT nothing runs: ERROR, close, no RECEIPT.
    const bad = h.track(t, await h.RawStomp.open(A));
    bad.sendRaw(
      Buffer.concat([
        h.encodeFrame('CONNECT', { 'accept-version': '1.2', host: 'x', passcode: 'no-such-token' }),
        h.encodeFrame('SUBSCRIBE', { destination: '/topic/pipe', id: 'x', receipt: 'r-bad' }),
      ]),
    );
    assert.equal((await bad.frames.next()).headers.message, 'invalid or expired token');
    await h.within(bad.closed, 5000, 'close after the refusal');
    assert.deepEqual(
      bad.frames.all.map((f) => f.command),
      ['ERROR'],
    );
  });

  it('closes a session whose token key is deleted or expires, within about recheck_ms; the others stay', async (t) => {
    const keptToken = await issue('keeper');
    const kept = await accepted(t, A, { passcode: keptToken });
    const doomedToken = await issue('doomed');
    const doomed = await accepted(t, A, { passcode: doomedToken });
    const doomedOnB = await accepted(t, B, { passcode: doomedToken });
    const expiring = await accepted(t, B, { passcode: await issue('expiring', ['PX', '500']) });

    assert.equal(await revoke(doomedToken), 1);
    // Generous timeouts: when the recheck comes is not asserted.
    for (const c of [doomed, doomedOnB, expiring]) {
      const err = await c.expect('ERROR', RECHECK_MS + 9000);
      assert.equal(err.headers.message, 'session token is no longer valid');
      assert.equal((await h.within(c.closed, 5000, 'close after the ERROR')).code, 1008);
    }
    // The session whose key remains was checked too (it connected first)
    // and is still served.
    assert.equal(await cluster.redis.command(['EXISTS', `login:token:${keptToken}`]), 1);
    await kept.subscribe('/topic/kept', 'k');
    assert.equal(kept.ws.readyState, h.WebSocket.OPEN);
    assert.ok(!kept.frames.all.some((f) => f.command === 'ERROR'));
  });

  it('@stomp/stompjs connects with connectHeaders {passcode: token}', async (t) => {
    const token = await issue('stomper');
    const c = h.track(t, await h.stompClient(B, { connectHeaders: { passcode: token } }));
    assert.equal(c.connected.headers['user-name'], 'stomper');
    const inbox = await h.stompSubscribe(c.client, '/user/queue/hello');
    await cluster.waitSubscribers(cluster.userChannel('stomper'), 1);
    await h.mustPublishUser(A, 'stomper', '/queue/hello', 'hi stomper');
    assert.equal((await inbox.next()).body, 'hi stomper');
    // A wrong token reaches stompjs as an ERROR frame.
    await assert.rejects(h.stompClient(B, { connectHeaders: { passcode: 'no-such-token' } }), /invalid or expired token/);
  });

  // Last: restarts Redis, which comes back empty (no persistence).
  it('while Redis is down, a CONNECT is refused at once and open sessions stay; after recovery rechecks resume', async (t) => {
    const tokens = { a: await issue('steady-a'), b: await issue('steady-b') };
    const steadyA = await accepted(t, A, { passcode: tokens.a });
    const steadyB = await accepted(t, B, { passcode: tokens.b });

    await cluster.redis.stop();
    const down = Date.now();
    await waitReady(A, false);
    await waitReady(B, false);
    // Refused, not left hanging (attempt() waits 5 s for an answer), for
    // at least two recheck periods, during which the open sessions'
    // rechecks cannot reach Redis and must leave them be.
    let attempts = 0;
    await h.waitUntil(
      async () => {
        attempts++;
        await refused(t, attempts % 2 ? A : B, { passcode: tokens.a }, 'authentication service unavailable');
        return Date.now() - down > 2.5 * RECHECK_MS;
      },
      { timeout: 20000, interval: 100, what: 'two and a half recheck periods of refused CONNECTs' },
    );
    for (const c of [steadyA, steadyB]) {
      assert.equal(c.ws.readyState, h.WebSocket.OPEN);
      // Still served, not merely open.
      await c.sendWithReceipt('SUBSCRIBE', { destination: '/topic/outage', id: 'o' });
      assert.ok(!c.frames.all.some((f) => f.command === 'ERROR'), JSON.stringify(c.frames.all.map((f) => f.headers)));
    }

    await cluster.redis.start(); // same port, empty: the tokens are gone
    await waitReady(A);
    await waitReady(B);
    // The rechecks reach Redis again and find the keys gone.
    for (const c of [steadyA, steadyB]) {
      const err = await c.expect('ERROR', RECHECK_MS + 9000);
      assert.equal(err.headers.message, 'session token is no longer valid');
    }
    // New tokens work once the lookup link is back.
    const fresh = await issue('fresh');
    const c = await h.waitUntil(
      async () => {
        const { f, c } = await attempt(t, A, { passcode: fresh });
        if (f.command === 'CONNECTED') return c;
        assert.equal(f.headers.message, 'authentication service unavailable');
        return null;
      },
      { timeout: 5000, interval: 50, what: 'a CONNECT to be accepted after the recovery' },
    );
    assert.equal(c.ws.readyState, h.WebSocket.OPEN);
  });
});
