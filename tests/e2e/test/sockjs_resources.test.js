'use strict';
// SockJS endpoint resources over HTTP: the greeting, /info, CORS preflights,
// the iframe page, unknown paths and wrong methods, origins, the JSESSIONID
// cookie and the max_sessions bound.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

const {
  openWs, GREETING, ORIGIN, EVIL, CLIENT_URL, ECHO_CONFIG, header, assertNoCache, assertCors,
} = h;

// Expires of a cacheable answer: an IMF-fixdate one year (the max-age) after
// the server's clock read the time, which is between `before` and `after`
// (ms; the server's date has whole seconds).
function assertExpiresInAYear(r, before, after, what) {
  const expires = header(r, 'expires');
  assert.match(expires || '', /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/, `${what}: Expires ${expires}`);
  const year = 31536000 * 1000;
  const at = Date.parse(expires);
  assert.ok(at >= Math.floor(before / 1000) * 1000 + year && at <= after + year, `${what}: Expires ${expires} is not a year after the request`);
  assert.match(header(r, 'cache-control') || '', /max-age=31536000/, `${what}: the same year as max-age`);
}

describe('SockJS endpoint resources (echo and close handlers)', () => {
  let server;
  const sid = () => h.randomId();

  before(async () => {
    server = await h.startHerald(ECHO_CONFIG);
  });
  after(() => server && server.stop());

  describe('fixed resources', () => {
    it('GET base and base/ answer the greeting', async () => {
      for (const p of ['/echo', '/echo/']) {
        const r = await h.sjHttp(server, 'GET', p);
        assert.equal(r.status, 200, p);
        assert.equal(r.text, GREETING, p);
        assert.match(header(r, 'content-type'), /^text\/plain; ?charset=UTF-8$/i, p);
      }
    });

    it('GET info: websocket, cookie_needed, origins, entropy; no caching; CORS', async () => {
      const r = await h.sjHttp(server, 'GET', '/echo/info');
      assert.equal(r.status, 200);
      assert.match(header(r, 'content-type'), /^application\/json; ?charset=UTF-8$/i);
      assertNoCache(r, 'info');
      assertCors(r, undefined, 'info without Origin');
      const info = JSON.parse(r.text);
      assert.deepEqual(Object.keys(info).sort(), ['cookie_needed', 'entropy', 'origins', 'websocket']);
      assert.equal(info.websocket, true);
      assert.equal(info.cookie_needed, false);
      assert.ok(Array.isArray(info.origins) && info.origins.every((o) => typeof o === 'string'), `origins ${JSON.stringify(info.origins)}`);
      assert.ok(Number.isInteger(info.entropy) && info.entropy >= 0, `entropy ${info.entropy}`);
      assert.equal(header(r, 'set-cookie'), undefined, 'no cookie without cookie_needed');
    });

    it('info echoes an allowed Origin with credentials', async () => {
      const r = await h.sjHttp(server, 'GET', '/echo/info', { headers: { origin: ORIGIN } });
      assert.equal(r.status, 200);
      assertCors(r, ORIGIN, 'info with Origin');
      assert.match(header(r, 'vary') || '', /origin/i, 'Vary: Origin');
    });

    it('entropy differs from one info request to the next', async () => {
      const a = JSON.parse((await h.sjHttp(server, 'GET', '/echo/info')).text).entropy;
      const b = JSON.parse((await h.sjHttp(server, 'GET', '/echo/info')).text).entropy;
      assert.notEqual(a, b);
    });

    it('info says websocket:false where WebSocket is turned off', async () => {
      const info = JSON.parse((await h.sjHttp(server, 'GET', '/nows/info')).text);
      assert.equal(info.websocket, false);
      assert.equal(info.cookie_needed, false);
    });

    it('OPTIONS preflights answer 204, empty, cacheable, with the allowed methods and headers', async () => {
      const cases = [
        ['/echo/info', 'GET'],
        [`/echo/000/${sid()}/xhr`, 'POST'],
        [`/echo/000/${sid()}/xhr_send`, 'POST'],
        [`/echo/000/${sid()}/xhr_streaming`, 'POST'],
      ];
      for (const [p, method] of cases) {
        for (const origin of [undefined, ORIGIN]) {
          const headers = { 'access-control-request-method': method, 'access-control-request-headers': 'content-type, x-requested-with' };
          if (origin) headers.origin = origin;
          const before = Date.now();
          const r = await h.sjHttp(server, 'OPTIONS', p, { headers });
          const after = Date.now();
          const what = `OPTIONS ${p} origin ${origin}`;
          assertExpiresInAYear(r, before, after, what);
          assert.equal(r.status, 204, what);
          assert.equal(r.text, '', what);
          assertCors(r, origin, what);
          const methods = (header(r, 'access-control-allow-methods') || '').split(/,\s*/);
          assert.ok(methods.includes(method) && methods.includes('OPTIONS'), `${what}: Access-Control-Allow-Methods ${methods}`);
          assert.equal(header(r, 'access-control-allow-headers'), 'content-type, x-requested-with', `${what}: Allow-Headers echoed`);
          assert.match(header(r, 'cache-control') || '', /public/, `${what}: Cache-Control`);
          assert.match(header(r, 'cache-control') || '', /max-age=[1-9]\d{6,}/, `${what}: Cache-Control max-age`);
          assert.ok(Number(header(r, 'access-control-max-age')) >= 1000000, `${what}: Access-Control-Max-Age`);
        }
      }
    });

    it('iframe.html loads client_url, carries an ETag and answers 304 to If-None-Match', async () => {
      const before = Date.now();
      const r = await h.sjHttp(server, 'GET', '/echo/iframe.html');
      const after = Date.now();
      assert.equal(r.status, 200);
      assertExpiresInAYear(r, before, after, 'iframe.html');
      assert.match(header(r, 'content-type'), /^text\/html; ?charset=UTF-8$/i);
      assert.ok(r.text.includes(`<script src="${CLIENT_URL}"></script>`), r.text);
      assert.ok(r.text.includes('document.domain = document.domain'), r.text);
      assert.ok(r.text.includes('SockJS.bootstrap_iframe()'), r.text);
      assert.match(header(r, 'cache-control') || '', /max-age=[1-9]\d{6,}/);
      assert.equal(header(r, 'set-cookie'), undefined);
      const etag = header(r, 'etag');
      assert.ok(etag, 'ETag');

      for (const name of ['iframe.html', 'iframe-1.6.1.html', 'iframe-a.b.c.html', 'iframe-.html']) {
        const again = await h.sjHttp(server, 'GET', `/echo/${name}`);
        assert.equal(again.status, 200, name);
        assert.equal(again.text, r.text, name);
        assert.equal(header(again, 'etag'), etag, name);
        const cached = await h.sjHttp(server, 'GET', `/echo/${name}`, { headers: { 'if-none-match': etag } });
        assert.equal(cached.status, 304, `${name} with If-None-Match`);
        assert.equal(cached.text, '', `${name} 304 body`);
        assert.ok(header(cached, 'expires'), `${name} 304 Expires`);
      }
      const stale = await h.sjHttp(server, 'GET', '/echo/iframe.html', { headers: { 'if-none-match': '"something-else"' } });
      assert.equal(stale.status, 200);
      assert.equal(stale.text, r.text);
    });

    it('unknown resources and malformed session paths are 404', async () => {
      for (const p of ['/echo/nope', '/echo/info/x', '/echo/iframe.htm', '/echo/iframe-<x>.html', `/echo/000/${sid()}/nope`, '/echo/000/a.b/xhr',
        '/echo/0.0/abc/xhr', '/echo/000//xhr', '/echo//abc/xhr', `/echo/000/${'s'.repeat(300)}/xhr`]) {
        const method = p.endsWith('/xhr') ? 'POST' : 'GET';
        const r = await h.sjHttp(server, method, p);
        assert.equal(r.status, 404, `${method} ${p}: ${r.text}`);
      }
    });

    it('a wrong method is 405 with an Allow header naming the methods the resource answers', async () => {
      const session = (t) => `/echo/000/${sid()}/${t}`;
      const cases = [
        ['POST', '/echo', 'GET, HEAD'],
        ['PUT', '/echo/', 'GET, HEAD'],
        ['POST', '/echo/info', 'GET, HEAD, OPTIONS'],
        ['DELETE', '/echo/info', 'GET, HEAD, OPTIONS'],
        ['POST', '/echo/iframe.html', 'GET, HEAD'],
        ['GET', session('xhr'), 'POST, OPTIONS'],
        ['GET', session('xhr_send'), 'POST, OPTIONS'],
        ['GET', session('xhr_streaming'), 'POST, OPTIONS'],
        ['POST', session('eventsource'), 'GET'],
        ['POST', `${session('htmlfile')}?c=cb`, 'GET'],
        ['POST', `${session('jsonp')}?c=cb`, 'GET'],
        ['GET', session('jsonp_send'), 'POST'],
        // WebSocket URLs: a non-GET is the wrong method, not a bad upgrade.
        ['POST', session('websocket'), 'GET'],
        ['PUT', session('websocket'), 'GET'],
        ['OPTIONS', session('websocket'), 'GET'],
        ['POST', '/echo/websocket', 'GET'],
        ['HEAD', '/echo/websocket', 'GET'],
      ];
      for (const [method, p, allow] of cases) {
        const r = await h.sjHttp(server, method, p);
        assert.equal(r.status, 405, `${method} ${p}: HTTP ${r.status} ${r.text}`);
        assert.equal(header(r, 'allow'), allow, `${method} ${p}: Allow`);
      }
    });

    it('a GET to a WebSocket URL without the upgrade is still 400', async () => {
      for (const p of [`/echo/000/${sid()}/websocket`, '/echo/websocket']) {
        const r = await h.sjHttp(server, 'GET', p);
        assert.equal(r.status, 400, `GET ${p}: HTTP ${r.status}`);
        assert.equal(r.text, 'Can "Upgrade" only to "WebSocket".\n', p);
        assert.equal(header(r, 'allow'), undefined, p);
      }
    });

    it('a method named in Allow is not refused with 405', async () => {
      // The non-streaming ones (a streaming response would stay open).
      const cases = [
        ['GET', '/echo'],
        ['HEAD', '/echo'],
        ['GET', '/echo/info'],
        ['HEAD', '/echo/info'],
        ['OPTIONS', '/echo/info'],
        ['GET', '/echo/iframe.html'],
        ['HEAD', '/echo/iframe.html'],
        ['OPTIONS', `/echo/000/${sid()}/xhr`],
        ['OPTIONS', `/echo/000/${sid()}/xhr_send`],
        ['OPTIONS', `/echo/000/${sid()}/xhr_streaming`],
        ['POST', `/echo/000/${sid()}/xhr_send`],
        ['POST', `/echo/000/${sid()}/jsonp_send`],
      ];
      for (const [method, p] of cases) {
        const r = await h.sjHttp(server, method, p);
        assert.notEqual(r.status, 405, `${method} ${p}`);
      }
    });
  });

  describe('origins', () => {
    it('a disallowed Origin is refused with 403 on info, transports and WebSocket upgrades', async () => {
      const headers = { origin: EVIL };
      const r = await h.sjHttp(server, 'GET', '/echo/info', { headers });
      assert.equal(r.status, 403, `info: ${r.text}`);
      const s = new h.SjSession(server, '/echo', { headers });
      assert.equal((await s.poll()).status, 403, 'xhr');
      assert.equal((await h.sjHttp(server, 'POST', s.url('xhr_streaming'), { headers })).status, 403, 'xhr_streaming');
      assert.equal((await h.sjHttp(server, 'GET', s.url('eventsource'), { headers })).status, 403, 'eventsource');
      await assert.rejects(openWs(server, `/echo/000/${sid()}/websocket`, { origin: EVIL }), (e) => e.statusCode === 403);
      await assert.rejects(openWs(server, '/echo/websocket', { origin: EVIL }), (e) => e.statusCode === 403);
      // A session opened without Origin cannot be fed from a foreign one.
      const ok = new h.SjSession(server, '/echo');
      await ok.open();
      const foreign = await h.sjHttp(server, 'POST', ok.url('xhr_send'), { body: '["x"]', headers: { origin: EVIL, 'content-type': 'text/plain' } });
      assert.equal(foreign.status, 403);
    });

    it('the allowed Origin may open WebSockets', async (t) => {
      const c = await openWs(server, `/echo/000/${sid()}/websocket`, { origin: ORIGIN });
      h.track(t, c.ws);
      assert.equal(await c.inbox.next(), 'o');
    });
  });
});

describe('SockJS cookie_needed', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ endpoints: [{ path: '/echo', sockjs: true, handler: 'echo' }], sockjs: { cookie_needed: true } });
  });
  after(() => server && server.stop());

  it('info reports cookie_needed:true and transports set JSESSIONID, keeping the client\'s', async () => {
    const info = JSON.parse((await h.sjHttp(server, 'GET', '/echo/info')).text);
    assert.equal(info.cookie_needed, true);
    const s = new h.SjSession(server, '/echo');
    const r = await s.open();
    assert.match(header(r, 'set-cookie') || '', /^JSESSIONID=[^;]+; ?[Pp]ath=\//);
    const kept = new h.SjSession(server, '/echo', { headers: { cookie: 'a=1; JSESSIONID=abc123; b=2' } });
    const r2 = await kept.open();
    assert.match(header(r2, 'set-cookie') || '', /^JSESSIONID=abc123; ?[Pp]ath=\//);
    await kept.mustSend(['with cookie']);
    assert.deepEqual(await kept.receive(1), ['with cookie']);
  });
});

describe('SockJS max_sessions', () => {
  let server;
  before(async () => {
    server = await h.startHerald({
      endpoints: [{ path: '/echo', sockjs: true, handler: 'echo' }],
      sockjs: { max_sessions: 2, disconnect_delay_ms: 1000 },
    });
  });
  after(() => server && server.stop());

  it('refuses sessions past max_sessions with a reason, and accepts new ones once old ones expired', async (t) => {
    const a = new h.SjSession(server, '/echo');
    const b = new h.SjSession(server, '/echo');
    await a.open();
    await b.open();
    const c = new h.SjSession(server, '/echo');
    const refused = await c.poll();
    assert.ok(refused.status >= 400, `HTTP ${refused.status}`);
    assert.match(refused.text, /max_sessions/);
    const st = h.track(t, new h.SjSession(server, '/echo').pollStream('xhr_streaming'));
    const r = await st.finished();
    assert.ok(r.status >= 400, `xhr_streaming: HTTP ${r.status}`);
    // Existing sessions are unaffected.
    await a.mustSend(['still here']);
    assert.deepEqual(await a.receive(1), ['still here']);
    // Without polls both expire after disconnect_delay_ms; then there is room.
    await h.waitUntil(async () => (await h.http(server, 'GET', '/api/info')).json.sockjs_sessions === 0, { timeout: 10000, what: 'idle sessions to expire' });
    await new h.SjSession(server, '/echo').open();
  });
});
