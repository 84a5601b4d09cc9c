'use strict';
// A raw STOMP-over-ws client that writes and reads frames by hand, for what
// the client libraries hide (ERROR frames, oversize frames, silent clients).

const crypto = require('node:crypto');
const path = require('node:path');
const { EventEmitter } = require('node:events');
const WebSocket = require('ws');
const { DEFAULT_TIMEOUT, within, Inbox } = require('./wait');

const STOMP_PROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp'];

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

module.exports = { STOMP_PROTOCOLS, encodeFrame, FrameParser, RawStomp };
