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

const WebSocket = require('ws');

module.exports = {
  ...require('./wait'),
  ...require('./server'),
  ...require('./http'),
  ...require('./raw_stomp'),
  ...require('./clients'),
  ...require('./sockjs'),
  ...require('./sockjs_wire'),
  WebSocket,
};
