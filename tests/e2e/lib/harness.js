'use strict';
// Shared e2e harness: a herald child process per test file (own temp config,
// own port), timeout-guarded waiting, a raw STOMP-over-ws client for what the
// libraries hide, @stomp/stompjs and legacy stompjs helpers, HTTP helpers and
// HS256 JWTs. Nothing here sleeps to synchronise: every wait is on an event
// (a frame, a close, a process exit, an HTTP response) guarded by a timeout;
// only server counters without an event (/metrics, /api/info) are polled,
// through waitUntil.
//
// HERALD_BIN names the binary (default build/release/herald). With a
// sanitizer build, a sanitizer report in herald's output fails the suite.

const { spawn } = require('node:child_process');
const nodeHttp = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { EventEmitter } = require('node:events');

const WebSocket = require('ws');
const { Client } = require('@stomp/stompjs');

const HERALD_BIN = process.env.HERALD_BIN || path.resolve(__dirname, '../../../build/release/herald');
const DEFAULT_TIMEOUT = 5000;
const STOMP_PROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp'];

// ---------------------------------------------------------------------------
// Waiting

// Resolves/rejects like `promise`, or rejects after `ms` naming `what`.
function within(promise, ms = DEFAULT_TIMEOUT, what = 'event') {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Polls an async condition until it holds. Only for server state that has
// no event to await (counters in /metrics or /api/info); never a stand-in
// for a frame or a close, which are awaited directly.
async function waitUntil(cond, { timeout = DEFAULT_TIMEOUT, interval = 25, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// A queue of items with awaitable takes: what arrives before anyone waits is
// kept, in order.
class Inbox {
  constructor(name = 'item') {
    this.name = name;
    this.items = [];
    this.all = []; // everything ever pushed, for assertions after the fact
    this.waiters = [];
    this.failure = null;
  }

  push(item) {
    this.all.push(item);
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i];
      if (w.pred(item)) {
        this.waiters.splice(i, 1);
        w.resolve(item);
        return;
      }
    }
    this.items.push(item);
  }

  // No more items will come (e.g. the connection closed): pending and future
  // takes that cannot be satisfied fail at once instead of timing out.
  fail(err) {
    this.failure = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  // The first queued or future item matching pred (default: any).
  take(pred = () => true, ms = DEFAULT_TIMEOUT, what) {
    const i = this.items.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.items.splice(i, 1)[0]);
    if (this.failure) return Promise.reject(this.failure);
    let waiter;
    const p = new Promise((resolve, reject) => {
      waiter = { pred, resolve, reject };
      this.waiters.push(waiter);
    });
    return within(p, ms, what || this.name).catch((e) => {
      const k = this.waiters.indexOf(waiter);
      if (k >= 0) this.waiters.splice(k, 1);
      throw e;
    });
  }

  next(ms = DEFAULT_TIMEOUT, what) {
    return this.take(() => true, ms, what);
  }

  // Takes n items in arrival order.
  async takeN(n, ms = DEFAULT_TIMEOUT, what) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await this.next(ms, `${what || this.name} #${i + 1} of ${n}`));
    return out;
  }
}

// ---------------------------------------------------------------------------
// herald child processes

// YAML emitter for plain objects/arrays/scalars (strings double-quoted, which
// YAML reads like JSON strings). Kept readable for failure diagnostics.
function toYaml(value, indent = '') {
  const scalar = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return value
      .map((v) => {
        if (v !== null && typeof v === 'object') {
          const inner = toYaml(v, indent + '  ').replace(/^\n\s*/, '');
          return `\n${indent}- ${inner}`;
        }
        return `\n${indent}- ${scalar(v)}`;
      })
      .join('');
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return ' {}';
    return keys.map((k) => `\n${indent}${k}:${toYaml(value[k], indent + '  ')}`).join('');
  }
  return ' ' + scalar(value);
}

function deepMerge(base, over) {
  if (over === undefined) return base;
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return over;
  if (over === null || typeof over !== 'object' || Array.isArray(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

const running = new Set();
process.on('exit', () => {
  for (const h of running) {
    try {
      h.proc.kill('SIGKILL');
    } catch {}
  }
});

class Herald {
  constructor(proc, port, dir, output) {
    this.proc = proc;
    this.port = port;
    this.dir = dir;
    this.output = output; // array of stdout/stderr lines
    this.http = `http://127.0.0.1:${port}`;
    this.ws = `ws://127.0.0.1:${port}/ws`;
    this.exited = new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
      else proc.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // 'close' comes after the output streams ended: the log is complete.
    this.closed = new Promise((resolve) => proc.once('close', resolve));
  }

  log() {
    return this.output.join('\n');
  }

  // SIGTERM, wait for the exit; SIGKILL if it hangs. Resolves {code, signal}.
  async stop(ms = 10000) {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    let result;
    try {
      result = await within(this.exited, ms, `herald pid ${this.proc.pid} to exit after SIGTERM`);
    } catch (e) {
      this.proc.kill('SIGKILL');
      await within(this.exited, 5000, 'herald to exit after SIGKILL').catch(() => {});
      throw e;
    } finally {
      running.delete(this);
      if (this.agent) this.agent.destroy();
      // Let the last output lines arrive (sanitizer reports come at exit).
      await within(this.closed, 2000, 'herald output to end').catch(() => {});
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
    this.assertNoSanitizerReport();
    return result;
  }

  // With a sanitizer build (HERALD_BIN=build/debug/herald) a report in the
  // output fails the suite that owns this server.
  assertNoSanitizerReport() {
    const log = this.log();
    const at = log.search(/ERROR: (Address|Leak|Thread)Sanitizer|runtime error: /);
    if (at >= 0) throw new Error(`herald reported a sanitizer error:\n${log.slice(Math.max(0, at - 200), at + 4000)}`);
  }
}

// Starts herald with `config` (merged over test defaults) on 127.0.0.1:0 and
// resolves once it prints its listening line.
async function startHerald(config = {}, { env = {}, args = [], timeout = 10000 } = {}) {
  // A short drain keeps a stuck shutdown cheap; tests about draining set their own.
  const defaults = { threads: 2, log: { level: 'info' }, drain_ms: 1000 };
  const cfg = deepMerge(defaults, config);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-'));
  const file = path.join(dir, 'herald.yaml');
  fs.writeFileSync(file, toYaml(cfg).replace(/^\n/, '') + '\n');
  // herald rejects unknown HERALD_* variables (HERALD_BIN among them).
  const childEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HERALD_')) childEnv[k] = v;
  Object.assign(childEnv, env);
  const proc = spawn(HERALD_BIN, ['--config', file, '--listen', '127.0.0.1:0', ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const listening = new Promise((resolve, reject) => {
    const onLine = (line) => {
      output.push(line);
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    };
    readline.createInterface({ input: proc.stdout }).on('line', onLine);
    readline.createInterface({ input: proc.stderr }).on('line', onLine);
    proc.once('error', reject);
    proc.once('exit', (code, signal) =>
      reject(new Error(`herald exited (code ${code}, signal ${signal}) before listening:\n${output.join('\n')}\nconfig:\n${fs.readFileSync(file, 'utf8')}`)),
    );
  });
  let port;
  try {
    port = await within(listening, timeout, 'herald to print its listening line');
  } catch (e) {
    proc.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const h = new Herald(proc, port, dir, output);
  running.add(h);
  return h;
}

// ---------------------------------------------------------------------------
// HTTP

// One keep-alive connection per server, like a single producer: requests
// made one after another reach herald in that order on one connection.
// (Sequential publishes spread over several connections may be delivered
// out of order: see ordering.test.js.)
function serverAgent(server) {
  if (!server.agent) server.agent = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 });
  return server.agent;
}

// An HTTP request to herald; resolves {status, headers (a Headers), text,
// json (parsed when the body is JSON)}. `agent` picks the connection pool.
function http(server, method, urlPath, { body, headers = {}, json = true, agent = serverAgent(server) } = {}) {
  const hdrs = { ...headers };
  let payload;
  if (body !== undefined) {
    payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    if (!hdrs['content-type']) hdrs['content-type'] = 'application/json';
    hdrs['content-length'] = Buffer.byteLength(payload);
  }
  const done = new Promise((resolve, reject) => {
    const req = nodeHttp.request(server.http + urlPath, { method, headers: hdrs, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        if (json) {
          try {
            parsed = JSON.parse(text);
          } catch {}
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode, headers: h, text, json: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
  return within(done, DEFAULT_TIMEOUT, `${method} ${urlPath}`);
}

// POST /api/publish; asserts nothing, returns the http() result.
function publish(server, destination, body, { headers, apiKey } = {}) {
  const payload = { destination, body };
  if (headers) payload.headers = headers;
  return http(server, 'POST', '/api/publish', {
    body: payload,
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
  });
}

function publishUser(server, user, destination, body, { headers, apiKey } = {}) {
  const payload = { destination, body };
  if (headers) payload.headers = headers;
  return http(server, 'POST', `/api/users/${encodeURIComponent(user)}/publish`, {
    body: payload,
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
  });
}

// Publishes and fails unless herald answered 200 {ok:true}.
async function mustPublish(server, destination, body, opts) {
  const r = await publish(server, destination, body, opts);
  if (r.status !== 200 || !r.json || r.json.ok !== true) {
    throw new Error(`publish to ${destination} failed: HTTP ${r.status} ${r.text}`);
  }
  return r.json;
}

async function mustPublishUser(server, user, destination, body, opts) {
  const r = await publishUser(server, user, destination, body, opts);
  if (r.status !== 200 || !r.json || r.json.ok !== true) {
    throw new Error(`publish to user ${user} ${destination} failed: HTTP ${r.status} ${r.text}`);
  }
  return r.json;
}

// GET /metrics as text.
async function metricsText(server) {
  const r = await http(server, 'GET', '/metrics', { json: false });
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return r.text;
}

// One sample of a Prometheus text exposition: metric(text, 'herald_x',
// 'reason="y"'). undefined when absent.
function metric(text, name, labels = '') {
  const key = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(key));
  return line === undefined ? undefined : Number(line.slice(key.length));
}

// ---------------------------------------------------------------------------
// JWT (HS256) without dependencies

function b64url(data) {
  return Buffer.from(data).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

function makeJwt(payload, secret, header = { alg: 'HS256', typ: 'JWT' }) {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const sig = crypto.createHmac('sha256', secret).update(signingInput).digest();
  return `${signingInput}.${b64url(sig)}`;
}

// ---------------------------------------------------------------------------
// Raw STOMP over ws

function escapeHeader(s) {
  return String(s).replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/:/g, '\\c');
}

function unescapeHeader(s) {
  return s.replace(/\\(.)/g, (m, c) => ({ '\\': '\\', n: '\n', r: '\r', c: ':' })[c] ?? m);
}

// Encodes a frame. Header values are escaped except in CONNECT (§Value
// Encoding); pass {escape:false} to send bytes exactly.
function encodeFrame(command, headers = {}, body = '', { escape = command !== 'CONNECT' && command !== 'STOMP' } = {}) {
  let head = command + '\n';
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    head += `${escape ? escapeHeader(k) : k}:${escape ? escapeHeader(v) : v}\n`;
  }
  return Buffer.concat([Buffer.from(head + '\n'), Buffer.isBuffer(body) ? body : Buffer.from(body), Buffer.from([0])]);
}

// Incremental parser of server frames; EOLs between frames are heart-beats.
class FrameParser {
  constructor(onFrame, onHeartbeat, onError) {
    this.buf = Buffer.alloc(0);
    this.onFrame = onFrame;
    this.onHeartbeat = onHeartbeat;
    this.onError = onError;
  }

  feed(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    for (;;) {
      // Heart-beats / inter-frame EOLs.
      let i = 0;
      while (i < this.buf.length && (this.buf[i] === 0x0a || this.buf[i] === 0x0d)) {
        if (this.buf[i] === 0x0a) this.onHeartbeat();
        i++;
      }
      if (i) this.buf = this.buf.subarray(i);
      if (!this.buf.length) return;
      const headEnd = this.buf.indexOf('\n\n');
      const headEndCr = this.buf.indexOf('\r\n\r\n');
      let end, sep;
      if (headEndCr >= 0 && (headEnd < 0 || headEndCr < headEnd)) [end, sep] = [headEndCr, 4];
      else if (headEnd >= 0) [end, sep] = [headEnd, 2];
      else return;
      const rawHead = this.buf.subarray(0, end).toString('utf8');
      const lines = rawHead.split(/\r?\n/);
      const command = lines.shift();
      const headers = {};
      const headerList = [];
      for (const line of lines) {
        const c = line.indexOf(':');
        if (c < 0) return this.onError(new Error(`bad header line ${JSON.stringify(line)}`));
        let k = line.slice(0, c);
        let v = line.slice(c + 1);
        if (command !== 'CONNECTED') [k, v] = [unescapeHeader(k), unescapeHeader(v)];
        headerList.push([k, v]);
        if (!(k in headers)) headers[k] = v; // first occurrence wins
      }
      const bodyStart = end + sep;
      let bodyEnd;
      if (headers['content-length'] !== undefined) {
        const len = Number(headers['content-length']);
        if (this.buf.length < bodyStart + len + 1) return;
        bodyEnd = bodyStart + len;
        if (this.buf[bodyEnd] !== 0) return this.onError(new Error(`frame ${command}: no NUL after content-length body`));
      } else {
        bodyEnd = this.buf.indexOf(0, bodyStart);
        if (bodyEnd < 0) return;
      }
      const body = this.buf.subarray(bodyStart, bodyEnd);
      this.buf = this.buf.subarray(bodyEnd + 1);
      this.onFrame({ command, headers, headerList, rawHead, body: body.toString('utf8'), bodyBytes: body.length });
    }
  }
}

// A STOMP client over a raw `ws` WebSocket. Every received frame lands in
// `frames` (an Inbox); `closed` resolves with {code, reason} when the socket
// closes; `heartbeats` counts EOLs received.
class RawStomp extends EventEmitter {
  constructor(ws) {
    super();
    this.ws = ws;
    this.frames = new Inbox('frame');
    this.heartbeats = 0;
    this.heartbeatTimes = [];
    this.bytesIn = 0;
    this.parser = new FrameParser(
      (f) => {
        this.frames.push(f);
        this.emit('frame', f);
      },
      () => {
        this.heartbeats++;
        this.heartbeatTimes.push(Date.now());
        this.emit('heartbeat');
      },
      (e) => this.frames.fail(e),
    );
    ws.on('message', (data) => {
      this.bytesIn += data.length;
      this.parser.feed(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        const info = { code, reason: reason.toString() };
        this.closeInfo = info;
        this.frames.fail(new Error(`connection closed (code ${code} ${info.reason}) while waiting for a frame`));
        resolve(info);
      });
    });
    ws.on('error', (e) => this.emit('ws-error', e));
  }

  // Opens a WebSocket to `server` (a Herald or a ws:// URL).
  static open(server, { path: p = '/ws', query = '', protocols = ['v12.stomp'], wsOptions = {}, timeout = DEFAULT_TIMEOUT } = {}) {
    const base = typeof server === 'string' ? server : `ws://127.0.0.1:${server.port}${p}`;
    const ws = new WebSocket(base + query, protocols, wsOptions);
    const client = new RawStomp(ws);
    return within(
      new Promise((resolve, reject) => {
        ws.once('open', () => resolve(client));
        ws.once('unexpected-response', (req, res) => {
          const err = new Error(`WebSocket handshake refused with HTTP ${res.statusCode}`);
          err.statusCode = res.statusCode;
          res.resume();
          reject(err);
        });
        ws.once('error', reject);
      }),
      timeout,
      `WebSocket open to ${base}`,
    );
  }

  // Opens and CONNECTs; resolves to the client (CONNECTED frame in .connected).
  static async connect(server, connectHeaders = {}, openOpts = {}) {
    const c = await RawStomp.open(server, openOpts);
    await c.connect(connectHeaders);
    return c;
  }

  sendRaw(data) {
    this.ws.send(data);
  }

  send(command, headers = {}, body = '') {
    this.ws.send(encodeFrame(command, headers, body));
  }

  // Sends CONNECT and waits for CONNECTED; an ERROR rejects with its message.
  async connect(headers = {}, ms = DEFAULT_TIMEOUT) {
    this.send('CONNECT', { 'accept-version': '1.0,1.1,1.2', host: '127.0.0.1', ...headers });
    const f = await this.frames.next(ms, 'CONNECTED');
    if (f.command !== 'CONNECTED') {
      const err = new Error(`expected CONNECTED, got ${f.command}: ${f.headers.message || f.body}`);
      err.frame = f;
      throw err;
    }
    this.connected = f;
    return f;
  }

  // Next frame, which must have `command`.
  async expect(command, ms = DEFAULT_TIMEOUT) {
    const f = await this.frames.next(ms, command);
    if (f.command !== command) {
      throw new Error(`expected ${command}, got ${f.command} ${JSON.stringify(f.headers)} ${f.body}`);
    }
    return f;
  }

  // Sends a frame with a receipt header and waits for that RECEIPT; an
  // ERROR instead fails. Other frames (MESSAGEs) stay queued, in order.
  async sendWithReceipt(command, headers = {}, body = '', ms = DEFAULT_TIMEOUT) {
    const receipt = `r-${crypto.randomUUID()}`;
    this.send(command, { ...headers, receipt }, body);
    const f = await this.frames.take(
      (x) => x.command === 'ERROR' || (x.command === 'RECEIPT' && x.headers['receipt-id'] === receipt),
      ms,
      `RECEIPT ${receipt}`,
    );
    if (f.command !== 'RECEIPT' || f.headers['receipt-id'] !== receipt) {
      throw new Error(`expected RECEIPT ${receipt}, got ${f.command} ${JSON.stringify(f.headers)} ${f.body}`);
    }
    return f;
  }

  subscribe(destination, id, headers = {}) {
    return this.sendWithReceipt('SUBSCRIBE', { destination, id, ...headers });
  }

  // Takes the next MESSAGE frame (other frames are errors).
  message(ms = DEFAULT_TIMEOUT) {
    return this.expect('MESSAGE', ms);
  }

  close(code = 1000) {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code);
    return within(this.closed, DEFAULT_TIMEOUT, 'WebSocket close');
  }

  terminate() {
    this.ws.terminate();
    return this.closed;
  }
}

// ---------------------------------------------------------------------------
// @stomp/stompjs (v7)

// Connects a @stomp/stompjs Client; resolves to {client, connected, errors,
// closed} once CONNECTED arrives. No reconnects: a test sees every failure.
function stompClient(server, { connectHeaders = {}, query = '', protocols = STOMP_PROTOCOLS, heartbeatIncoming = 0, heartbeatOutgoing = 0, timeout = DEFAULT_TIMEOUT, ...rest } = {}) {
  const url = `${server.ws}${query}`;
  const errors = new Inbox('ERROR frame');
  let resolveClosed;
  const closed = new Promise((r) => (resolveClosed = r));
  const client = new Client({
    brokerURL: url,
    webSocketFactory: () => new WebSocket(url, protocols),
    connectHeaders,
    reconnectDelay: 0,
    heartbeatIncoming,
    heartbeatOutgoing,
    debug: () => {},
    ...rest,
  });
  const connected = new Promise((resolve, reject) => {
    client.onConnect = resolve;
    client.onStompError = (f) => {
      errors.push(f);
      reject(new Error(`STOMP ERROR: ${f.headers.message} ${f.body}`));
    };
    client.onWebSocketClose = (ev) => {
      resolveClosed({ code: ev.code, reason: ev.reason });
      errors.fail(new Error(`closed with ${ev.code}`));
      reject(new Error(`WebSocket closed (code ${ev.code}) before CONNECTED`));
    };
  });
  client.activate();
  return within(connected, timeout, 'stompjs CONNECTED').then(
    (frame) => ({ client, connected: frame, errors, closed }),
    async (e) => {
      await client.deactivate().catch(() => {});
      throw e;
    },
  );
}

// Subscribes and waits for the subscription's RECEIPT, so a publish right
// after cannot race it. Returns an Inbox of IMessage plus the subscription.
async function stompSubscribe(client, destination, headers = {}, ms = DEFAULT_TIMEOUT) {
  const inbox = new Inbox(`message on ${destination}`);
  const receipt = `sub-${crypto.randomUUID()}`;
  const got = new Promise((resolve) => client.watchForReceipt(receipt, resolve));
  const sub = client.subscribe(destination, (m) => inbox.push(m), { ...headers, receipt });
  await within(got, ms, `RECEIPT for SUBSCRIBE ${destination}`);
  inbox.subscription = sub;
  return inbox;
}

// Sends with a receipt and waits for it.
async function stompPublish(client, params, ms = DEFAULT_TIMEOUT) {
  const receipt = `send-${crypto.randomUUID()}`;
  const got = new Promise((resolve) => client.watchForReceipt(receipt, resolve));
  client.publish({ ...params, headers: { ...(params.headers || {}), receipt } });
  return within(got, ms, `RECEIPT for SEND ${params.destination}`);
}

// ---------------------------------------------------------------------------
// Legacy stompjs 2.3.3 (STOMP 1.0/1.1 only)

function legacyStomp(server, { protocols = ['v11.stomp', 'v10.stomp'], headers = {}, timeout = DEFAULT_TIMEOUT } = {}) {
  const Stomp = require('stompjs');
  const ws = new WebSocket(server.ws, protocols);
  const client = Stomp.over(ws);
  client.debug = null;
  client.heartbeat.outgoing = 0;
  client.heartbeat.incoming = 0;
  return within(
    new Promise((resolve, reject) => {
      client.connect(
        headers,
        (frame) => resolve({ client, ws, frame }),
        (err) => reject(new Error(`legacy connect failed: ${err && err.headers ? err.headers.message : err}`)),
      );
    }),
    timeout,
    'legacy stompjs CONNECTED',
  );
}

// Closes whatever a test opened: RawStomp, stompClient() results, legacy
// clients, bare ws sockets. Errors are ignored: the thing may be gone already.
async function dispose(thing) {
  if (!thing) return;
  try {
    if (thing instanceof RawStomp) {
      thing.ws.terminate();
      await within(thing.closed, 2000, 'raw client close');
    } else if (thing.client && typeof thing.client.deactivate === 'function') {
      await within(thing.client.deactivate({ force: true }), 2000, 'stompjs deactivate');
    } else if (thing.ws instanceof WebSocket) {
      thing.ws.terminate();
    } else if (thing instanceof WebSocket) {
      thing.terminate();
    }
  } catch {}
}

// Registers clients to be closed when test `t` ends; returns the first.
function track(t, ...things) {
  t.after(() => Promise.all(things.map(dispose)));
  return things[0];
}

// Resolves with the close event of a `ws` WebSocket.
function wsClosed(ws) {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve({ code: null, reason: '' });
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

module.exports = {
  HERALD_BIN,
  DEFAULT_TIMEOUT,
  STOMP_PROTOCOLS,
  within,
  waitUntil,
  Inbox,
  startHerald,
  toYaml,
  http,
  publish,
  publishUser,
  mustPublish,
  mustPublishUser,
  metricsText,
  metric,
  makeJwt,
  encodeFrame,
  FrameParser,
  RawStomp,
  stompClient,
  stompSubscribe,
  stompPublish,
  legacyStomp,
  wsClosed,
  dispose,
  track,
  WebSocket,
};
