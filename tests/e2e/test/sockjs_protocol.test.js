'use strict';
// The SockJS protocol on the wire, request by request, against the two
// conventional test handlers (`handler: echo` sends every message back,
// `handler: close` closes each session at once) and, for session lifetime,
// the STOMP handler: greeting, /info, CORS preflights, the iframe page, each
// HTTP transport's framing, SockJS over WebSocket and the raw WebSocket,
// escaping, streaming recycling, bad input, origins, cookies, heart-beats,
// and abandoned sessions being freed.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

const { openWs, wsMessages } = h;

const GREETING = 'Welcome to SockJS!\n';
const PRELUDE = 'h'.repeat(2048) + '\n';
const GO_AWAY = 'c[3000,"Go away!"]';
const ANOTHER = 'c[2010,"Another connection still open"]';
const ORIGIN = 'https://app.example.com';
const EVIL = 'https://evil.example';
const CLIENT_URL = 'https://cdn.example.com/sockjs-client-1.6.1.min.js';

// Strings SockJS servers must carry intact through JSON in both directions.
const ODD = [
  '\u2028', '\u2029', '\ud83d\ude00', '\u0000', '\u0001\u001f\u007f', '\u0080\u009f', 'é ü ß', '\u200b\u200c\u200d\u200e\u200f',
  '\u2060\u2064', '\ufeff', '\ufff0\ufffd', '\ufffe\uffff', '中文', '한국어', 'ελληνικά', 'кириллица', 'e\u0301',
  '"\\/\b\f\n\r\t', '</script><script>alert(1)</script>', '\ud83c\udff3\ufe0f\u200d\ud83c\udf08', '\u{10ffff}', '\u{1d11e}',
  'a]["b', '\\u2028 as text',
];

// What must never appear raw in a SockJS response body (other than "\n"
// between xhr frames): C0 controls, line/paragraph separators, invisible
// format and bidi characters, the BOM, specials and non-characters, and any
// astral character (a surrogate half in a JS string). Browsers drop,
// normalise or choke on them in XHR, EventSource and script contexts.
const RAW_DANGER = /[\u0000-\u0009\u000b-\u001f\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufff0-\uffff\ud800-\udfff]/;

function rawDanger(text) {
  const m = RAW_DANGER.exec(text);
  return m ? `U+${m[0].codePointAt(0).toString(16).padStart(4, '0')} at ${m.index}` : null;
}

// A WebSocket whose messages queue in an Inbox; rejects with .statusCode
// when the upgrade is refused.
// The JS call arguments of htmlfile chunks: <script>\np("...");\n</script>
function htmlfileFrames(text) {
  const out = [];
  const re = /<script>\np\(("(?:[^"\\]|\\.)*")\);\n<\/script>/g;
  for (let m; (m = re.exec(text)); ) out.push(JSON.parse(m[1]));
  return out;
}

// jsonp answers: [/**/]cb("...");\r\n
function jsonpFrames(text, cb) {
  const out = [];
  const re = new RegExp(`(?:/\\*\\*/)?${cb.replace(/\./g, '\\.')}\\(("(?:[^"\\\\]|\\\\.)*")\\);\\r\\n`, 'g');
  for (let m; (m = re.exec(text)); ) out.push(JSON.parse(m[1]));
  return out;
}

// eventsource: data: <frame>\r\n\r\n
function eventsourceFrames(text) {
  const out = [];
  const re = /data: ([^\r\n]*)\r\n\r\n/g;
  for (let m; (m = re.exec(text)); ) out.push(m[1]);
  return out;
}

function header(r, name) {
  const v = r.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

function assertNoCache(r, what) {
  assert.match(header(r, 'cache-control') || '', /no-store/, `${what}: Cache-Control`);
  assert.match(header(r, 'cache-control') || '', /no-cache/, `${what}: Cache-Control`);
}

function assertCors(r, origin, what) {
  if (origin) {
    assert.equal(header(r, 'access-control-allow-origin'), origin, `${what}: Access-Control-Allow-Origin`);
    assert.equal(header(r, 'access-control-allow-credentials'), 'true', `${what}: Access-Control-Allow-Credentials`);
  } else {
    assert.equal(header(r, 'access-control-allow-origin'), '*', `${what}: Access-Control-Allow-Origin`);
  }
}

describe('SockJS protocol (echo and close handlers)', () => {
  let server;
  const sid = () => h.randomId();

  before(async () => {
    server = await h.startHerald({
      allowed_origins: [ORIGIN],
      endpoints: [
        { path: '/echo', sockjs: true, handler: 'echo' },
        { path: '/close', sockjs: true, handler: 'close' },
        { path: '/nows', sockjs: true, websocket: false, handler: 'echo' },
      ],
      sockjs: { streaming_bytes: 4096, client_url: CLIENT_URL },
    });
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
          const r = await h.sjHttp(server, 'OPTIONS', p, { headers });
          const what = `OPTIONS ${p} origin ${origin}`;
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
      const r = await h.sjHttp(server, 'GET', '/echo/iframe.html');
      assert.equal(r.status, 200);
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

    it('a transport with the wrong method is refused (4xx)', async () => {
      for (const [method, t] of [['GET', 'xhr'], ['GET', 'xhr_send'], ['GET', 'xhr_streaming'], ['POST', 'eventsource'], ['GET', 'jsonp_send']]) {
        const r = await h.sjHttp(server, method, `/echo/000/${sid()}/${t}?c=cb`);
        assert.ok(r.status >= 400 && r.status < 500, `${method} ${t}: HTTP ${r.status}`);
      }
    });
  });

  describe('xhr polling', () => {
    it('opens with "o", then xhr_send (204) is echoed to the next poll as a[...]', async () => {
      const s = new h.SjSession(server, '/echo');
      const r = await s.poll();
      assert.equal(r.status, 200);
      assert.equal(r.text, 'o\n');
      assert.match(header(r, 'content-type'), /^application\/javascript; ?charset=UTF-8$/i);
      assertNoCache(r, 'xhr');
      assertCors(r, undefined, 'xhr');

      const sent = await s.send(['a']);
      assert.equal(sent.status, 204);
      assert.equal(sent.text, '');
      assertCors(sent, undefined, 'xhr_send');
      const p = await s.poll();
      assert.equal(p.status, 200);
      assert.equal(p.text, 'a["a"]\n');

      // Several messages per send and several sends: all come, in order.
      await s.mustSend(['b', 'c']);
      await s.mustSend(['d']);
      await s.mustSend(['e']);
      assert.deepEqual(await s.receive(4), ['b', 'c', 'd', 'e']);
    });

    it('with an allowed Origin, xhr and xhr_send echo it (credentials allowed)', async () => {
      const s = new h.SjSession(server, '/echo', { headers: { origin: ORIGIN } });
      const r = await s.open();
      assertCors(r, ORIGIN, 'xhr');
      const sent = await s.mustSend(['x']);
      assertCors(sent, ORIGIN, 'xhr_send');
      assert.deepEqual(await s.receive(1), ['x']);
    });

    it('odd unicode survives the round trip and is escaped on the wire', async () => {
      const s = new h.SjSession(server, '/echo');
      await s.open();
      await s.mustSend(ODD);
      const got = [];
      const raw = [];
      while (got.length < ODD.length) {
        const r = await s.poll();
        raw.push(r.text);
        got.push(...h.arrayMessages(r.frames));
      }
      assert.deepEqual(got, ODD);
      const bad = rawDanger(raw.join(''));
      assert.equal(bad, null, `raw character in xhr response: ${bad}`);
    });

    it('every BMP character (and a sample of astral ones) round-trips through xhr_send and xhr', async () => {
      const s = new h.SjSession(server, '/echo');
      await s.open();
      const cps = [];
      for (let cp = 0; cp <= 0xffff; cp++) if (cp < 0xd800 || cp > 0xdfff) cps.push(cp);
      for (let cp = 0x10000; cp <= 0x10ffff; cp += 0x1001) cps.push(cp);
      const chunk = 1024;
      const messages = [];
      for (let i = 0; i < cps.length; i += chunk) messages.push(String.fromCodePoint(...cps.slice(i, i + chunk)));
      for (let i = 0; i < messages.length; i += 4) {
        const batch = messages.slice(i, i + 4);
        await s.mustSend(batch);
        const got = [];
        let raw = '';
        while (got.length < batch.length) {
          const r = await s.poll();
          raw += r.text;
          got.push(...h.arrayMessages(r.frames));
        }
        for (let k = 0; k < batch.length; k++) {
          if (got[k] !== batch[k]) {
            const a = [...batch[k]];
            const b = [...(got[k] || '')];
            const at = a.findIndex((c, j) => c !== b[j]);
            assert.fail(`message ${i + k}: first difference at U+${a[at].codePointAt(0).toString(16)}: got ${b[at] === undefined ? 'nothing' : 'U+' + b[at].codePointAt(0).toString(16)}`);
          }
        }
        const bad = rawDanger(raw);
        assert.equal(bad, null, `raw character in xhr response: ${bad}`);
      }
    });

    it('of two concurrent polls one gets c[2010,"Another connection still open"], the other the next message', async (t) => {
      const s = new h.SjSession(server, '/echo');
      await s.open();
      const a = h.track(t, s.pollStream());
      const b = h.track(t, s.pollStream());
      const first = await h.within(Promise.race([a.done.then(() => a), b.done.then(() => b)]), 5000, 'one poll to be refused');
      const other = first === a ? b : a;
      assert.equal(first.status, 200);
      assert.equal(first.text, `${ANOTHER}\n`);
      assert.equal(other.ended, false, 'the attached poll is still waiting');
      await s.mustSend(['for the attached poll']);
      const r = await other.finished();
      assert.equal(r.status, 200);
      assert.equal(r.text, 'a["for the attached poll"]\n');
      // The session survived the refused poll.
      await s.mustSend(['still open']);
      assert.deepEqual(await s.receive(1), ['still open']);
    });

    it('a session closed by the server answers c[3000,"Go away!"] to the polls after "o"', async () => {
      const s = new h.SjSession(server, '/close');
      const r1 = await s.poll();
      assert.equal(r1.status, 200);
      assert.ok(r1.text === 'o\n' || r1.text === `o\n${GO_AWAY}\n`, JSON.stringify(r1.text));
      for (let i = 0; i < 2; i++) {
        const r = await s.poll();
        assert.equal(r.status, 200);
        assert.equal(r.text, `${GO_AWAY}\n`, `poll ${i + 2}`);
      }
    });

    it('xhr_send to an unknown session is 404 and opens nothing', async () => {
      const s = new h.SjSession(server, '/echo');
      const r = await s.send(['x']);
      assert.equal(r.status, 404);
      const j = await h.sjHttp(server, 'POST', s.url('jsonp_send'), { body: 'd=%5B%22x%22%5D', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(j.status, 404);
      // The first poll of that id still opens a fresh session.
      assert.equal((await s.poll()).text, 'o\n');
    });

    it('bad xhr_send bodies are 4xx with a reason, and the session lives on', async () => {
      const s = new h.SjSession(server, '/echo');
      await s.open();
      const empty = await s.send(undefined, { raw: '' });
      assert.equal(empty.status, 400);
      assert.equal(empty.text.trimEnd(), 'Payload expected.');
      const broken = await s.send(undefined, { raw: '["x' });
      assert.equal(broken.status, 400);
      assert.equal(broken.text.trimEnd(), 'Broken JSON encoding.');
      for (const raw of ['[1]', '{"a":"b"}', '["a",null]', '"single string"', 'null', '[["nested"]]', '["x"] trailing']) {
        const r = await s.send(undefined, { raw });
        assert.ok(r.status >= 400 && r.status < 500, `${raw}: HTTP ${r.status}`);
        assert.ok(r.text.length > 0, `${raw}: a reason in the body`);
      }
      await s.mustSend(['fine']);
      assert.deepEqual(await s.receive(1), ['fine']);
    });

    it('an empty JSON array is accepted and sends nothing', async () => {
      const s = new h.SjSession(server, '/echo');
      await s.open();
      const r = await s.send([]);
      assert.equal(r.status, 204);
      await s.mustSend(['after empty']);
      assert.deepEqual(await s.receive(1), ['after empty']);
    });
  });

  describe('streaming transports', () => {
    it('xhr_streaming: 2048 h + newline, then "o", then echoed frames on the same response', async (t) => {
      const s = new h.SjSession(server, '/echo');
      const st = h.track(t, s.pollStream('xhr_streaming'));
      await st.until(PRELUDE + 'o\n');
      assert.equal(st.text, PRELUDE + 'o\n');
      assert.equal(st.status, 200);
      assert.match(st.headers['content-type'], /^application\/javascript; ?charset=UTF-8$/i);
      assertNoCache({ headers: st.headers }, 'xhr_streaming');
      await s.mustSend(['s1']);
      await st.until('a["s1"]\n');
      await s.mustSend(['s2', 's3']);
      await st.until((text) => h.arrayMessages(h.xhrFrames(text.slice(PRELUDE.length))).length === 3);
      assert.deepEqual(h.arrayMessages(h.xhrFrames(st.text.slice(PRELUDE.length))), ['s1', 's2', 's3']);
      // A second receiver while the stream is attached is refused.
      const second = await s.poll();
      assert.equal(second.text, `${ANOTHER}\n`);
      assert.equal(st.ended, false);
    });

    it('eventsource: data: o, then data: a[...] events', async (t) => {
      const s = new h.SjSession(server, '/echo');
      const es = h.track(t, s.pollStream('eventsource', { method: 'GET' }));
      await es.until('data: o\r\n\r\n');
      assert.equal(es.text, '\r\ndata: o\r\n\r\n');
      assert.equal(es.status, 200);
      assert.match(es.headers['content-type'], /^text\/event-stream(; ?charset=UTF-8)?$/i);
      assertNoCache({ headers: es.headers }, 'eventsource');
      await s.mustSend(['e1', 'line\nbreak', '\u2028']);
      await es.until((text) => eventsourceFrames(text).length >= 2 && h.arrayMessages(eventsourceFrames(text).slice(1)).length === 3);
      assert.deepEqual(h.arrayMessages(eventsourceFrames(es.text).slice(1)), ['e1', 'line\nbreak', '\u2028']);
      assert.equal(rawDanger(es.text.replace(/\r\n/g, '')), null);
    });

    it('htmlfile: a page calling the callback, then <script>p("o");</script> chunks', async (t) => {
      const s = new h.SjSession(server, '/echo');
      const hf = h.track(t, s.pollStream('htmlfile', { method: 'GET', query: '?c=myCallback' }));
      await hf.until('p("o");');
      assert.equal(hf.status, 200);
      assert.match(hf.headers['content-type'], /^text\/html; ?charset=UTF-8$/i);
      assertNoCache({ headers: hf.headers }, 'htmlfile');
      assert.ok(hf.text.includes('parent.myCallback'), hf.text.slice(0, 600));
      const page = hf.text.slice(0, hf.text.indexOf('<script>\np("o");'));
      assert.ok(page.length >= 1024, `page padded to at least 1024 bytes (${page.length}) so browsers start rendering`);
      assert.ok(hf.text.includes('<script>\np("o");\n</script>'), JSON.stringify(hf.text.slice(-200)));
      await s.mustSend(['h1', '</script><script>alert(1)</script>']);
      await hf.until((text) => h.arrayMessages(htmlfileFrames(text).slice(1)).length === 2);
      assert.deepEqual(htmlfileFrames(hf.text)[0], 'o');
      assert.deepEqual(h.arrayMessages(htmlfileFrames(hf.text).slice(1)), ['h1', '</script><script>alert(1)</script>']);
      assert.ok(!hf.text.includes('</script><script>alert(1)'), 'no raw </script> from a message');
    });

    for (const [transport, method, query] of [['xhr_streaming', 'POST', ''], ['eventsource', 'GET', ''], ['htmlfile', 'GET', '?c=cb']]) {
      it(`${transport} is recycled past streaming_bytes (4096) and the session carries on on the next request`, async (t) => {
        const s = new h.SjSession(server, '/echo');
        const st = h.track(t, s.pollStream(transport, { method, query }));
        await st.until(transport === 'htmlfile' ? 'p("o")' : transport === 'eventsource' ? 'data: o' : 'o\n');
        // Send 1000-byte messages one at a time until the response ends.
        // The end may come just after a message's bytes, so a message sent
        // in that moment goes to the next request instead.
        const sent = [];
        while (!st.ended && sent.length < 20) {
          const msg = `m${sent.length}-` + 'x'.repeat(1000);
          await s.mustSend([msg]);
          sent.push(msg);
          try {
            await st.until(`m${sent.length - 1}-`, 5000, `message ${sent.length - 1} on ${transport}`);
          } catch (e) {
            if (!st.ended) throw e;
          }
        }
        const r = await st.finished();
        assert.equal(r.aborted, false);
        assert.equal(r.status, 200);
        assert.ok(st.bytes > 4096, `ended after ${st.bytes} bytes`);
        assert.ok(sent.length >= 2 && sent.length < 20, `ended after ${sent.length} messages`);
        const frames1 = transport === 'xhr_streaming' ? h.xhrFrames(st.text.slice(PRELUDE.length))
          : transport === 'eventsource' ? eventsourceFrames(st.text) : htmlfileFrames(st.text);
        const delivered = h.arrayMessages(frames1);
        assert.deepEqual(delivered, sent.slice(0, delivered.length), 'whole messages, in order');
        const leftover = sent.slice(delivered.length);
        // The session lives on: a message sent between requests waits for
        // the next one, which does not open again.
        await s.mustSend(['after recycle']);
        const st2 = h.track(t, s.pollStream(transport, { method, query }));
        await st2.until('after recycle');
        let frames2;
        if (transport === 'xhr_streaming') {
          assert.ok(st2.text.startsWith(PRELUDE), 'prelude again');
          frames2 = h.xhrFrames(st2.text.slice(PRELUDE.length));
        } else if (transport === 'eventsource') {
          frames2 = eventsourceFrames(st2.text);
        } else {
          frames2 = htmlfileFrames(st2.text);
        }
        assert.ok(frames2.every((f) => f[0] === 'a'), `no "o" again: ${frames2.map((f) => f.slice(0, 20))}`);
        assert.deepEqual(h.arrayMessages(frames2), [...leftover, 'after recycle']);
      });
    }

    it('xhr_streaming on a close handler: prelude, "o", c[3000,"Go away!"] and the end', async () => {
      const s = new h.SjSession(server, '/close');
      const r = await h.sjHttp(server, 'POST', s.url('xhr_streaming'));
      assert.equal(r.status, 200);
      assert.equal(r.text, `${PRELUDE}o\n${GO_AWAY}\n`);
      const again = await h.sjHttp(server, 'POST', s.url('xhr_streaming'));
      assert.equal(again.text, `${PRELUDE}${GO_AWAY}\n`);
    });
  });

  describe('jsonp', () => {
    it('jsonp opens with /**/cb("o"); and jsonp_send (form or raw body) answers "ok" and is echoed', async () => {
      const s = new h.SjSession(server, '/echo');
      const r = await h.sjHttp(server, 'GET', s.url('jsonp', '?c=cb'));
      assert.equal(r.status, 200);
      assert.match(header(r, 'content-type'), /^application\/javascript; ?charset=UTF-8$/i);
      assertNoCache(r, 'jsonp');
      assert.match(r.text, /^(\/\*\*\/)?cb\("o"\);\r\n$/);

      const form = await h.sjHttp(server, 'POST', s.url('jsonp_send'), {
        body: 'd=' + encodeURIComponent(JSON.stringify(['j1', 'plus+and&amp'])),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(form.status, 200);
      assert.equal(form.text, 'ok');
      const rawBody = await h.sjHttp(server, 'POST', s.url('jsonp_send'), { body: JSON.stringify(['j2', '\u2028']), headers: { 'content-type': 'text/plain' } });
      assert.equal(rawBody.status, 200);
      assert.equal(rawBody.text, 'ok');

      const got = [];
      while (got.length < 3) {
        const p = await h.sjHttp(server, 'GET', s.url('jsonp', '?c=cb'));
        assert.equal(p.status, 200);
        const frames = jsonpFrames(p.text, 'cb');
        assert.ok(frames.length > 0, JSON.stringify(p.text));
        assert.equal(rawDanger(p.text.replace(/\r\n/g, '')), null);
        got.push(...h.arrayMessages(frames));
      }
      assert.deepEqual(got, ['j1', 'plus+and&amp', 'j2', '\u2028']);
    });

    it('a dotted callback name works', async () => {
      const s = new h.SjSession(server, '/echo');
      const r = await h.sjHttp(server, 'GET', s.url('jsonp', '?c=_jp.a1b2_c-3'));
      assert.equal(r.status, 200);
      assert.deepEqual(jsonpFrames(r.text, '_jp.a1b2_c-3'), ['o']);
    });

    it('missing or invalid callbacks and payloads are 400 with a reason', async () => {
      const s = new h.SjSession(server, '/echo');
      for (const q of ['', '?c=', '?c=a%3Cb', '?c=alert(1)', '?c=a%20b', `?c=${'x'.repeat(300)}`]) {
        for (const t of ['jsonp', 'htmlfile']) {
          const r = await h.sjHttp(server, 'GET', s.url(t, q));
          assert.equal(r.status, 400, `${t}${q}: HTTP ${r.status}`);
          assert.match(r.text, /callback/, `${t}${q}: reason`);
        }
      }
      // Open the session, then send it bad payloads.
      assert.match((await h.sjHttp(server, 'GET', s.url('jsonp', '?c=cb'))).text, /cb\("o"\)/);
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      for (const [body, headers, reason] of [
        ['', form, 'Payload expected.'],
        ['d=', form, 'Payload expected.'],
        ['x=1', form, 'Payload expected.'],
        ['', { 'content-type': 'text/plain' }, 'Payload expected.'],
        ['d=%5B%22x', form, 'Broken JSON encoding.'],
        ['["x', { 'content-type': 'text/plain' }, 'Broken JSON encoding.'],
      ]) {
        const r = await h.sjHttp(server, 'POST', s.url('jsonp_send'), { body, headers });
        assert.equal(r.status, 400, `${JSON.stringify(body)}: HTTP ${r.status}`);
        assert.equal(r.text.trimEnd(), reason, JSON.stringify(body));
      }
    });
  });

  describe('WebSocket', () => {
    it('SockJS over WebSocket: "o", arrays and single strings echoed as a[...]', async (t) => {
      const c = await openWs(server, `/echo/000/${sid()}/websocket`);
      h.track(t, c.ws);
      assert.equal(await c.inbox.next(), 'o');
      c.ws.send(JSON.stringify(['a', 'b']));
      assert.deepEqual(await wsMessages(c.inbox, 2), ['a', 'b']);
      c.ws.send(JSON.stringify('single'));
      assert.deepEqual(await wsMessages(c.inbox, 1), ['single']);
      c.ws.send(JSON.stringify(ODD));
      assert.deepEqual(await wsMessages(c.inbox, ODD.length), ODD);
      const big = 'y'.repeat(200000);
      c.ws.send(JSON.stringify([big]));
      assert.deepEqual(await wsMessages(c.inbox, 1), [big]);
    });

    it('SockJS over WebSocket on a close handler: "o", c[3000,"Go away!"], then the socket closes', async () => {
      const c = await openWs(server, `/close/000/${sid()}/websocket`);
      assert.equal(await c.inbox.next(), 'o');
      assert.equal(await c.inbox.next(), GO_AWAY);
      await h.within(c.closed, 5000, 'server close');
    });

    it('raw WebSocket at base/websocket: plain messages, no framing', async (t) => {
      const c = await openWs(server, '/echo/websocket');
      h.track(t, c.ws);
      c.ws.send('hello');
      assert.equal(await c.inbox.next(), 'hello');
      c.ws.send('["not", "parsed"]');
      assert.equal(await c.inbox.next(), '["not", "parsed"]');
      const odd = ODD.join('|');
      c.ws.send(odd);
      assert.equal(await c.inbox.next(), odd);
    });

    it('raw WebSocket on a close handler is closed at once', async () => {
      const c = await openWs(server, '/close/websocket');
      await h.within(c.closed, 5000, 'server close');
      assert.equal(c.inbox.all.length, 0);
    });

    it('websocket: false refuses both WebSocket URLs with 404 while HTTP transports work', async () => {
      for (const p of [`/nows/000/${sid()}/websocket`, '/nows/websocket']) {
        await assert.rejects(openWs(server, p), (e) => e.statusCode === 404, p);
      }
      const s = new h.SjSession(server, '/nows');
      await s.open();
      await s.mustSend(['over http']);
      assert.deepEqual(await s.receive(1), ['over http']);
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

describe('SockJS heart-beats', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ endpoints: [{ path: '/echo', sockjs: true, handler: 'echo' }], sockjs: { heartbeat_ms: 1000 } });
  });
  after(() => server && server.stop());

  it('an idle poll is answered with "h", an idle stream and WebSocket get "h" frames', async (t) => {
    const s = new h.SjSession(server, '/echo');
    await s.open();
    const r = await s.poll(5000);
    assert.equal(r.text, 'h\n');

    const es = h.track(t, new h.SjSession(server, '/echo').pollStream('eventsource', { method: 'GET' }));
    await es.until('data: o\r\n\r\ndata: h\r\n\r\n', 5000);

    const st = h.track(t, new h.SjSession(server, '/echo').pollStream('xhr_streaming'));
    await st.until(`${PRELUDE}o\nh\n`, 5000);

    const c = await openWs(server, `/echo/000/${h.randomId()}/websocket`);
    h.track(t, c.ws);
    assert.equal(await c.inbox.next(), 'o');
    assert.equal(await c.inbox.next(5000), 'h');
  });
});

describe('SockJS sessions of clients that go away (stomp handler, disconnect_delay_ms 1000)', () => {
  let server;
  const info = async () => (await h.http(server, 'GET', '/api/info')).json;
  // STOMP and SockJS session counts. Each test compares with the counts it
  // started from, so one test's leftovers cannot fail the next.
  const counts = async () => {
    const i = await info();
    return { sessions: i.sessions, sockjs: i.sockjs_sessions };
  };
  const gone = async (base, what) => {
    await h.waitUntil(async () => {
      const c = await counts();
      return c.sockjs <= base.sockjs && c.sessions <= base.sessions;
    }, { timeout: 10000, what: `${what} (STOMP and SockJS sessions back to ${JSON.stringify(base)}; now ${JSON.stringify(await counts())})` });
    const c = await counts();
    assert.equal(h.metric(await h.metricsText(server), 'herald_sockjs_sessions'), c.sockjs, 'herald_sockjs_sessions = /api/info sockjs_sessions');
  };
  async function assertOneMore(base) {
    const c = await counts();
    assert.equal(c.sockjs, base.sockjs + 1, 'sockjs_sessions');
    assert.equal(c.sessions, base.sessions + 1, 'sessions');
    assert.equal(h.metric(await h.metricsText(server), 'herald_sockjs_sessions'), c.sockjs, 'herald_sockjs_sessions');
  }

  before(async () => {
    server = await h.startHerald({
      endpoints: [{ path: '/websocket/mq', sockjs: true }],
      // The SockJS heart-beat stays long: freeing must not wait for it.
      sockjs: { disconnect_delay_ms: 1000, heartbeat_ms: 25000 },
    });
  });
  after(() => server && server.stop());

  it('starts with no sessions', async () => {
    assert.deepEqual(await counts(), { sessions: 0, sockjs: 0 });
  });

  // CONNECTs a STOMP session over raw xhr polling.
  async function rawStompOverXhr(login) {
    const s = new h.SjSession(server, '/websocket/mq');
    await s.open();
    await s.mustSend([`CONNECT\naccept-version:1.1,1.2\nhost:127.0.0.1\nlogin:${login}\nheart-beat:0,0\n\n\u0000`]);
    const [connected] = await s.receive(1);
    assert.match(connected, /^CONNECTED\n/);
    assert.match(connected, new RegExp(`\nuser-name:${login}\n`));
    assert.ok(connected.endsWith('\u0000'), 'a whole frame with its NUL');
    return s;
  }

  it('a STOMP session over raw xhr polling delivers, and DISCONNECT over xhr_send ends it', async () => {
    const base = await counts();
    const s = await rawStompOverXhr('polite');
    await assertOneMore(base);
    await s.mustSend(['SUBSCRIBE\nid:1\ndestination:/topic/t\nreceipt:r1\n\n\u0000']);
    assert.match((await s.receive(1))[0], /^RECEIPT\nreceipt-id:r1\n/);
    await h.mustPublish(server, '/topic/t', 'over raw xhr');
    const [m] = await s.receive(1);
    assert.match(m, /^MESSAGE\n/);
    assert.ok(m.endsWith('\n\nover raw xhr\u0000'), JSON.stringify(m));
    await s.mustSend(['DISCONNECT\nreceipt:bye\n\n\u0000']);
    const rest = [];
    for (;;) {
      const r = await s.poll();
      rest.push(...r.frames);
      if (r.frames.some((f) => f[0] === 'c')) break;
    }
    assert.match(h.arrayMessages(rest).join(''), /^RECEIPT\nreceipt-id:bye\n/, `frames after DISCONNECT: ${JSON.stringify(rest)}`);
    await gone(base, 'sessions freed after DISCONNECT');
  });

  it('a client that stops polling between polls is freed after the disconnect delay', async () => {
    const base = await counts();
    await rawStompOverXhr('stops-polling');
    await assertOneMore(base);
    await gone(base, 'the abandoned session to be freed');
  });

  it('a client that drops its pending poll is freed after the disconnect delay', async () => {
    const base = await counts();
    const s = await rawStompOverXhr('drops-poll');
    await assertOneMore(base);
    // Two polls at once: the one refused with c[2010] proves the other is
    // attached on the server; that one is then dropped.
    const a = s.pollStream();
    const b = s.pollStream();
    const refused = await h.within(Promise.race([a.done.then(() => a), b.done.then(() => b)]), 5000, 'one poll to be refused');
    assert.equal(refused.text, `${ANOTHER}\n`);
    const attached = refused === a ? b : a;
    assert.equal(attached.ended, false);
    attached.abort();
    await gone(base, 'the session whose poll was dropped to be freed');
  });

  it('a sockjs-client over xhr-polling that goes away without DISCONNECT is freed', async () => {
    const base = await counts();
    const c = await h.sockjsStomp(server, { transports: ['xhr-polling'], headers: { login: 'vanishes' } });
    assert.equal(c.sock.transport, 'xhr-polling');
    await assertOneMore(base);
    c.sock.close(); // aborts the pending poll, sends nothing
    await gone(base, 'the vanished client\'s session to be freed');
  });

  it('a kicked STOMP session over xhr polling gets its ERROR and a close frame', async () => {
    const base = await counts();
    const s = await rawStompOverXhr('kicked');
    await assertOneMore(base);
    const r = await h.http(server, 'DELETE', '/api/users/kicked/sessions');
    assert.equal(r.json.sessions, 1);
    const frames = [];
    for (;;) {
      const p = await s.poll();
      frames.push(...p.frames);
      if (p.frames.some((f) => f[0] === 'c')) break;
    }
    assert.match(h.arrayMessages(frames).join(''), /^ERROR\n/, `frames after the kick: ${JSON.stringify(frames)}`);
    assert.match(frames[frames.length - 1], /^c\[\d+,".*"\]$/);
    await gone(base, 'the kicked session to be freed');
  });

  it('a STOMP protocol error over xhr polling: the ERROR frame comes before the close frame', async () => {
    const base = await counts();
    const s = await rawStompOverXhr('offender');
    await s.mustSend(['SEND\ndestination:/topic/not-client-sendable\nreceipt:x\n\nnope\u0000']);
    const frames = [];
    for (;;) {
      const p = await s.poll();
      frames.push(...p.frames);
      if (p.frames.some((f) => f[0] === 'c')) break;
    }
    const stomp = h.arrayMessages(frames).join('');
    assert.match(stomp, /^ERROR\n/, `frames after the bad SEND: ${JSON.stringify(frames)}`);
    assert.match(stomp, /\nmessage:[^\n]*not allowed/);
    await gone(base, 'the closed session to be freed');
  });

  it('plain STOMP over the raw WebSocket at base/websocket', async (t) => {
    // No subprotocol, as a SockJS-style raw WebSocket client opens it.
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'raw-ws' }, { path: '/websocket/mq/websocket', protocols: [] }));
    assert.equal(c.connected.headers['user-name'], 'raw-ws');
    await c.subscribe('/topic/raw', 's');
    await h.mustPublish(server, '/topic/raw', 'raw ws');
    assert.equal((await c.message()).body, 'raw ws');
  });
});
