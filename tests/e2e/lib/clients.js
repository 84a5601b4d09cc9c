'use strict';
// The real npm clients (@stomp/stompjs v7, legacy stompjs 2.3.3) and
// cleanup of whatever a test opened.

const crypto = require('node:crypto');
const WebSocket = require('ws');
const { Client } = require('@stomp/stompjs');
const { DEFAULT_TIMEOUT, within, Inbox } = require('./wait');
const { STOMP_PROTOCOLS, RawStomp } = require('./raw_stomp');

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
// clients, bare ws sockets, SockJS clients and pending SockJS requests.
// Errors are ignored: the thing may be gone already.
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
    } else if (thing.sock && typeof thing.sock.close === 'function') {
      // sockjsStomp() results (lib/sockjs.js): a SockJS client.
      if (thing.sock.readyState < 2) thing.sock.close();
    } else if (typeof thing.abort === 'function') {
      // HttpStream (lib/sockjs.js): a pending SockJS HTTP request.
      thing.abort();
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

module.exports = { stompClient, stompSubscribe, stompPublish, legacyStomp, wsClosed, dispose, track };
