'use strict';
// The HTTP side: /api/publish and user publish errors (400/401/405/413),
// /api/info, /healthz, /readyz, /metrics and the demo page.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

const KEY = 'e2e-api-key';
const auth = { authorization: `Bearer ${KEY}` };

describe('HTTP API', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ threads: 2, node: { id: 'e2e-node' }, api: { key: KEY, max_body_bytes: 1024 } });
  });
  after(() => server && server.stop());

  const post = (path, body, headers = auth) => h.http(server, 'POST', path, { body, headers });

  function assertError(res, status, pattern) {
    assert.equal(res.status, status, `HTTP ${res.status}: ${res.text}`);
    assert.equal(res.json && res.json.ok, false, res.text);
    assert.equal(typeof res.json.error, 'string');
    if (pattern) assert.match(res.json.error, pattern);
  }

  describe('authorisation', () => {
    it('401 without the API key, with WWW-Authenticate', async () => {
      const r = await post('/api/publish', { destination: '/topic/x', body: 'x' }, {});
      assertError(r, 401, /API key/);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    });

    it('401 with a wrong key, a key of the right length, or the wrong scheme', async () => {
      for (const value of ['Bearer nope', `Bearer ${'x'.repeat(KEY.length)}`, `Basic ${KEY}`, KEY]) {
        const r = await post('/api/publish', { destination: '/topic/x', body: 'x' }, { authorization: value });
        assertError(r, 401);
      }
    });

    it('401 on /api/info and user endpoints too', async () => {
      assertError(await h.http(server, 'GET', '/api/info'), 401);
      assertError(await post('/api/users/u/publish', { destination: '/queue/x', body: 'x' }, {}), 401);
      assertError(await h.http(server, 'DELETE', '/api/users/u/sessions'), 401);
    });

    it('200 with the right key', async () => {
      const r = await post('/api/publish', { destination: '/topic/x', body: 'x' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.ok, true);
      assert.equal(typeof r.json.message_id, 'string');
    });

    it('health, readiness, metrics and the demo page need no key', async () => {
      for (const p of ['/healthz', '/readyz', '/metrics', '/']) {
        assert.equal((await h.http(server, 'GET', p, { json: false })).status, 200, p);
      }
    });
  });

  describe('publish validation', () => {
    const cases = [
      ['invalid JSON', '{"destination": "/topic/x", "body": ', /invalid JSON/],
      ['a JSON array', [1, 2], /JSON object/],
      ['missing destination', { body: 'x' }, /destination/],
      ['missing body', { destination: '/topic/x' }, /body/],
      ['a non-string destination', { destination: 5, body: 'x' }, /destination/],
      ['a destination outside the broker prefixes', { destination: '/elsewhere/x', body: 'x' }, /broker prefix/],
      ['a destination under the app prefix', { destination: '/app/x', body: 'x' }, /broker prefix/],
      ['a malformed destination', { destination: '/topic/../x', body: 'x' }, /not a valid path/],
      ['a destination with a trailing slash', { destination: '/topic/x/', body: 'x' }, /not a valid path/],
      ['an unknown field', { destination: '/topic/x', body: 'x', extra: 1 }, /unknown field/],
      ['headers that are not an object', { destination: '/topic/x', body: 'x', headers: ['a'] }, /headers/],
      ['a non-string header value', { destination: '/topic/x', body: 'x', headers: { a: 1 } }, /header 'a'/],
      ['a reserved header', { destination: '/topic/x', body: 'x', headers: { 'message-id': 'forged' } }, /set by the server/],
      ['a header value with a newline', { destination: '/topic/x', body: 'x', headers: { a: 'b\nc' } }, /invalid/],
    ];
    for (const [what, body, pattern] of cases) {
      it(`400 for ${what}`, async () => {
        assertError(await post('/api/publish', body), 400, pattern);
      });
    }

    it('400 for invalid user publishes', async () => {
      assertError(await post('/api/users/bob/publish', { body: 'x' }), 400, /destination/);
      assertError(await post('/api/users/bob/publish', 'nope'), 400, /invalid JSON/);
    });

    it('413 for a body over api.max_body_bytes', async () => {
      const r = await post('/api/publish', { destination: '/topic/x', body: 'b'.repeat(2000) });
      assertError(r, 413, /max_body_bytes/);
    });

    it('a body just under api.max_body_bytes is accepted', async () => {
      const body = { destination: '/topic/x', body: '' };
      body.body = 'b'.repeat(1024 - JSON.stringify(body).length);
      assert.equal(JSON.stringify(body).length, 1024);
      const r = await post('/api/publish', body);
      assert.equal(r.status, 200, r.text);
    });

    it('405 for the wrong method, 404 for unknown paths', async () => {
      assertError(await h.http(server, 'GET', '/api/publish', { headers: auth }), 405);
      assertError(await h.http(server, 'POST', '/api/info', { headers: auth, body: {} }), 405);
      assertError(await h.http(server, 'GET', '/api/users/bob/sessions', { headers: auth }), 405);
      assertError(await h.http(server, 'GET', '/api/nothing-here', { headers: auth }), 404);
      assertError(await h.http(server, 'GET', '/nothing-here'), 404);
    });

    it('a rejected publish delivers nothing', async (t) => {
      const c = h.track(t, await h.RawStomp.connect(server, { login: 'watcher' }));
      await c.subscribe('/topic/validated', 's');
      assertError(await post('/api/publish', { destination: '/topic/validated', body: 'x', headers: { receipt: 'r' } }), 400);
      await h.mustPublish(server, '/topic/validated', 'good', { apiKey: KEY });
      assert.equal((await c.message()).body, 'good');
    });
  });

  describe('reports', () => {
    // /api/info once no session is left. An earlier test's client is closed
    // on the client side when that test ends, but herald (on its worker) may
    // not have torn the session down yet: a baseline taken then would count
    // a session that disappears in the middle of the next test.
    const quietInfo = () =>
      h.waitUntil(
        async () => {
          const i = (await h.http(server, 'GET', '/api/info', { headers: auth })).json;
          return i.sessions === 0 && i.subscriptions === 0 && i;
        },
        { what: 'the sessions of earlier tests to be torn down' },
      );

    it('/api/info describes the node, its connections, sessions, subscriptions and threads', async (t) => {
      const before = await quietInfo();
      const c = h.track(t, await h.RawStomp.connect(server, { login: 'info-user' }));
      await c.subscribe('/topic/info.a', 'a');
      await c.subscribe('/user/queue/info', 'b');
      const r = await h.http(server, 'GET', '/api/info', { headers: auth });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /application\/json/);
      const info = r.json;
      assert.equal(info.node, 'e2e-node');
      assert.match(info.version, /^\d+\.\d+\.\d+/);
      assert.equal(typeof info.connections, 'number');
      assert.ok(info.connections >= 1);
      assert.equal(info.sessions, before.sessions + 1);
      assert.equal(info.subscriptions, before.subscriptions + 2);
      assert.ok(Array.isArray(info.threads));
      assert.equal(info.threads.length, 2);
      for (const th of info.threads) {
        for (const k of ['index', 'connections', 'sessions', 'subscriptions', 'deliveries']) {
          assert.equal(typeof th[k], 'number', `threads[].${k}`);
        }
      }
      assert.equal(info.threads.reduce((s, th) => s + th.sessions, 0), info.sessions);
      assert.equal(info.threads.reduce((s, th) => s + th.subscriptions, 0), info.subscriptions);
    });

    it('sessions and subscriptions go back down when clients leave, however they leave', async (t) => {
      const info = async () => (await h.http(server, 'GET', '/api/info', { headers: auth })).json;
      const base = await quietInfo();
      const polite = await h.RawStomp.connect(server, { login: 'polite' });
      await polite.subscribe('/topic/leave', 'a');
      const rude = await h.RawStomp.connect(server, { login: 'rude' });
      await rude.subscribe('/topic/leave', 'b');
      await rude.subscribe('/user/queue/leave', 'c');
      const sj = await h.stompClient(server, { connectHeaders: { login: 'sj' } });
      await h.stompSubscribe(sj.client, '/topic/leave');
      const mid = await info();
      assert.equal(mid.sessions, base.sessions + 3);
      assert.equal(mid.subscriptions, base.subscriptions + 4);

      polite.send('DISCONNECT', { receipt: 'bye' });
      await polite.expect('RECEIPT');
      await rude.terminate(); // TCP gone without a close frame
      await sj.client.deactivate();
      const end = await h.waitUntil(
        async () => {
          const now = await info();
          return now.sessions === base.sessions && now.subscriptions === base.subscriptions && now;
        },
        { what: 'sessions and subscriptions to return to their baseline' },
      );
      assert.equal(end.users, base.users);
    });

    it('accepts the API key with the scheme in any case (RFC 7235: schemes are case-insensitive)', async () => {
      for (const scheme of ['bearer', 'BEARER']) {
        const r = await post('/api/publish', { destination: '/topic/x', body: 'x' }, { authorization: `${scheme} ${KEY}` });
        assert.equal(r.status, 200, `${scheme}: ${r.text}`);
      }
    });

    it('/healthz and /readyz answer JSON', async () => {
      const hz = await h.http(server, 'GET', '/healthz');
      assert.equal(hz.status, 200);
      assert.deepEqual(hz.json, { status: 'ok' });
      const rz = await h.http(server, 'GET', '/readyz');
      assert.equal(rz.status, 200);
      assert.deepEqual(rz.json, { ready: true });
    });

    it('/metrics is Prometheus text with herald_* families that count what happened', async (t) => {
      const c = h.track(t, await h.RawStomp.connect(server, { login: 'metrics-user' }));
      await c.subscribe('/topic/metrics', 'm');
      const before = await h.metricsText(server);
      await h.mustPublish(server, '/topic/metrics', 'counted', { apiKey: KEY });
      await c.message();
      const r = await h.http(server, 'GET', '/metrics', { json: false });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /^text\/plain/);
      const text = r.text;
      const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
      assert.ok(samples.length > 10);
      for (const l of samples) assert.match(l, /^herald_[a-z_]+(\{[^}]*\})? [-+0-9.eEInfa]+$/, l);
      for (const l of text.split('\n').filter((x) => x.startsWith('# TYPE'))) {
        assert.match(l, /^# TYPE herald_[a-z_]+ (counter|gauge|histogram)$/);
      }
      for (const name of [
        'herald_connections',
        'herald_connections_accepted_total',
        'herald_subscriptions',
        'herald_frames_in_total',
        'herald_frames_out_total',
        'herald_deliveries_total',
        'herald_dropped_total',
        'herald_auth_failures_total',
        'herald_http_requests_total',
      ]) {
        assert.equal(typeof h.metric(text, name), 'number', `${name} present`);
      }
      assert.ok(h.metric(text, 'herald_sessions', 'transport="websocket"') >= 1);
      assert.equal(typeof h.metric(text, 'herald_closes_total', 'reason="protocol_error"'), 'number');
      assert.equal(h.metric(text, 'herald_broker_up', 'broker="memory"'), 1);
      assert.equal(
        h.metric(text, 'herald_publishes_total', 'outcome="ok"'),
        h.metric(before, 'herald_publishes_total', 'outcome="ok"') + 1,
      );
      assert.ok(h.metric(text, 'herald_deliveries_total') >= h.metric(before, 'herald_deliveries_total') + 1);
      assert.ok(h.metric(text, 'herald_publish_to_write_seconds_count') >= 1);
      assert.match(text, /herald_publish_to_write_seconds_bucket\{le="\+Inf"\} \d+/);
    });

    it('serves the HTML demo page at / and /index.html', async () => {
      for (const p of ['/', '/index.html']) {
        const r = await h.http(server, 'GET', p, { json: false });
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type'), /^text\/html/);
        assert.match(r.text, /<html/i);
        assert.match(r.text, /\/ws|stomp/i);
      }
      const head = await h.http(server, 'HEAD', '/', { json: false });
      assert.equal(head.status, 200);
      assert.equal(head.text, '');
      assert.equal((await h.http(server, 'POST', '/', { body: 'x' })).status, 405);
    });

    it('answers a WebSocket upgrade on an unknown path with 404', async () => {
      await assert.rejects(h.RawStomp.open(server, { path: '/not-a-stomp-endpoint' }), (e) => e.statusCode === 404);
    });
  });
});
