'use strict';
// Limits: frame size and header limits, subscriptions, sessions per user,
// the CONNECT deadline, slow consumers (close vs drop_oldest), the
// open-file limit and the HTTP handshake deadline.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { once } = require('node:events');
const h = require('../lib/harness');

describe('frame and session limits', () => {
  let server;
  before(async () => {
    server = await h.startHerald({
      destinations: { client_send: ['/topic/**'] },
      limits: {
        max_frame_bytes: 2048,
        max_headers: 8,
        max_header_bytes: 256,
        max_subscriptions: 4,
        max_connections_per_user: 2,
        connect_timeout_ms: 600,
      },
    });
  });
  after(() => server && server.stop());

  const raw = async (t, login) => h.track(t, await h.RawStomp.connect(server, { login }));

  it('answers a frame over max_frame_bytes with ERROR and close; other sessions keep working', async (t) => {
    const bystander = await raw(t, 'bystander');
    await bystander.subscribe('/topic/big', 'b');
    const offender = await raw(t, 'offender');
    offender.send('SEND', { destination: '/topic/big' }, 'y'.repeat(4000));
    const err = await offender.expect('ERROR');
    assert.match(err.headers.message, /size limit|too large/i);
    const closed = await h.within(offender.closed, 5000, 'offender close');
    assert.equal(closed.code, 1002);

    // The bystander saw nothing of it and still sends and receives.
    await bystander.sendWithReceipt('SEND', { destination: '/topic/big' }, 'small');
    const m = await bystander.message();
    assert.equal(m.body, 'small');
    await h.mustPublish(server, '/topic/big', 'via http');
    assert.equal((await bystander.message()).body, 'via http');
    assert.equal(bystander.frames.all.filter((f) => f.command === 'MESSAGE').length, 2);
  });

  it('catches an oversize frame that arrives in many small WebSocket messages', async (t) => {
    const c = await raw(t, 'streamer');
    const frame = h.encodeFrame('SEND', { destination: '/topic/big' }, 'z'.repeat(6000));
    const errP = c.expect('ERROR');
    // Stop before the NUL: the limit must trip on the bytes, not the end.
    for (let i = 0; i < frame.length - 1 && c.ws.readyState === h.WebSocket.OPEN; i += 500) {
      c.sendRaw(frame.subarray(i, Math.min(i + 500, frame.length - 1)));
    }
    const err = await errP;
    assert.match(err.headers.message, /size limit|too large/i);
    await h.within(c.closed, 5000, 'close');
  });

  it('refuses a content-length over the limit without waiting for the body', async (t) => {
    const c = await raw(t, 'liar');
    c.sendRaw(`SEND\ndestination:/topic/big\ncontent-length:1000000\n\nonly a little`);
    const err = await c.expect('ERROR');
    assert.match(err.headers.message, /size limit|too large|content-length/i);
    await h.within(c.closed, 5000, 'close');
  });

  it('accepts a frame under the limit', async (t) => {
    const c = await raw(t, 'fits');
    await c.subscribe('/topic/fits', 'f');
    const body = 'k'.repeat(1500);
    await c.sendWithReceipt('SEND', { destination: '/topic/fits' }, body);
    assert.equal((await c.message()).body, body);
  });

  it('refuses a frame with more than max_headers headers', async (t) => {
    const c = await raw(t, 'headers');
    const headers = { destination: '/topic/h' };
    for (let i = 0; i < 12; i++) headers[`x-h${i}`] = String(i);
    c.send('SEND', headers, 'x');
    const err = await c.expect('ERROR');
    assert.match(err.headers.message, /too many headers/);
    await h.within(c.closed, 5000, 'close');
  });

  it('refuses a header line longer than max_header_bytes', async (t) => {
    const c = await raw(t, 'longheader');
    c.send('SEND', { destination: '/topic/h', 'x-long': 'v'.repeat(400) }, 'x');
    const err = await c.expect('ERROR');
    assert.match(err.headers.message, /header line exceeds|length limit/);
    await h.within(c.closed, 5000, 'close');
  });

  it('refuses more than max_subscriptions subscriptions on one connection', async (t) => {
    const c = await raw(t, 'subs');
    for (let i = 0; i < 4; i++) await c.subscribe(`/topic/s${i}`, `s${i}`);
    c.send('SUBSCRIBE', { destination: '/topic/s4', id: 's4' });
    const err = await c.expect('ERROR');
    assert.match(err.headers.message, /too many subscriptions/);
    const closed = await h.within(c.closed, 5000, 'close');
    assert.equal(closed.code, 1008);
  });

  it('UNSUBSCRIBE frees a subscription slot', async (t) => {
    const c = await raw(t, 'subs2');
    for (let i = 0; i < 4; i++) await c.subscribe(`/topic/s${i}`, `s${i}`);
    await c.sendWithReceipt('UNSUBSCRIBE', { id: 's0' });
    await c.subscribe('/topic/s4', 's4');
  });

  it('refuses a session over max_connections_per_user and frees the slot when one ends', async (t) => {
    const a = await raw(t, 'limited');
    const b = await raw(t, 'limited');
    const other = await raw(t, 'someone-else'); // other users are not affected
    assert.equal(other.connected.headers['user-name'], 'someone-else');

    const third = h.track(t, await h.RawStomp.open(server));
    third.send('CONNECT', { 'accept-version': '1.2', host: 'x', login: 'limited' });
    const err = await third.expect('ERROR');
    assert.match(err.headers.message, /too many sessions/);
    assert.equal((await h.within(third.closed, 5000, 'close')).code, 1008);

    b.send('DISCONNECT', { receipt: 'bye' });
    await b.expect('RECEIPT');
    await h.within(b.closed, 5000, 'b close');
    // The server frees the slot once it has torn b down; try as a client would.
    const again = await h.waitUntil(
      async () => {
        const c = await h.RawStomp.open(server);
        h.track(t, c);
        try {
          await c.connect({ login: 'limited' });
          return c;
        } catch {
          return null;
        }
      },
      { what: 'a third session of the user to be accepted after one ended' },
    );
    assert.equal(again.connected.headers['user-name'], 'limited');
    assert.equal(a.ws.readyState, h.WebSocket.OPEN);
  });

  it('closes a connection that sends no CONNECT within connect_timeout_ms', async (t) => {
    // Timed from before the WebSocket opens: herald's deadline starts later,
    // so a late 'open' event here cannot shorten the span.
    const opened = Date.now();
    const c = h.track(t, await h.RawStomp.open(server));
    const err = await c.expect('ERROR', 5000);
    const elapsed = Date.now() - opened;
    assert.match(err.headers.message, /no CONNECT/);
    assert.ok(elapsed >= 500, `closed after ${elapsed} ms, connect_timeout_ms is 600`);
    await h.within(c.closed, 5000, 'close');
  });
});

describe('limits.max_connections', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ limits: { max_connections: 3 } });
  });
  after(() => server && server.stop());

  it('refuses connections over the limit and accepts again once one closes', async (t) => {
    // No HTTP before this point: the harness's keep-alive connection would count.
    const open = [];
    for (let i = 0; i < 3; i++) open.push(h.track(t, await h.RawStomp.connect(server, { login: `c${i}` })));
    await assert.rejects(h.RawStomp.open(server), (e) => !e.statusCode, 'a 4th connection must fail');
    await open[0].close();
    // The server frees the slot when it has torn the connection down; poll
    // by trying, as a client would.
    const again = await h.waitUntil(
      () => h.RawStomp.connect(server, { login: 'again' }).catch(() => null),
      { what: 'a connection to be accepted after one closed' },
    );
    h.track(t, again);
    assert.equal(again.connected.headers['user-name'], 'again');
    for (const c of open.slice(1)) assert.equal(c.ws.readyState, h.WebSocket.OPEN);
    await again.close();
    await open[1].close();
    const text = await h.waitUntil(() => h.metricsText(server).catch(() => null), { what: '/metrics' });
    assert.ok(h.metric(text, 'herald_connections_refused_total') >= 1);
  });
});

describe('slow consumers', () => {
  // 64 KiB of pending output per connection; messages of ~16 KiB. A paused
  // reader first fills the kernel's socket buffers (megabytes), then its
  // outbox; only then does the policy apply, so the tests publish until
  // herald reports that it acted, pacing each publish on the fast reader so
  // that the fast reader itself never lags.
  const PENDING = 65536;
  const PAD = 'x'.repeat(16 * 1024);
  const MAX_MESSAGES = 8000; // ~128 MB: far past any socket buffer
  const MAX_MS = 30000;
  let server;
  before(async () => {
    server = await h.startHerald({
      limits: { max_pending_bytes: PENDING },
      slow_consumer: { user: 'close', topic: 'drop_oldest' },
    });
  });
  after(() => server && server.stop());

  const index = (f) => Number(f.body.split('|')[0]);

  // Publishes numbered messages with `send(i)` until `done(metricsText)`
  // holds (checked every 32 messages), then `extra` more. Each publish waits
  // until `fast` has the previous one. Returns the number published.
  async function flood({ send, fast, done, extra = 20 }) {
    const start = Date.now();
    let i = 0;
    let reached = false;
    for (; ; i++) {
      await send(i);
      const m = await fast.message(10000);
      assert.equal(index(m), i, 'the fast consumer receives every message in order');
      if (!reached && i % 32 === 31 && (await done(await h.metricsText(server)))) {
        reached = true;
        extra += i;
      }
      if (reached && i >= extra) break;
      if (i >= MAX_MESSAGES || Date.now() - start > MAX_MS) {
        assert.fail(`herald did not apply the slow-consumer policy after ${i + 1} messages of ${PAD.length} bytes`);
      }
    }
    return i + 1;
  }

  it('closes a user-destination consumer that stops reading; a fast one keeps receiving everything', async (t) => {
    const before = h.metric(await h.metricsText(server), 'herald_closes_total', 'reason="slow_consumer"');
    const slow = h.track(t, await h.RawStomp.connect(server, { login: 'flood' }));
    await slow.subscribe('/user/queue/flood', 's');
    const fast = h.track(t, await h.RawStomp.connect(server, { login: 'flood' }));
    await fast.subscribe('/user/queue/flood', 'f');
    slow.ws._socket.pause();

    const total = await flood({
      send: (i) => h.mustPublishUser(server, 'flood', '/queue/flood', `${i}|${PAD}`),
      fast,
      done: (text) => h.metric(text, 'herald_closes_total', 'reason="slow_consumer"') > before,
    });
    assert.equal(fast.ws.readyState, h.WebSocket.OPEN, 'the fast consumer is still connected');

    // The slow reader, resumed, finds a gap-free prefix and then the end.
    slow.ws._socket.resume();
    await h.within(slow.closed, 10000, 'the slow consumer to see its connection end');
    const frames = slow.frames.all.filter((f) => f.command === 'MESSAGE');
    const got = frames.map(index);
    assert.ok(got.length < total, `slow consumer got ${got.length} of ${total} messages`);
    const gap = got.findIndex((n, k) => n !== k);
    const around = frames.slice(Math.max(0, gap - 2), gap + 3).map((f) => `${index(f)}:${f.headers['message-id']}`);
    assert.equal(
      gap,
      -1,
      `a closed slow consumer receives every message in order up to the close; at position ${gap} of ${got.length}: ${around.join(' ')}`,
    );
  });

  it('drop_oldest on topics: a paused subscriber is not closed and later gets the newest messages', async (t) => {
    const text0 = await h.metricsText(server);
    const closes0 = h.metric(text0, 'herald_closes_total', 'reason="slow_consumer"');
    const dropped0 = h.metric(text0, 'herald_dropped_total');
    const slow = h.track(t, await h.RawStomp.connect(server, { login: 'lagging' }));
    await slow.subscribe('/topic/firehose', 's');
    const fast = h.track(t, await h.RawStomp.connect(server, { login: 'keeping-up' }));
    await fast.subscribe('/topic/firehose', 'f');
    slow.ws._socket.pause();

    const total = await flood({
      send: (i) => h.mustPublish(server, '/topic/firehose', `${i}|${PAD}`),
      fast,
      done: (text) => h.metric(text, 'herald_dropped_total') > dropped0,
    });

    slow.ws._socket.resume();
    await h.mustPublish(server, '/topic/firehose', `${total}|last`);
    await slow.frames.take((f) => f.command === 'MESSAGE' && index(f) === total, 10000, 'the last message on the slow subscriber');
    assert.equal((await fast.message()).body, `${total}|last`);
    assert.equal(slow.ws.readyState, h.WebSocket.OPEN, 'drop_oldest must not close the subscriber');

    const text1 = await h.metricsText(server);
    assert.equal(h.metric(text1, 'herald_closes_total', 'reason="slow_consumer"'), closes0);
    const dropped = h.metric(text1, 'herald_dropped_total') - dropped0;
    const got = slow.frames.all.filter((f) => f.command === 'MESSAGE').map(index);
    assert.ok(dropped > 0);
    const disorder = got.findIndex((n, k) => k > 0 && n <= got[k - 1]);
    assert.equal(disorder, -1, `order is kept across drops; received ${JSON.stringify(got.slice(Math.max(0, disorder - 3), disorder + 3))} around position ${disorder}`);
    assert.equal(got.length + dropped, total + 1, 'every message was either delivered or counted as dropped');
  });

  it(
    'drop_oldest: x-herald-dropped on the first message after a gap tells how many were dropped',
    async (t) => {
      const slow = h.track(t, await h.RawStomp.connect(server, { login: 'lagging2' }));
      await slow.subscribe('/topic/firehose2', 's');
      const fast = h.track(t, await h.RawStomp.connect(server, { login: 'keeping-up2' }));
      await fast.subscribe('/topic/firehose2', 'f');
      const dropped0 = h.metric(await h.metricsText(server), 'herald_dropped_total');
      slow.ws._socket.pause();
      const total = await flood({
        send: (i) => h.mustPublish(server, '/topic/firehose2', `${i}|${PAD}`),
        fast,
        done: (text) => h.metric(text, 'herald_dropped_total') > dropped0,
      });
      slow.ws._socket.resume();
      await h.mustPublish(server, '/topic/firehose2', `${total}|last`);
      await slow.frames.take((f) => f.command === 'MESSAGE' && index(f) === total, 10000, 'the last message');
      const msgs = slow.frames.all.filter((f) => f.command === 'MESSAGE');
      let prev = -1;
      let announced = 0;
      const problems = [];
      for (const f of msgs) {
        const gap = index(f) - prev - 1;
        const notice = Number(f.headers['x-herald-dropped'] || 0);
        announced += notice;
        if (gap !== notice) problems.push(`message ${index(f)}: gap of ${gap} before it, x-herald-dropped ${notice}`);
        prev = index(f);
      }
      assert.deepEqual(problems, [], `announced ${announced} drops in headers; ${total + 1 - msgs.length} were dropped`);
    },
  );
});

describe('ERROR frames under outbox pressure', () => {
  // Herald echoes an unknown transaction name in its ERROR ("unknown
  // transaction '<name>'"), so a long name makes a large ERROR frame.
  const limits = { max_pending_bytes: 4096, max_header_bytes: 65536, max_frame_bytes: 131072 };

  it(
    'an ERROR larger than max_pending_bytes + slack still reaches the client',
    async (t) => {
      const server = await h.startHerald({ limits });
      t.after(() => server.stop());
      const c = h.track(t, await h.RawStomp.connect(server, { login: 'verbose' }));
      c.send('SEND', { destination: '/topic/x', transaction: 't'.repeat(12000) }, 'x');
      const closed = await h.within(c.closed, 5000, 'close');
      assert.equal(closed.code, 1002);
      const err = c.frames.all.find((f) => f.command === 'ERROR');
      assert.ok(err, `no ERROR frame before the close; got ${c.frames.all.map((f) => f.command).join(', ')}`);
      assert.match(err.headers.message, /unknown transaction/);
    },
  );

  it(
    'a protocol error while the outbox is full and a write is in flight does not crash herald',
    async (t) => {
      const server = await h.startHerald({ limits: { ...limits, max_pending_bytes: 65536 }, slow_consumer: { topic: 'drop_oldest' } });
      t.after(() => server.stop().catch(() => {}));
      const c = h.track(t, await h.RawStomp.connect(server, { login: 'stuck' }));
      await c.subscribe('/topic/stuck', 's');
      c.ws._socket.pause();
      // Fill the socket buffers and the outbox: drops start once it is full.
      const pad = 'y'.repeat(8000);
      for (let i = 0; ; i++) {
        await h.mustPublish(server, '/topic/stuck', `${i}|${pad}`);
        if (i % 50 === 49 && h.metric(await h.metricsText(server), 'herald_dropped_total') > 0) break;
        assert.ok(i < 20000, 'outbox never filled');
      }
      // Reading is paused, writing is not: an ERROR-causing frame now.
      c.send('SEND', { destination: '/topic/x', transaction: 't'.repeat(50000) }, 'x');
      assert.equal((await h.http(server, 'GET', '/healthz')).status, 200);
      c.ws._socket.resume();
      await h.within(c.closed, 10000, 'the stuck client to be closed');
      const err = c.frames.all.find((f) => f.command === 'ERROR');
      assert.equal(server.proc.signalCode, null, `herald died with ${server.proc.signalCode}`);
      assert.equal(server.proc.exitCode, null, 'herald exited');
      assert.equal((await h.http(server, 'GET', '/healthz')).status, 200);
      assert.ok(err, 'the ERROR frame reached the client');
    },
  );
});

describe('RLIMIT_NOFILE', () => {
  it('clamps limits.max_connections below the open-file limit with a warning, and serves', async (t) => {
    // sh's `ulimit -n` sets the soft and the hard limit, so herald cannot
    // raise it: 512 descriptors, of which herald keeps 64 back.
    const server = await h.startHerald({ limits: { max_connections: 100000 } }, { shell: 'ulimit -n 512' });
    t.after(() => server.stop());
    assert.match(
      server.log(),
      /WARN.*limits\.max_connections=100000 does not fit the open-file limit 512 \(RLIMIT_NOFILE\); using 448/i,
    );
    const info = await h.http(server, 'GET', '/api/info');
    assert.equal(info.status, 200, info.text);
    assert.equal(info.json.max_connections, 448);
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'fd' }));
    await c.subscribe('/topic/fd', 'f');
    await h.mustPublish(server, '/topic/fd', 'served');
    assert.equal((await c.message()).body, 'served');
  });

  it('says nothing when max_connections fits', async (t) => {
    const server = await h.startHerald({ limits: { max_connections: 100 } }, { shell: 'ulimit -n 512' });
    t.after(() => server.stop());
    assert.doesNotMatch(server.log(), /RLIMIT_NOFILE/);
    assert.equal((await h.http(server, 'GET', '/api/info')).json.max_connections, 100);
  });
});

describe('limits.handshake_timeout_ms', () => {
  // Only raw sockets talk to this server: with so short a deadline, the
  // harness's idle keep-alive connection would be closed under it too.
  let server;
  before(async () => {
    server = await h.startHerald({ limits: { handshake_timeout_ms: 200 } });
  });
  after(() => server && server.stop());

  // Connects, writes `bytes` (if any), and resolves once the server has
  // closed the connection (the client never ends it itself).
  const closedByServer = async (bytes) => {
    const s = net.connect(server.port, '127.0.0.1');
    s.on('error', () => {}); // a reset is a close as well
    try {
      const closed = once(s, 'close');
      await h.within(once(s, 'connect'), 5000, 'TCP connect');
      if (bytes) s.write(bytes);
      await h.within(closed, 10000, 'the server to close the connection');
    } finally {
      s.destroy();
    }
  };

  it('closes a connection that sends nothing', async () => {
    await closedByServer(null);
  });

  it('closes a connection whose request headers never end', async () => {
    const partial =
      'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n';
    await closedByServer(partial);
  });
});
