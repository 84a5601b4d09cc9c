'use strict';
// A minimal Redis pub/sub subscriber (RESP2 over one socket) for tests that
// watch what herald publishes on its backplane when no client can be
// connected to a node (all nodes stopped). Messages land in an Inbox.
const net = require('node:net');
const { Inbox, within } = require('./wait');

// Parses RESP values off the front of buf; returns [value, rest] or null
// when buf holds no complete value yet.
function parseResp(buf) {
  const eol = buf.indexOf('\r\n');
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[0]);
  const line = buf.subarray(1, eol).toString();
  const rest = buf.subarray(eol + 2);
  if (type === '+' || type === '-') return [line, rest];
  if (type === ':') return [Number(line), rest];
  if (type === '$') {
    const n = Number(line);
    if (n < 0) return [null, rest];
    if (rest.length < n + 2) return null;
    return [rest.subarray(0, n).toString(), rest.subarray(n + 2)];
  }
  if (type === '*') {
    const items = [];
    let at = rest;
    for (let i = 0; i < Number(line); i++) {
      const p = parseResp(at);
      if (!p) return null;
      items.push(p[0]);
      at = p[1];
    }
    return [items, at];
  }
  throw new Error(`unexpected RESP type ${type}`);
}

const encode = (args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`;

// Subscribes `channels` on the Redis at `port`; resolves once Redis
// confirmed them all. .messages: an Inbox of {channel, payload}.
async function redisSubscribe(port, channels) {
  const messages = new Inbox('redis message');
  const socket = net.connect({ port, host: '127.0.0.1' });
  let buf = Buffer.alloc(0);
  let confirmed = 0;
  let resolveReady;
  const ready = new Promise((r) => (resolveReady = r));
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (let p = parseResp(buf); p; p = parseResp(buf)) {
      buf = p[1];
      const [kind, channel, payload] = p[0];
      if (kind === 'subscribe' && ++confirmed === channels.length) resolveReady();
      if (kind === 'message') messages.push({ channel, payload });
    }
  });
  socket.on('error', () => {});
  socket.write(encode(['SUBSCRIBE', ...channels]));
  await within(ready, 5000, `Redis to confirm SUBSCRIBE ${channels.join(' ')}`);
  return { messages, close: () => socket.destroy() };
}

module.exports = { redisSubscribe };
