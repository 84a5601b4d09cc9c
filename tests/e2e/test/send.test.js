'use strict';
// Client SENDs: destinations.client_send rules for broker destinations and
// the app.webhook round trip for the app prefix.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const nodeHttp = require('node:http');
const h = require('../lib/harness');

describe('client SEND rules', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ destinations: { client_send: ['/topic/chat.**', '/topic/room/*/in'] } });
  });
  after(() => server && server.stop());

  it('delivers a SEND to a destination matching a client_send glob, with its headers', async (t) => {
    const reader = h.track(t, await h.stompClient(server, { connectHeaders: { login: 'reader' } }));
    const inbox = await h.stompSubscribe(reader.client, '/topic/chat.lobby');
    const writer = h.track(t, await h.stompClient(server, { connectHeaders: { login: 'writer' } }));
    await h.stompPublish(writer.client, {
      destination: '/topic/chat.lobby',
      body: '{"text":"hi"}',
      headers: { 'content-type': 'application/json', 'x-from': 'writer' },
    });
    const m = await inbox.next();
    assert.equal(m.body, '{"text":"hi"}');
    assert.equal(m.headers['content-type'], 'application/json');
    assert.equal(m.headers['x-from'], 'writer');
    assert.equal(m.headers.destination, '/topic/chat.lobby');
    assert.ok(m.headers['message-id']);
  });

  it('the sender receives its own SEND when subscribed', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'echo' }));
    await c.subscribe('/topic/chat.self', 's');
    c.send('SEND', { destination: '/topic/chat.self' }, 'to myself');
    assert.equal((await c.message()).body, 'to myself');
  });

  it('"**" matches any rest, "*" exactly one segment', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'globber' }));
    await c.sendWithReceipt('SEND', { destination: '/topic/chat.a/b/c' }, 'deep');
    await c.sendWithReceipt('SEND', { destination: '/topic/room/42/in' }, 'one segment');
    c.send('SEND', { destination: '/topic/room/42/x/in', receipt: 'two-segments' }, 'x');
    const err = await c.expect('ERROR');
    assert.equal(err.headers['receipt-id'], 'two-segments');
    assert.match(err.headers.message, /not allowed/);
  });

  for (const dest of ['/topic/news', '/queue/jobs', '/topic/chat', '/topic/room/1/out']) {
    it(`denies SEND to ${dest} with ERROR and close`, async (t) => {
      const c = h.track(t, await h.RawStomp.connect(server, { login: 'denied' }));
      c.send('SEND', { destination: dest }, 'nope');
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /not allowed.*client_send/);
      assert.equal((await h.within(c.closed, 5000, 'close')).code, 1002);
    });
  }

  it('a denied SEND reaches no subscriber', async (t) => {
    const reader = h.track(t, await h.RawStomp.connect(server, { login: 'r' }));
    await reader.subscribe('/topic/news', 'n');
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'w' }));
    c.send('SEND', { destination: '/topic/news' }, 'forbidden');
    await c.expect('ERROR');
    await h.mustPublish(server, '/topic/news', 'official');
    assert.equal((await reader.message()).body, 'official');
  });

  it('SEND to /app/... without app.webhook is an ERROR', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'noapp' }));
    c.send('SEND', { destination: '/app/anything', receipt: 'app' }, 'x');
    const err = await c.expect('ERROR');
    assert.match(err.headers.message, /app\.webhook/);
    assert.equal(err.headers['receipt-id'], 'app');
    await h.within(c.closed, 5000, 'close');
  });
});

describe('app webhook', () => {
  let server;
  let hook;
  const calls = new h.Inbox('webhook call');
  // Answers by the SEND's destination:
  //   /app/echo   -> the reply set by the test in `replies`, else {}
  //   /app/fail   -> HTTP 500
  //   /app/bad    -> 200 with a reply herald must reject
  //   /app/hang   -> never answers (herald's timeout applies)
  const replies = new Map();
  const hanging = [];

  before(async () => {
    hook = nodeHttp.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        let body;
        try {
          body = JSON.parse(raw);
        } catch {
          body = { unparsed: raw };
        }
        calls.push({ method: req.method, url: req.url, headers: req.headers, body });
        const dest = body.destination;
        if (dest === '/app/fail') {
          res.writeHead(500, { 'content-type': 'text/plain' });
          return res.end('boom');
        }
        if (dest === '/app/bad') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end('{"messages":[{"destination":"/elsewhere/x","body":"x"}]}');
        }
        if (dest === '/app/hang') return hanging.push(res);
        const reply = replies.get(body.body) || {};
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply));
      });
    });
    await new Promise((resolve) => hook.listen(0, '127.0.0.1', resolve));
    server = await h.startHerald({
      app: { webhook: `http://127.0.0.1:${hook.address().port}/stomp/hook`, webhook_timeout_ms: 1000 },
    });
  });
  after(async () => {
    for (const res of hanging) res.destroy();
    try {
      if (server) await server.stop();
    } finally {
      hook.closeAllConnections();
      await new Promise((resolve) => hook.close(resolve));
    }
  });

  it('POSTs the SEND as JSON and publishes the reply to a topic, another user and the sender', async (t) => {
    replies.set('ping', {
      messages: [
        { destination: '/topic/app.out', body: { pong: true } },
        { user: 'bob', destination: '/queue/app', body: 'for bob', headers: { 'x-app': '1' } },
        { reply: true, destination: '/queue/app', body: 'back to the sender' },
      ],
    });
    const topicReader = h.track(t, await h.RawStomp.connect(server, { login: 'watcher' }));
    await topicReader.subscribe('/topic/app.out', 't');
    const bob = h.track(t, await h.stompClient(server, { connectHeaders: { login: 'bob' } }));
    const bobInbox = await h.stompSubscribe(bob.client, '/user/queue/app');
    const alice = h.track(t, await h.stompClient(server, { connectHeaders: { login: 'alice' } }));
    const aliceInbox = await h.stompSubscribe(alice.client, '/user/queue/app');

    await h.stompPublish(alice.client, { destination: '/app/echo', body: 'ping', headers: { 'x-trace': 'abc' } });

    const call = await calls.next(5000);
    assert.equal(call.method, 'POST');
    assert.equal(call.url, '/stomp/hook');
    assert.match(call.headers['content-type'], /application\/json/);
    assert.equal(call.body.user, 'alice');
    assert.equal(call.body.session, alice.connected.headers.session);
    assert.equal(call.body.destination, '/app/echo');
    assert.equal(call.body.body, 'ping');
    assert.equal(call.body.headers['x-trace'], 'abc');
    assert.equal(call.body.headers.receipt, undefined, 'frame-level headers are not forwarded');
    assert.equal(call.body.headers.destination, undefined);

    const tm = await topicReader.message();
    assert.deepEqual(JSON.parse(tm.body), { pong: true });
    assert.equal(tm.headers['content-type'], 'application/json');
    const bm = await bobInbox.next();
    assert.equal(bm.body, 'for bob');
    assert.equal(bm.headers['x-app'], '1');
    assert.equal((await aliceInbox.next()).body, 'back to the sender');
    assert.equal(aliceInbox.all.length, 1);
    assert.equal(bobInbox.all.length, 1);
  });

  it('the SEND receipt comes after the webhook answered', async (t) => {
    replies.set('with-receipt', { messages: [{ reply: true, destination: '/queue/r', body: 'published first' }] });
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'receipts' }));
    await c.subscribe('/user/queue/r', 'r');
    c.send('SEND', { destination: '/app/echo', receipt: 'after-hook' }, 'with-receipt');
    await calls.take((x) => x.body.body === 'with-receipt');
    const first = await c.frames.next();
    const second = await c.frames.next();
    const receipt = [first, second].find((f) => f.command === 'RECEIPT');
    assert.ok(receipt, `got ${first.command} and ${second.command}`);
    assert.equal(receipt.headers['receipt-id'], 'after-hook');
    assert.ok([first, second].some((f) => f.command === 'MESSAGE' && f.body === 'published first'));
  });

  it('an empty reply publishes nothing and still answers the receipt', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'quiet' }));
    await c.sendWithReceipt('SEND', { destination: '/app/echo' }, 'no reply configured');
    assert.equal((await calls.take((x) => x.body.body === 'no reply configured')).body.user, 'quiet');
  });

  it('a webhook answering HTTP 500 gets the sender an ERROR', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'unlucky' }));
    c.send('SEND', { destination: '/app/fail', receipt: 'f' }, 'x');
    const err = await c.expect('ERROR');
    assert.match(err.headers.message, /webhook.*500/);
    assert.equal(err.headers['receipt-id'], 'f');
    await h.within(c.closed, 5000, 'close');
  });

  it('a webhook reply with an invalid message gets the sender an ERROR', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'bad-reply' }));
    c.send('SEND', { destination: '/app/bad' }, 'x');
    const err = await c.expect('ERROR');
    assert.match(err.headers.message, /webhook reply/);
  });

  it('a webhook that does not answer within webhook_timeout_ms gets the sender an ERROR', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'patient' }));
    const sent = Date.now();
    c.send('SEND', { destination: '/app/hang' }, 'x');
    const err = await c.expect('ERROR', 6000);
    assert.match(err.headers.message, /webhook/);
    assert.ok(Date.now() - sent >= 900, 'not before the 1000 ms timeout');
  });

  it('a failing webhook affects only the sender', async (t) => {
    const other = h.track(t, await h.RawStomp.connect(server, { login: 'bystander' }));
    await other.subscribe('/topic/app.calm', 'c');
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'unlucky2' }));
    c.send('SEND', { destination: '/app/fail' }, 'x');
    await c.expect('ERROR');
    await h.mustPublish(server, '/topic/app.calm', 'still fine');
    assert.equal((await other.message()).body, 'still fine');
  });
});

describe('app webhook bounds', () => {
  // One worker thread, so every session shares its bounds: at most 2 webhook
  // calls at once, 3 more waiting; at most 4 SENDs per session awaiting the
  // webhook. The webhook answers only when a test releases a call.
  let server;
  let hook;
  const arrivals = new h.Inbox('webhook call');
  const open = new Set(); // the webhook's open connections
  let pending = 0; // requests the webhook has not answered
  let maxPending = 0;

  // Answers the call whose SEND body is `body` (an empty reply).
  const answer = async (body) => {
    const call = await arrivals.take((c) => c.body === body, 5000, `webhook call '${body}'`);
    call.res.writeHead(200, { 'content-type': 'application/json' });
    call.res.end('{}');
  };

  before(async () => {
    hook = nodeHttp.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        maxPending = Math.max(maxPending, ++pending);
        const end = res.end.bind(res);
        res.end = (...args) => {
          pending--;
          return end(...args);
        };
        arrivals.push({ body: JSON.parse(Buffer.concat(chunks).toString()).body, res });
      });
    });
    hook.on('connection', (s) => {
      open.add(s);
      s.on('close', () => open.delete(s));
    });
    await new Promise((resolve) => hook.listen(0, '127.0.0.1', resolve));
    server = await h.startHerald({
      threads: 1,
      app: {
        webhook: `http://127.0.0.1:${hook.address().port}/hook`,
        webhook_timeout_ms: 20000,
        max_in_flight_per_session: 4,
        max_connections_per_thread: 2,
        max_queued_per_thread: 3,
      },
    });
  });
  after(async () => {
    try {
      if (server) await server.stop();
    } finally {
      hook.closeAllConnections();
      await new Promise((resolve) => hook.close(resolve));
    }
  });

  const fds = () => fs.readdirSync(`/proc/${server.proc.pid}/fd`).length;

  it('a client pipelining 3000 /app SENDs to a silent webhook gets an ERROR at app.max_in_flight_per_session; herald holds 2 webhook connections', async (t) => {
    const fdsBefore = fds();
    maxPending = 0;
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'flooder' }));
    const frames = [];
    for (let i = 0; i < 3000; i++) frames.push(h.encodeFrame('SEND', { destination: '/app/flood', receipt: `f${i}` }, `${i}`));
    c.sendRaw(Buffer.concat(frames));
    const err = await c.expect('ERROR');
    assert.equal(err.headers.message, "too many SENDs to '/app' awaiting the application webhook (limit 4)");
    assert.equal(err.headers['receipt-id'], 'f4');
    assert.equal((await h.within(c.closed, 5000, 'close')).code, 1008);
    // Two calls run (the connection cap), the other two accepted wait.
    const first = [await arrivals.next(5000), await arrivals.next(5000)];
    assert.deepEqual(first.map((x) => x.body).sort(), ['0', '1']);
    assert.equal(open.size, 2);
    assert.ok(fds() - fdsBefore <= 4, `herald opened ${fds() - fdsBefore} descriptors`);
    // The calls accepted before the ERROR are still made.
    for (const call of first) {
      call.res.writeHead(200, { 'content-type': 'application/json' });
      call.res.end('{}');
    }
    await answer('2');
    await answer('3');
    assert.equal(maxPending, 2, `the webhook had ${maxPending} calls at once`);
    assert.equal(arrivals.items.length, 0, 'nothing past the per-session bound reached the webhook');
  });

  it('calls past max_connections_per_thread wait in arrival order; one past max_queued_per_thread gets an ERROR', async (t) => {
    maxPending = 0;
    const reply = (call) => {
      call.res.writeHead(200, { 'content-type': 'application/json' });
      call.res.end('{}');
    };
    const a = h.track(t, await h.RawStomp.connect(server, { login: 'a' }));
    a.send('SEND', { destination: '/app/x', receipt: 'a1' }, 'a1');
    a.send('SEND', { destination: '/app/x', receipt: 'a2' }, 'a2');
    const a1 = await arrivals.take((x) => x.body === 'a1');
    const a2 = await arrivals.take((x) => x.body === 'a2');
    // Both connections are busy: b's, c's and d's SENDs wait (a SUBSCRIBE
    // receipt behind each shows the SEND was taken, in that order).
    const waiting = {};
    for (const name of ['b', 'c', 'd']) {
      const s = h.track(t, await h.RawStomp.connect(server, { login: name }));
      s.send('SEND', { destination: '/app/x', receipt: `${name}1` }, `${name}1`);
      await s.subscribe('/topic/ignored', 'i');
      waiting[name] = s;
    }
    const e = h.track(t, await h.RawStomp.connect(server, { login: 'e' }));
    e.send('SEND', { destination: '/app/x', receipt: 'e1' }, 'e1');
    const err = await e.expect('ERROR');
    assert.match(err.headers.message, /application webhook busy: 3 calls already wait/);
    assert.equal(err.headers['receipt-id'], 'e1');
    assert.equal((await h.within(e.closed, 5000, 'close')).code, 1008);
    assert.equal(arrivals.items.length, 0, 'no third call reached the webhook');

    // Each answer frees a connection for the oldest waiting call.
    reply(a1);
    assert.equal((await a.expect('RECEIPT')).headers['receipt-id'], 'a1');
    const b1 = await arrivals.next(5000);
    assert.equal(b1.body, 'b1');
    reply(a2);
    assert.equal((await a.expect('RECEIPT')).headers['receipt-id'], 'a2');
    const c1 = await arrivals.next(5000);
    assert.equal(c1.body, 'c1');
    reply(b1);
    assert.equal((await waiting.b.expect('RECEIPT')).headers['receipt-id'], 'b1');
    const d1 = await arrivals.next(5000);
    assert.equal(d1.body, 'd1');
    reply(c1);
    reply(d1);
    assert.equal((await waiting.c.expect('RECEIPT')).headers['receipt-id'], 'c1');
    assert.equal((await waiting.d.expect('RECEIPT')).headers['receipt-id'], 'd1');
    assert.equal(maxPending, 2, `the webhook had ${maxPending} calls at once`);
  });
});
