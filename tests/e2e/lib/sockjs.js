'use strict';
// SockJS helpers: raw HTTP transports (a request whose body is read as it
// streams, a session that sends and polls by hand) for protocol checks, and
// the npm sockjs-client carrying legacy stompjs 2.3.3, as Spring-era front
// ends use them. Every wait is on an event (bytes arriving, a response
// ending, a frame, a receipt) bounded by a timeout.

const assert = require('node:assert/strict');
const nodeHttp = require('node:http');
const crypto = require('node:crypto');
const WebSocket = require('ws');
const { DEFAULT_TIMEOUT, within, Inbox } = require('./wait');
const { wsClosed } = require('./clients');

// ---------------------------------------------------------------------------
// Raw HTTP

// One HTTP request on its own connection (never pooled: a pending long poll
// must not hold up the next request). The body is collected as it arrives:
// `until(pred)` waits for the text so far to satisfy pred; `done` resolves
// {status, headers, text} when the response ends (or {aborted: true, ...}
// after abort()); `response` resolves once the status line and headers came.
class HttpStream {
  constructor(server, method, urlPath, { headers = {}, body } = {}) {
    this.method = method;
    this.path = urlPath;
    this.text = '';
    this.bytes = 0;
    this.status = undefined;
    this.headers = undefined;
    this.aborted = false;
    this.ended = false;
    this.waiters = [];
    const hdrs = { ...headers };
    let payload;
    if (body !== undefined) {
      payload = Buffer.isBuffer(body) ? body : Buffer.from(String(body));
      hdrs['content-length'] = payload.length;
    }
    let resolveResponse, rejectResponse, resolveDone, rejectDone;
    this.response = new Promise((res, rej) => ((resolveResponse = res), (rejectResponse = rej)));
    this.done = new Promise((res, rej) => ((resolveDone = res), (rejectDone = rej)));
    // Nobody may ever look at these; keep unobserved rejections quiet.
    this.response.catch(() => {});
    this.done.catch(() => {});
    const decoder = new TextDecoder('utf-8');
    this.req = nodeHttp.request(server.http + urlPath, { method, headers: hdrs, agent: false }, (res) => {
      this.status = res.statusCode;
      this.headers = res.headers;
      this.res = res;
      resolveResponse(this);
      res.on('data', (chunk) => {
        this.bytes += chunk.length;
        this.text += decoder.decode(chunk, { stream: true });
        this.check();
      });
      const finish = () => {
        if (this.ended) return;
        this.ended = true;
        this.text += decoder.decode();
        this.check();
        for (const w of this.waiters.splice(0)) w.reject(new Error(`${method} ${urlPath} ended (HTTP ${this.status}) before ${w.what}; got ${JSON.stringify(this.text.slice(-300))}`));
        resolveDone({ status: this.status, headers: this.headers, text: this.text, aborted: this.aborted });
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', () => finish());
    });
    this.req.on('error', (e) => {
      if (this.aborted) {
        resolveResponse(this);
        resolveDone({ status: this.status, headers: this.headers, text: this.text, aborted: true });
        return;
      }
      rejectResponse(e);
      for (const w of this.waiters.splice(0)) w.reject(e);
      rejectDone(e);
    });
    this.req.end(payload);
  }

  check() {
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i];
      if (w.pred(this.text)) {
        this.waiters.splice(i, 1);
        w.resolve(this.text);
      } else i++;
    }
  }

  // Resolves with the text so far once pred(text) holds; pred may also be a
  // string the text must contain.
  until(pred, ms = DEFAULT_TIMEOUT, what) {
    const p = typeof pred === 'string' ? (t) => t.includes(pred) : pred;
    const label = what || (typeof pred === 'string' ? JSON.stringify(pred) : 'expected data');
    if (p(this.text)) return Promise.resolve(this.text);
    if (this.ended) return Promise.reject(new Error(`${this.method} ${this.path} ended before ${label}; got ${JSON.stringify(this.text.slice(-300))}`));
    let waiter;
    const got = new Promise((resolve, reject) => {
      waiter = { pred: p, resolve, reject, what: label };
      this.waiters.push(waiter);
    });
    return within(got, ms, `${label} on ${this.method} ${this.path} (so far ${JSON.stringify(this.text.slice(-200))})`).catch((e) => {
      const k = this.waiters.indexOf(waiter);
      if (k >= 0) this.waiters.splice(k, 1);
      throw e;
    });
  }

  // Waits for the end of the response.
  finished(ms = DEFAULT_TIMEOUT) {
    return within(this.done, ms, `end of ${this.method} ${this.path}`);
  }

  // Drops the connection (a client that goes away mid-request).
  abort() {
    if (this.ended) return;
    this.aborted = true;
    this.req.destroy();
    if (this.res) this.res.destroy();
  }
}

// A request on its own connection, resolved when it ends: {status, headers
// (plain object, lower-case names), text}.
function sjHttp(server, method, urlPath, opts = {}, ms = DEFAULT_TIMEOUT) {
  return new HttpStream(server, method, urlPath, opts).finished(ms);
}

// Splits a SockJS xhr body ("o\n", "a[...]\n", "h\n", "c[...]\n") into frames.
function xhrFrames(text) {
  return text.split('\n').filter((l) => l.length > 0);
}

// The messages of every a[...] frame in `frames`, flattened.
function arrayMessages(frames) {
  const out = [];
  for (const f of frames) if (f[0] === 'a') out.push(...JSON.parse(f.slice(1)));
  return out;
}

function randomId() {
  return crypto.randomBytes(8).toString('hex');
}

// One SockJS session driven by hand over HTTP: base is the endpoint path
// (e.g. '/echo'), transport URLs are base/<serverId>/<sessionId>/<name>.
class SjSession {
  constructor(server, base, { serverId = String(crypto.randomInt(1000)).padStart(3, '0'), sessionId = randomId(), headers = {} } = {}) {
    this.server = server;
    this.base = base;
    this.serverId = serverId;
    this.sessionId = sessionId;
    this.headers = headers;
  }

  url(transport, query = '') {
    return `${this.base}/${this.serverId}/${this.sessionId}/${transport}${query}`;
  }

  // POST xhr, resolved when answered: {status, headers, text, frames}.
  async poll(ms = DEFAULT_TIMEOUT) {
    const r = await sjHttp(this.server, 'POST', this.url('xhr'), { headers: this.headers }, ms);
    return { ...r, frames: xhrFrames(r.text) };
  }

  // POST xhr without waiting: an HttpStream.
  pollStream(transport = 'xhr', { method = 'POST', query = '' } = {}) {
    return new HttpStream(this.server, method, this.url(transport, query), { headers: this.headers });
  }

  // Opens the session with a first poll, which must answer "o\n".
  async open() {
    const r = await this.poll();
    if (r.status !== 200 || r.text !== 'o\n') throw new Error(`open of ${this.url('xhr')}: HTTP ${r.status} ${JSON.stringify(r.text)}`);
    return r;
  }

  // POST xhr_send with `messages` (an array, JSON-encoded here) or a raw body.
  send(messages, { raw, headers = {} } = {}) {
    const body = raw !== undefined ? raw : JSON.stringify(messages);
    return sjHttp(this.server, 'POST', this.url('xhr_send'), {
      body,
      headers: { 'content-type': 'text/plain;charset=UTF-8', ...this.headers, ...headers },
    });
  }

  async mustSend(messages) {
    const r = await this.send(messages);
    if (r.status !== 204) throw new Error(`xhr_send to ${this.url('xhr_send')}: HTTP ${r.status} ${JSON.stringify(r.text)}`);
    return r;
  }

  // Polls until `n` messages arrived (polls answer as soon as they have
  // something, so several may be needed); returns them.
  async receive(n = 1, ms = DEFAULT_TIMEOUT) {
    const deadline = Date.now() + ms;
    const got = [];
    while (got.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${n} messages on ${this.url('xhr')}, got ${JSON.stringify(got)}`);
      const r = await this.poll(left);
      if (r.status !== 200) throw new Error(`poll ${this.url('xhr')}: HTTP ${r.status} ${r.text}`);
      for (const f of r.frames) {
        if (f[0] === 'c') throw new Error(`session closed while receiving: ${f}`);
      }
      got.push(...arrayMessages(r.frames));
    }
    return got;
  }
}

// ---------------------------------------------------------------------------
// sockjs-client + legacy stompjs 2.3.3

// A STOMP session through the npm sockjs-client (Node build) and legacy
// stompjs 2.3.3: new SockJS(url, null, {transports}), Stomp.over(sock).
// Resolves {client, sock, frame, closed, errors} once CONNECTED came;
// client-side heart-beats are off unless asked for. `closed` resolves with
// the SockJS close event {code, reason}.
function sockjsStomp(server, { path = '/websocket/mq', transports, headers = {}, heartbeat = { outgoing: 0, incoming: 0 }, timeout = 10000, sockOptions = {} } = {}) {
  const SockJS = require('sockjs-client');
  const Stomp = require('stompjs');
  const opts = { ...sockOptions };
  if (transports) opts.transports = transports;
  const sock = new SockJS(`${server.http}${path}`, null, opts);
  const closed = new Promise((resolve) => sock.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean })));
  const client = Stomp.over(sock);
  client.debug = null;
  client.heartbeat.outgoing = heartbeat.outgoing;
  client.heartbeat.incoming = heartbeat.incoming;
  // stompjs 2.3.3 hands ERROR frames and the loss of the connection (a
  // string) to connect's error callback; all of them land in `errors`.
  const errors = new Inbox('stompjs error callback');
  const connected = new Promise((resolve, reject) => {
    client.connect(
      headers,
      (frame) => resolve({ client, sock, frame, closed, errors }),
      (err) => {
        errors.push(err);
        reject(new Error(`SockJS STOMP connect failed: ${err && err.headers ? `${err.headers.message} ${err.body}` : err}`));
      },
    );
  });
  return within(connected, timeout, `STOMP CONNECTED over SockJS ${path} ${transports ? transports.join(',') : ''}`).catch((e) => {
    try {
      sock.close();
    } catch {}
    throw e;
  });
}

// stompjs 2.3.3 reports receipts through client.onreceipt only; this chains
// handlers so several waits can be outstanding.
function legacyReceipt(client, receipt, ms = DEFAULT_TIMEOUT) {
  const got = new Promise((resolve) => {
    const prev = client.onreceipt;
    client.onreceipt = (frame) => {
      if (frame.headers['receipt-id'] === receipt) {
        client.onreceipt = prev;
        resolve(frame);
      } else if (prev) prev(frame);
    };
  });
  return within(got, ms, `RECEIPT ${receipt}`);
}

// Subscribes with a receipt and waits for it; resolves to an Inbox of frames.
async function legacySubscribe(client, destination, headers = {}, ms = DEFAULT_TIMEOUT) {
  const inbox = new Inbox(`message on ${destination}`);
  const receipt = `sub-${crypto.randomUUID()}`;
  const got = legacyReceipt(client, receipt, ms);
  inbox.subscription = client.subscribe(destination, (m) => inbox.push(m), { ...headers, receipt });
  await got;
  return inbox;
}

// SEND with a receipt; resolves when the RECEIPT came.
function legacySend(client, destination, body, headers = {}, ms = DEFAULT_TIMEOUT) {
  const receipt = `send-${crypto.randomUUID()}`;
  const got = legacyReceipt(client, receipt, ms);
  client.send(destination, { ...headers, receipt }, body);
  return got;
}

// A WebSocket to urlPath whose messages go to an Inbox; rejects with
// statusCode when the upgrade is refused.
function openWs(server, urlPath, { origin, protocols = [] } = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${urlPath}`, protocols, origin ? { origin } : {});
  const inbox = new Inbox(`WebSocket message on ${urlPath}`);
  const closed = wsClosed(ws);
  ws.on('message', (d) => inbox.push(d.toString('utf8')));
  closed.then((c) => inbox.fail(new Error(`WebSocket ${urlPath} closed (${c.code} ${c.reason})`)));
  ws.on('error', () => {});
  return within(
    new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, inbox, closed }));
      ws.once('unexpected-response', (req, res) => {
        const err = new Error(`WebSocket upgrade of ${urlPath} refused with HTTP ${res.statusCode}`);
        err.statusCode = res.statusCode;
        res.resume();
        reject(err);
      });
      ws.once('error', reject);
    }),
    5000,
    `WebSocket open ${urlPath}`,
  );
}

// Reads SockJS-over-WebSocket frames until `n` messages (from a[...]
// frames) arrived; other frames are errors unless they are heart-beats.
async function wsMessages(inbox, n, ms = 5000) {
  const got = [];
  while (got.length < n) {
    const f = await inbox.next(ms, `SockJS frame (have ${got.length} of ${n} messages)`);
    if (f === 'h') continue;
    assert.equal(f[0], 'a', `expected an a[...] frame, got ${JSON.stringify(f)}`);
    got.push(...JSON.parse(f.slice(1)));
  }
  return got;
}

module.exports = { openWs, wsMessages, HttpStream, sjHttp, xhrFrames, arrayMessages, SjSession, sockjsStomp, legacyReceipt, legacySubscribe, legacySend, randomId };
