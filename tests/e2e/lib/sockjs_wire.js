'use strict';
// The SockJS wire as tests read it: the protocol's fixed strings, the
// per-transport frame parsers (htmlfile script calls, jsonp calls,
// eventsource events), header checks, the odd strings every transport must
// carry intact, and the echo/close test endpoints several files share.

const assert = require('node:assert/strict');

const GREETING = 'Welcome to SockJS!\n';
const PRELUDE = 'h'.repeat(2048) + '\n';
const GO_AWAY = 'c[3000,"Go away!"]';
const ANOTHER = 'c[2010,"Another connection still open"]';
const ORIGIN = 'https://app.example.com';
const EVIL = 'https://evil.example';
const CLIENT_URL = 'https://cdn.example.com/sockjs-client-1.6.1.min.js';

// Strings SockJS servers must carry intact through JSON in both directions.
const ODD = [
  '\u2028', '\u2029', '\ud83d\ude00', '\u0000', '\u0001\u001f\u007f', '\u0080\u009f', 'é ü ß', '\u200b\u200c\u200d\u200e\u200f',
  '\u2060\u2064', '\ufeff', '\ufff0\ufffd', '\ufffe\uffff', '中文', '한국어', 'ελληνικά', 'кириллица', 'e\u0301',
  '"\\/\b\f\n\r\t', '</script><script>alert(1)</script>', '\ud83c\udff3\ufe0f\u200d\ud83c\udf08', '\u{10ffff}', '\u{1d11e}',
  'a]["b', '\\u2028 as text',
];

// What must never appear raw in a SockJS response body (other than "\n"
// between xhr frames): C0 controls, line/paragraph separators, invisible
// format and bidi characters, the BOM, specials and non-characters, and any
// astral character (a surrogate half in a JS string). Browsers drop,
// normalise or choke on them in XHR, EventSource and script contexts.
const RAW_DANGER = /[\u0000-\u0009\u000b-\u001f\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufff0-\uffff\ud800-\udfff]/;

function rawDanger(text) {
  const m = RAW_DANGER.exec(text);
  return m ? `U+${m[0].codePointAt(0).toString(16).padStart(4, '0')} at ${m.index}` : null;
}

// The JS call arguments of htmlfile chunks: <script>\np("...");\n</script>
function htmlfileFrames(text) {
  const out = [];
  const re = /<script>\np\(("(?:[^"\\]|\\.)*")\);\n<\/script>/g;
  for (let m; (m = re.exec(text)); ) out.push(JSON.parse(m[1]));
  return out;
}

// jsonp answers: [/**/]cb("...");\r\n
function jsonpFrames(text, cb) {
  const out = [];
  const re = new RegExp(`(?:/\\*\\*/)?${cb.replace(/\./g, '\\.')}\\(("(?:[^"\\\\]|\\\\.)*")\\);\\r\\n`, 'g');
  for (let m; (m = re.exec(text)); ) out.push(JSON.parse(m[1]));
  return out;
}

// eventsource: data: <frame>\r\n\r\n
function eventsourceFrames(text) {
  const out = [];
  const re = /data: ([^\r\n]*)\r\n\r\n/g;
  for (let m; (m = re.exec(text)); ) out.push(m[1]);
  return out;
}

function header(r, name) {
  const v = r.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

function assertNoCache(r, what) {
  assert.match(header(r, 'cache-control') || '', /no-store/, `${what}: Cache-Control`);
  assert.match(header(r, 'cache-control') || '', /no-cache/, `${what}: Cache-Control`);
}

function assertCors(r, origin, what) {
  if (origin) {
    assert.equal(header(r, 'access-control-allow-origin'), origin, `${what}: Access-Control-Allow-Origin`);
    assert.equal(header(r, 'access-control-allow-credentials'), 'true', `${what}: Access-Control-Allow-Credentials`);
  } else {
    assert.equal(header(r, 'access-control-allow-origin'), '*', `${what}: Access-Control-Allow-Origin`);
  }
}

// The endpoints the protocol tests run against: the conventional echo and
// close handlers, and an echo endpoint with WebSocket turned off.
const ECHO_CONFIG = {
  allowed_origins: [ORIGIN],
  endpoints: [
    { path: '/echo', sockjs: true, handler: 'echo' },
    { path: '/close', sockjs: true, handler: 'close' },
    { path: '/nows', sockjs: true, websocket: false, handler: 'echo' },
  ],
  sockjs: { streaming_bytes: 4096, client_url: CLIENT_URL },
};

module.exports = {
  GREETING, PRELUDE, GO_AWAY, ANOTHER, ORIGIN, EVIL, CLIENT_URL, ODD, ECHO_CONFIG,
  rawDanger, htmlfileFrames, jsonpFrames, eventsourceFrames, header, assertNoCache, assertCors,
};
