'use strict';
// Each SockJS transport's framing on the wire, against the conventional echo
// and close handlers: xhr polling and xhr_send, the streaming transports and
// their recycling, jsonp, SockJS over WebSocket and the raw WebSocket;
// escaping of odd characters, 2010/3000 answers and bad input.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

const {
  openWs, wsMessages, PRELUDE, GO_AWAY, ANOTHER, ORIGIN, ODD, ECHO_CONFIG, rawDanger, htmlfileFrames, jsonpFrames, eventsourceFrames, header, assertNoCache, assertCors,
} = h;

describe('SockJS transports on the wire (echo and close handlers)', () => {
  let server;
  const sid = () => h.randomId();

  before(async () => {
    server = await h.startHerald(ECHO_CONFIG);
  });
  after(() => server && server.stop());

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
      assert.equal(es.headers['content-type'], 'text/event-stream; charset=UTF-8');
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
});

