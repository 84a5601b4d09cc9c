'use strict';
// HTTP API helpers (publish, metrics) and HS256 JWTs for the auth tests.

const nodeHttp = require('node:http');
const crypto = require('node:crypto');
const { DEFAULT_TIMEOUT, within } = require('./wait');

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

module.exports = { http, publish, publishUser, mustPublish, mustPublishUser, metricsText, metric, makeJwt };
