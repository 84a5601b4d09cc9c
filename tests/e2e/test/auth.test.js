'use strict';
// JWT authentication (HS256): where the token may come from, what is
// refused, and a session whose token expires while it is open.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

const SECRET = 'e2e-test-secret-with-enough-entropy-0123456789';
const ISSUER = 'https://login.e2e.test';
const AUDIENCE = 'herald-e2e';
const now = () => Math.floor(Date.now() / 1000);

function token(claims = {}, secret = SECRET) {
  return h.makeJwt({ iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 3600, ...claims }, secret);
}

describe('JWT authentication', () => {
  let server;
  before(async () => {
    server = await h.startHerald({
      auth: {
        mode: 'jwt',
        jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE },
        query_param: 'access_token',
        cookie: 'herald_token',
      },
    });
  });
  after(() => server && server.stop());

  // Opens a raw session and sends CONNECT; resolves to the first frame.
  async function attempt(t, headers, openOpts) {
    const c = h.track(t, await h.RawStomp.open(server, openOpts));
    c.send('CONNECT', { 'accept-version': '1.2', host: 'x', ...headers });
    const f = await c.frames.next(5000, 'CONNECTED or ERROR');
    return { c, f };
  }

  async function refused(t, headers, pattern, openOpts) {
    const { c, f } = await attempt(t, headers, openOpts);
    assert.equal(f.command, 'ERROR', `expected ERROR, got ${f.command} ${JSON.stringify(f.headers)}`);
    assert.match(f.headers.message, pattern);
    const closed = await h.within(c.closed, 5000, 'close after auth ERROR');
    assert.equal(closed.code, 1008);
    return f;
  }

  it('accepts a token in the Authorization header (@stomp/stompjs) and names the user from sub', async (t) => {
    const c = h.track(t, await h.stompClient(server, { connectHeaders: { Authorization: `Bearer ${token({ sub: 'alice' })}` } }));
    assert.equal(c.connected.headers['user-name'], 'alice');
    const inbox = await h.stompSubscribe(c.client, '/user/queue/notice');
    await h.mustPublishUser(server, 'alice', '/queue/notice', 'for the token holder');
    assert.equal((await inbox.next()).body, 'for the token holder');
  });

  it('accepts a lower-case authorization header and a bare token without "Bearer"', async (t) => {
    const { f } = await attempt(t, { authorization: token({ sub: 'lower' }) });
    assert.equal(f.command, 'CONNECTED');
    assert.equal(f.headers['user-name'], 'lower');
  });

  it('accepts the token as passcode', async (t) => {
    const { f } = await attempt(t, { login: 'ignored', passcode: token({ sub: 'bob' }) });
    assert.equal(f.command, 'CONNECTED');
    assert.equal(f.headers['user-name'], 'bob', 'the principal comes from the token, never from login');
  });

  it('accepts the token in the access_token query parameter of the WebSocket URL', async (t) => {
    const c = h.track(t, await h.stompClient(server, { query: `?access_token=${encodeURIComponent(token({ sub: 'carol' }))}` }));
    assert.equal(c.connected.headers['user-name'], 'carol');
    const inbox = await h.stompSubscribe(c.client, '/user/carol/queue/x');
    await h.mustPublishUser(server, 'carol', '/queue/x', 'query ok');
    assert.equal((await inbox.next()).body, 'query ok');
  });

  it('accepts the token in the configured cookie', async (t) => {
    const { f } = await attempt(t, {}, { wsOptions: { headers: { cookie: `other=1; herald_token=${token({ sub: 'dan' })}` } } });
    assert.equal(f.command, 'CONNECTED');
    assert.equal(f.headers['user-name'], 'dan');
  });

  it('a numeric sub names the user too', async (t) => {
    const { f } = await attempt(t, { Authorization: `Bearer ${token({ sub: 1234 })}` });
    assert.equal(f.command, 'CONNECTED');
    assert.equal(f.headers['user-name'], '1234');
  });

  it('refuses a CONNECT without any token', async (t) => {
    await refused(t, { login: 'alice' }, /missing token/);
  });

  it('refuses a token signed with another secret', async (t) => {
    await refused(t, { Authorization: `Bearer ${token({ sub: 'eve' }, 'wrong-secret')}` }, /signature/);
  });

  it('refuses a malformed token', async (t) => {
    await refused(t, { Authorization: 'Bearer not.a-jwt' }, /invalid token|malformed/);
    await refused(t, { Authorization: 'Bearer !!!' }, /invalid token|malformed/);
  });

  it('refuses alg none', async (t) => {
    const unsigned = h.makeJwt({ sub: 'eve', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 }, SECRET, { alg: 'none', typ: 'JWT' });
    const [head, payload] = unsigned.split('.');
    await refused(t, { Authorization: `Bearer ${head}.${payload}.` }, /invalid token|not allowed|malformed/);
  });

  it('refuses an expired token', async (t) => {
    await refused(t, { Authorization: `Bearer ${token({ sub: 'late', exp: now() - 10 })}` }, /expired/);
  });

  it('refuses a token that is not yet valid', async (t) => {
    await refused(t, { Authorization: `Bearer ${token({ sub: 'early', nbf: now() + 600 })}` }, /not yet valid/);
  });

  it('refuses a wrong issuer and a wrong audience', async (t) => {
    await refused(t, { Authorization: `Bearer ${token({ sub: 'x', iss: 'https://evil.test' })}` }, /issuer/);
    await refused(t, { Authorization: `Bearer ${token({ sub: 'x', aud: 'someone-else' })}` }, /audience/);
  });

  it('accepts an audience array that contains the configured audience', async (t) => {
    const { f } = await attempt(t, { Authorization: `Bearer ${token({ sub: 'arr', aud: ['other', AUDIENCE] })}` });
    assert.equal(f.command, 'CONNECTED');
  });

  it('refuses a token without the user claim', async (t) => {
    await refused(t, { Authorization: `Bearer ${token({})}` }, /'sub'/);
  });

  it('refuses a bad query-parameter token', async (t) => {
    await refused(t, {}, /signature/, { query: `?access_token=${token({ sub: 'q' }, 'nope')}` });
  });

  it('counts refused CONNECTs in herald_auth_failures_total', async (t) => {
    const before = h.metric(await h.metricsText(server), 'herald_auth_failures_total');
    await refused(t, { Authorization: 'Bearer a.b.c' }, /invalid token/);
    const afterCount = h.metric(await h.metricsText(server), 'herald_auth_failures_total');
    assert.equal(afterCount, before + 1);
  });

  it('closes a session with ERROR "token expired" when the token expires while it is open', async (t) => {
    // exp 2 s ahead (NumericDate may be fractional); the session must work
    // until then and end at exp, not earlier and not much later.
    const exp = Date.now() / 1000 + 2;
    const c = h.track(t, await h.RawStomp.connect(server, { Authorization: `Bearer ${token({ sub: 'shortlived', exp })}` }));
    assert.equal(c.connected.headers['user-name'], 'shortlived');
    await c.subscribe('/user/queue/x', 's');
    await h.mustPublishUser(server, 'shortlived', '/queue/x', 'before expiry');
    assert.equal((await c.message()).body, 'before expiry');
    const err = await c.expect('ERROR', 10000);
    const at = Date.now() / 1000;
    assert.equal(err.headers.message, 'token expired');
    assert.ok(at >= exp - 0.1, `expired ${(exp - at).toFixed(2)} s early`);
    assert.ok(at < exp + 3, `expired ${(at - exp).toFixed(2)} s late`);
    const closed = await h.within(c.closed, 5000, 'close after token expiry');
    assert.equal(closed.code, 1008);
  });

  it('token expiry also ends a @stomp/stompjs session', async (t) => {
    const exp = now() + 2;
    const c = h.track(t, await h.stompClient(server, { connectHeaders: { Authorization: `Bearer ${token({ sub: 'sj', exp })}` } }));
    const err = await c.errors.next(10000, 'ERROR on expiry');
    assert.equal(err.headers.message, 'token expired');
    await h.within(c.closed, 5000, 'socket close');
  });
});

describe('auth.mode none', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ auth: { mode: 'none' } });
  });
  after(() => server && server.stop());

  it('takes the principal from login and ignores passcode', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'plain', passcode: 'whatever' }));
    assert.equal(c.connected.headers['user-name'], 'plain');
  });
});
