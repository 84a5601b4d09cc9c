'use strict';
// Operations: kicking a user's sessions, the WebSocket origin allow-list,
// graceful shutdown on SIGTERM and SIGINT, and the log file SIGHUP reopens.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const nodeHttp = require('node:http');
const os = require('node:os');
const path = require('node:path');
const h = require('../lib/harness');

describe('DELETE /api/users/{user}/sessions', () => {
  let server;
  before(async () => {
    server = await h.startHerald({});
  });
  after(() => server && server.stop());

  it('sends every session of the user an ERROR and closes it; other users are untouched', async (t) => {
    const a1 = h.track(t, await h.RawStomp.connect(server, { login: 'kicked' }));
    const a2 = h.track(t, await h.RawStomp.connect(server, { login: 'kicked' }));
    const a3 = h.track(t, await h.stompClient(server, { connectHeaders: { login: 'kicked' } }));
    const other = h.track(t, await h.RawStomp.connect(server, { login: 'stays' }));
    await other.subscribe('/user/queue/x', 'x');

    const r = await h.http(server, 'DELETE', '/api/users/kicked/sessions');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { ok: true, user: 'kicked', sessions: 3 });

    for (const c of [a1, a2]) {
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /closed by the server/);
      assert.equal((await h.within(c.closed, 5000, 'kicked close')).code, 1008);
    }
    const err3 = await a3.errors.next(5000);
    assert.match(err3.headers.message, /closed by the server/);
    await h.within(a3.closed, 5000, 'stompjs kicked close');

    await h.mustPublishUser(server, 'stays', '/queue/x', 'unaffected');
    assert.equal((await other.message()).body, 'unaffected');
    assert.equal(other.ws.readyState, h.WebSocket.OPEN);
  });

  it('reports 0 sessions for a user with none, and decodes the user name', async (t) => {
    const r = await h.http(server, 'DELETE', '/api/users/nobody/sessions');
    assert.deepEqual(r.json, { ok: true, user: 'nobody', sessions: 0 });
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'user@example.com' }));
    const r2 = await h.http(server, 'DELETE', `/api/users/${encodeURIComponent('user@example.com')}/sessions`);
    assert.equal(r2.json.sessions, 1);
    assert.equal(r2.json.user, 'user@example.com');
    await c.expect('ERROR');
  });

  it('a kicked user may connect again', async (t) => {
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'returning' }));
    await h.http(server, 'DELETE', '/api/users/returning/sessions');
    await c.expect('ERROR');
    const again = h.track(t, await h.RawStomp.connect(server, { login: 'returning' }));
    await again.subscribe('/user/queue/back', 'b');
    await h.mustPublishUser(server, 'returning', '/queue/back', 'welcome back');
    assert.equal((await again.message()).body, 'welcome back');
  });
});

describe('origin allow-list', () => {
  describe('default (same origin only)', () => {
    let server;
    before(async () => {
      server = await h.startHerald({});
    });
    after(() => server && server.stop());

    it('refuses a foreign Origin with 403', async () => {
      await assert.rejects(
        h.RawStomp.open(server, { wsOptions: { origin: 'http://evil.example' } }),
        (e) => e.statusCode === 403,
      );
    });

    it('accepts the same origin', async (t) => {
      const c = h.track(t, await h.RawStomp.open(server, { wsOptions: { origin: `http://127.0.0.1:${server.port}` } }));
      await c.connect({ login: 'same' });
    });

    it('accepts a request without Origin (non-browser clients)', async (t) => {
      const c = h.track(t, await h.RawStomp.open(server));
      await c.connect({ login: 'no-origin' });
    });

    it('refuses the same host on another port or scheme', async () => {
      for (const origin of [`http://127.0.0.1:${server.port + 1}`, `https://evil.127.0.0.1:${server.port}`]) {
        await assert.rejects(h.RawStomp.open(server, { wsOptions: { origin } }), (e) => e.statusCode === 403, origin);
      }
    });
  });

  describe('configured lists', () => {
    let server;
    before(async () => {
      server = await h.startHerald({
        allowed_origins: ['https://app.example.com', 'https://*.example.org'],
        endpoints: [{ path: '/ws' }, { path: '/partner/ws', allowed_origins: ['https://partner.example.net'] }],
      });
    });
    after(() => server && server.stop());

    const opens = async (t, origin, path = '/ws') => {
      const c = h.track(t, await h.RawStomp.open(server, { path, wsOptions: origin ? { origin } : {} }));
      await c.connect({ login: 'o' });
    };
    const refused = (origin, path = '/ws') =>
      assert.rejects(h.RawStomp.open(server, { path, wsOptions: { origin } }), (e) => e.statusCode === 403, `${origin} on ${path}`);

    it('accepts listed origins and wildcard subdomains, case-insensitively', async (t) => {
      await opens(t, 'https://app.example.com');
      await opens(t, 'https://eu.example.org');
      await opens(t, 'https://a.b.example.org');
      await opens(t, 'HTTPS://APP.EXAMPLE.COM');
      await opens(t, null);
    });

    it('refuses everything else', async () => {
      await refused('https://example.org'); // the wildcard needs a label
      await refused('http://app.example.com'); // wrong scheme
      await refused('https://app.example.com.evil.test');
      await refused('https://evil.test');
      await refused(`http://127.0.0.1:${server.port}`); // a list replaces same-origin
    });

    it('an endpoint with its own list uses only that list', async (t) => {
      await opens(t, 'https://partner.example.net', '/partner/ws');
      await refused('https://app.example.com', '/partner/ws');
      await refused('https://partner.example.net', '/ws');
    });

    it('logs no wildcard warning for a list without "*"', () => {
      assert.doesNotMatch(server.log(), /allowed_origins contains/);
    });
  });

  describe("['*']", () => {
    let server;
    before(async () => {
      server = await h.startHerald({ allowed_origins: ['*'] });
    });
    after(() => server && server.stop());

    it('warns at startup that any web page may open sessions', () => {
      // Logged before the listening line, so it is in the log by now.
      assert.match(server.log(), /warn\w*\s+allowed_origins contains '\*': any web page may open sessions/i);
    });

    it('accepts any origin', async (t) => {
      const c = h.track(t, await h.RawStomp.open(server, { wsOptions: { origin: 'https://anywhere.example' } }));
      await c.connect({ login: 'star' });
    });
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM closes WebSockets with 1001 and the process exits 0', async (t) => {
    const server = await h.startHerald({ drain_ms: 10000 });
    t.after(() => server.stop());
    const raw = h.track(t, await h.RawStomp.connect(server, { login: 'r' }));
    await raw.subscribe('/topic/x', 'x');
    const sj = h.track(t, await h.stompClient(server, { connectHeaders: { login: 's' } }));
    const legacy = h.track(t, await h.legacyStomp(server, { headers: { login: 'l' } }));
    const legacyClosed = h.wsClosed(legacy.ws);

    const started = Date.now();
    server.proc.kill('SIGTERM');
    const [c1, c2, c3] = await h.within(Promise.all([raw.closed, sj.closed, legacyClosed]), 8000, 'clients to be closed');
    assert.equal(c1.code, 1001);
    assert.equal(c2.code, 1001);
    assert.equal(c3.code, 1001);
    const exit = await h.within(server.exited, 10000, 'herald to exit');
    assert.deepEqual(exit, { code: 0, signal: null });
    // Clients closed at once, so the drain ends long before drain_ms.
    assert.ok(Date.now() - started < 5000, `shutdown took ${Date.now() - started} ms`);
    assert.match(server.log(), /draining/);
  });

  it('exits 0 within drain_ms when a client does not answer the close', async (t) => {
    const server = await h.startHerald({ drain_ms: 1500 });
    t.after(() => server.stop());
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'stubborn' }));
    c.ws._socket.pause(); // never reads the close frame
    const started = Date.now();
    server.proc.kill('SIGTERM');
    const exit = await h.within(server.exited, 10000, 'herald to exit');
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(Date.now() - started < 1500 + 4000, `exit after ${Date.now() - started} ms`);
  });

  it(
    'an idle HTTP keep-alive connection does not hold up shutdown until drain_ms',
    async (t) => {
      const server = await h.startHerald({ drain_ms: 6000 });
      t.after(() => server.stop());
      // A keep-alive agent holds its idle connection until the server closes it,
      // as browsers and proxies do.
      const agent = new nodeHttp.Agent({ keepAlive: true });
      t.after(() => agent.destroy());
      const status = await h.within(
        new Promise((resolve, reject) => {
          nodeHttp
            .get(`${server.http}/healthz`, { agent }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode));
            })
            .on('error', reject);
        }),
        5000,
        'GET /healthz',
      );
      assert.equal(status, 200);
      const started = Date.now();
      server.proc.kill('SIGTERM');
      const exit = await h.within(server.exited, 15000, 'herald to exit');
      assert.deepEqual(exit, { code: 0, signal: null });
      const took = Date.now() - started;
      assert.ok(took < 3000, `shutdown took ${took} ms with only an idle keep-alive connection open (drain_ms 6000)`);
    },
  );

  it(
    'SIGTERM right after the listening line still drains and exits 0',
    async () => {
      // Supervisors and tests wait for the listening line, then may stop the
      // server at once. The race is narrow: try a number of times.
      const killed = [];
      for (let i = 0; i < 40; i++) {
        const server = await h.startHerald({});
        server.proc.kill('SIGTERM');
        const exit = await h.within(server.exited, 10000, 'herald to exit');
        await server.stop().catch(() => {});
        if (exit.code !== 0) killed.push(exit);
      }
      assert.deepEqual(killed, [], 'every start must end with a drained exit 0');
    },
  );

  it('SIGINT does what SIGTERM does: WebSockets closed with 1001, exit 0', async (t) => {
    const server = await h.startHerald({ drain_ms: 10000 });
    t.after(() => server.stop());
    const raw = h.track(t, await h.RawStomp.connect(server, { login: 'int-raw' }));
    await raw.subscribe('/topic/x', 'x');
    const sj = h.track(t, await h.stompClient(server, { connectHeaders: { login: 'int-stompjs' } }));

    server.proc.kill('SIGINT');
    const [c1, c2] = await h.within(Promise.all([raw.closed, sj.closed]), 8000, 'clients to be closed');
    assert.equal(c1.code, 1001);
    assert.equal(c2.code, 1001);
    const exit = await h.within(server.exited, 10000, 'herald to exit');
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(server.log(), /signal 2: draining/);
  });

  it('SIGHUP (log reopen) does not stop the server', async (t) => {
    const server = await h.startHerald({});
    t.after(() => server.stop());
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'hup' }));
    await c.subscribe('/topic/hup', 'h');
    server.proc.kill('SIGHUP');
    await h.mustPublish(server, '/topic/hup', 'after HUP');
    assert.equal((await c.message()).body, 'after HUP');
    assert.equal(server.proc.exitCode, null);
  });
});

describe('log.file', () => {
  it('SIGHUP reopens it: after a rename (logrotate), a new file gets the later lines', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-log-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'herald.log');
    const rotated = `${file}.1`;
    // The harness reads the listening line from the file.
    const server = await h.startHerald({ log: { file } });
    t.after(() => server.stop());
    assert.match(fs.readFileSync(file, 'utf8'), /listening on http:/);

    fs.renameSync(file, rotated);
    const created = h.fileCreated(file);
    server.proc.kill('SIGHUP');
    await h.within(created, 5000, 'herald to create a new log file after SIGHUP');

    // Later lines: the drain on SIGTERM.
    server.proc.kill('SIGTERM');
    assert.deepEqual(await h.within(server.exited, 10000, 'herald to exit'), { code: 0, signal: null });
    const now = fs.readFileSync(file, 'utf8');
    const old = fs.readFileSync(rotated, 'utf8');
    assert.match(now, /signal 15: draining/);
    assert.match(now, /stopped \(\d+ connections left\)/);
    assert.doesNotMatch(now, /listening on/);
    assert.match(old, /listening on http:/);
    assert.doesNotMatch(old, /draining/);
  });
});

describe('configuration layers', () => {
  const publishWith = (server, key) =>
    h.http(server, 'POST', '/api/publish', {
      body: { destination: '/topic/x', body: 'x' },
      headers: { authorization: `Bearer ${key}` },
    });

  it('environment overrides the file and --set overrides the environment', async (t) => {
    const fileOnly = await h.startHerald({ api: { key: 'from-file' } });
    t.after(() => fileOnly.stop());
    assert.equal((await publishWith(fileOnly, 'from-file')).status, 200);

    const env = await h.startHerald({ api: { key: 'from-file' } }, { env: { HERALD_API_KEY: 'from-env' } });
    t.after(() => env.stop());
    assert.equal((await publishWith(env, 'from-file')).status, 401);
    assert.equal((await publishWith(env, 'from-env')).status, 200);

    const flag = await h.startHerald(
      { api: { key: 'from-file' } },
      { env: { HERALD_API_KEY: 'from-env' }, args: ['--set', 'api.key=from-flag'] },
    );
    t.after(() => flag.stop());
    assert.equal((await publishWith(flag, 'from-env')).status, 401);
    assert.equal((await publishWith(flag, 'from-flag')).status, 200);
  });

  it('lists from the environment are comma-separated', async (t) => {
    const server = await h.startHerald({}, { env: { HERALD_DESTINATIONS_CLIENT_SEND: '/topic/a.*,/topic/b.*' } });
    t.after(() => server.stop());
    const c = h.track(t, await h.RawStomp.connect(server, { login: 'env-list' }));
    await c.sendWithReceipt('SEND', { destination: '/topic/a.1' }, 'x');
    await c.sendWithReceipt('SEND', { destination: '/topic/b.1' }, 'x');
  });

  it('exits with status 2 on an invalid config, naming the key', async () => {
    await assert.rejects(h.startHerald({ limits: { max_frame_bytes: 10 } }), /exited \(code 2[\s\S]*max_frame_bytes/);
    await assert.rejects(h.startHerald({ no_such_key: 1 }), /exited \(code 2[\s\S]*no_such_key/);
    await assert.rejects(h.startHerald({ auth: { mode: 'jwt' } }), /exited \(code [12][\s\S]*secret/);
    await assert.rejects(h.startHerald({}, { env: { HERALD_NO_SUCH: '1' } }), /exited \(code 2[\s\S]*HERALD_NO_SUCH/);
  });
});
