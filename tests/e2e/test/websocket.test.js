'use strict';
// The WebSocket layer itself (RFC 6455), below STOMP: the opening
// handshake's checks, control frames, fragmentation, frame types, and the
// close codes for frames a server must refuse.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const net = require('node:net');
const h = require('../lib/harness');

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

// A raw TCP client for what the `ws` package will not send: its own
// handshake bytes, unmasked frames. Collects everything it reads.
function rawSocket(server) {
  const sock = net.connect(server.port, '127.0.0.1');
  sock.buf = Buffer.alloc(0);
  sock.on('data', (d) => {
    sock.buf = Buffer.concat([sock.buf, d]);
    sock.emit('grew');
  });
  sock.ended = new Promise((resolve) => sock.once('close', resolve));
  sock.upTo = (pred, what) =>
    h.within(
      new Promise((resolve) => {
        const check = () => {
          const r = pred(sock.buf);
          if (r !== undefined) {
            sock.off('grew', check);
            resolve(r);
          }
        };
        sock.on('grew', check);
        check();
      }),
      10000,
      what,
    );
  return sock;
}

function upgradeRequest({ version = '13', key = KEY, protocol = 'v12.stomp' } = {}) {
  return (
    'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    (key === null ? '' : `Sec-WebSocket-Key: ${key}\r\n`) +
    `Sec-WebSocket-Version: ${version}\r\n` +
    (protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : '') +
    '\r\n'
  );
}

const headEnd = (buf) => {
  const i = buf.indexOf('\r\n\r\n');
  return i < 0 ? undefined : i + 4;
};

// A client frame; masked unless told otherwise.
function clientFrame(opcode, payload, { fin = true, masked = true } = {}) {
  payload = Buffer.from(payload);
  const len = payload.length;
  const head = [(fin ? 0x80 : 0) | opcode];
  const m = masked ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else head.push(m | 126, len >> 8, len & 0xff);
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const key = crypto.randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([Buffer.from(head), key, body]);
}

// The close frame's code, once one has arrived after `from`.
const closeCodeAfter = (from) => (buf) => {
  const f = buf.subarray(from);
  if (f.length < 4) return undefined;
  assert.equal(f[0], 0x88, 'a close frame');
  return f.readUInt16BE(2);
};

async function openRaw(t, server) {
  const sock = rawSocket(server);
  t.after(() => sock.destroy());
  sock.write(upgradeRequest());
  const end = await sock.upTo(headEnd, 'the 101 answer');
  const head = sock.buf.subarray(0, end).toString();
  assert.match(head, /^HTTP\/1\.1 101 /);
  return { sock, end };
}

describe('WebSocket layer', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ destinations: { client_send: ['/topic/ws.**'] } });
  });
  after(() => server && server.stop());

  describe('opening handshake', () => {
    it('answers 101 with the accept key of RFC 6455 and the chosen subprotocol', async (t) => {
      const sock = rawSocket(server);
      t.after(() => sock.destroy());
      sock.write(upgradeRequest());
      const end = await sock.upTo(headEnd, 'the 101 answer');
      const head = sock.buf.subarray(0, end).toString();
      assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      assert.match(head, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
      assert.match(head, /\r\nSec-WebSocket-Protocol: v12\.stomp\r\n/i);
    });

    it('refuses another protocol version with 426 naming version 13', async (t) => {
      const sock = rawSocket(server);
      t.after(() => sock.destroy());
      sock.write(upgradeRequest({ version: '8' }));
      const end = await sock.upTo(headEnd, 'the refusal');
      const head = sock.buf.subarray(0, end).toString();
      assert.match(head, /^HTTP\/1\.1 426 /);
      assert.match(head, /\r\nSec-WebSocket-Version: 13\r\n/i);
    });

    for (const [name, key] of [
      ['a missing key', null],
      ['a key that is not 16 bytes of base64', 'c2hvcnQ='],
    ]) {
      it(`refuses ${name} with 400 and a reason`, async (t) => {
        const sock = rawSocket(server);
        t.after(() => sock.destroy());
        sock.write(upgradeRequest({ key }));
        await sock.ended;
        const text = sock.buf.toString();
        assert.match(text, /^HTTP\/1\.1 400 /);
        assert.match(text, /Sec-WebSocket-Key/);
      });
    }
  });

  describe('frames', () => {
    it('answers a ping with a pong carrying the same payload', async (t) => {
      const c = h.track(t, await h.RawStomp.connect(server, { login: 'pinger' }));
      const pong = new Promise((resolve) => c.ws.once('pong', resolve));
      c.ws.ping(Buffer.from('are you there'));
      assert.equal((await h.within(pong, 10000, 'pong')).toString(), 'are you there');
    });

    it('reassembles a STOMP frame sent in fragments with a ping between them', async (t) => {
      const { sock, end } = await openRaw(t, server);
      sock.write(
        Buffer.concat([
          clientFrame(0x1, 'CONNECT\naccept-', { fin: false }),
          clientFrame(0x9, 'mid'),
          clientFrame(0x0, 'version:1.2\nlogin:frag\n\n\0'),
        ]),
      );
      // The pong, then CONNECTED in one text frame.
      const text = await sock.upTo((b) => {
        const s = b.subarray(end).toString('latin1');
        return s.includes('CONNECTED') ? s : undefined;
      }, 'CONNECTED');
      assert.ok(text.startsWith('\x8a\x03mid'), 'the pong comes first');
      assert.match(text, /user-name:frag/);
    });

    it('sends a MESSAGE whose body is not UTF-8 in a binary frame, other messages in text frames', async (t) => {
      const received = [];
      // A client that writes text frames (RawStomp writes binary ones, and
      // herald answers a binary client in binary).
      const sub = h.track(t, await h.RawStomp.open(server));
      sub.send = (command, headers, body) => sub.ws.send(h.encodeFrame(command, headers, body).toString('utf8'));
      await sub.connect({ login: 'reader' });
      sub.ws.on('message', (data, isBinary) => received.push({ data: Buffer.from(data), isBinary }));
      await sub.subscribe('/topic/ws.bytes', 's');
      const pub = h.track(t, await h.RawStomp.connect(server, { login: 'writer' }));
      const body = Buffer.from([0xff, 0xfe, 0x41]);
      pub.ws.send(
        Buffer.concat([Buffer.from(`SEND\ndestination:/topic/ws.bytes\ncontent-length:${body.length}\n\n`), body, Buffer.from([0])]),
        { binary: true },
      );
      const m = await sub.message();
      await h.mustPublish(server, '/topic/ws.bytes', 'plain text');
      assert.equal((await sub.message()).body, 'plain text');
      const frames = received.filter((r) => r.data.subarray(0, 7).toString() === 'MESSAGE');
      assert.equal(frames.length, 2);
      assert.equal(frames[0].isBinary, true, 'non-UTF-8 body: binary frame');
      assert.ok(frames[0].data.includes(body), 'the bytes arrive unchanged');
      assert.equal(frames[1].isBinary, false, 'UTF-8 body: text frame');
      assert.equal(m.command, 'MESSAGE');
      assert.equal(sub.ws.readyState, h.WebSocket.OPEN);
    });

    it('answers a client that writes binary frames in binary frames', async (t) => {
      const kinds = [];
      const c = h.track(t, await h.RawStomp.open(server));
      c.ws.on('message', (data, isBinary) => kinds.push(isBinary));
      await c.connect({ login: 'binary-writer' });
      await c.subscribe('/topic/ws.binary', 's');
      assert.deepEqual(kinds, [true, true], 'CONNECTED and RECEIPT');
    });

    it('echoes the close code of a client close frame', async (t) => {
      const c = await h.RawStomp.connect(server, { login: 'closer' });
      c.ws.close(4001, 'done');
      const info = await h.within(c.closed, 10000, 'close');
      assert.equal(info.code, 4001);
    });
  });

  describe('frames a server must refuse', () => {
    const cases = [
      ['an unmasked frame', () => clientFrame(0x1, 'CONNECT\n\n\0', { masked: false }), 1002],
      ['a reserved bit', () => Buffer.from([0xc1, 0x80, 0, 0, 0, 0]), 1002],
      ['an unknown opcode', () => clientFrame(0x3, 'x'), 1002],
      ['a continuation with no message', () => clientFrame(0x0, 'x'), 1002],
      ['a fragmented ping', () => clientFrame(0x9, 'x', { fin: false }), 1002],
      ['invalid UTF-8 in a text frame', () => clientFrame(0x1, Buffer.from([0x43, 0xc0, 0xaf])), 1007],
    ];
    for (const [name, frame, code] of cases) {
      it(`closes with ${code} on ${name}, and the server keeps serving`, async (t) => {
        const { sock, end } = await openRaw(t, server);
        sock.write(frame());
        assert.equal(await sock.upTo(closeCodeAfter(end), 'the close frame'), code);
        await h.within(sock.ended, 10000, 'the server to close the connection');
        const other = h.track(t, await h.RawStomp.connect(server, { login: 'after' }));
        assert.equal(other.connected.command, 'CONNECTED');
      });
    }
  });
});
