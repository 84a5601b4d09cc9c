'use strict';
// A Spring-style front end in a real browser (Debian's chromium through
// playwright-core): a page served by herald from static_dir loads
// sockjs-client 1.6.1 and stompjs 2.3.3, opens new SockJS(origin +
// '/websocket/mq'), CONNECTs with an Authorization header, subscribes to
// /user/<id>/userOnlineStatus and /topic/userOnlineStatus, SENDs a JOIN to
// /app/chat.addUser, and probes its connection every 5 s, reconnecting when
// it is broken. Messages published through the HTTP API must reach it over
// WebSocket, over xhr-streaming (WebSocket turned off on the endpoint) and
// over xhr-polling (forced); after herald restarts on the same port the
// pages reconnect by themselves and receive again.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const nodeHttp = require('node:http');
const { chromium } = require('playwright-core');
const h = require('../lib/harness');

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

// The page. Options come from its query string: path (the SockJS endpoint),
// user, transports (comma-separated sockjs-client transport names).
const INDEX_HTML = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>herald SockJS front end</title>
<script src="sockjs.min.js"></script>
<script src="stomp.min.js"></script>
</head>
<body>
<pre id="state">starting</pre>
<script>
(function () {
  var q = new URLSearchParams(location.search);
  var endpoint = q.get('path') || '/websocket/mq';
  var userId = q.get('user') || '13800000000';
  // A fixed transport timeout: by default sockjs-client derives it from the
  // RTT of /info (a few hundred ms on loopback), and a first poll slower
  // than that on a loaded CI machine reads as "All transports failed".
  var opts = { timeout: 10000 };
  if (q.get('transports')) opts.transports = q.get('transports').split(',');
  var socket = null;
  var client = null;

  // What the test reads.
  window.fe = {
    attempts: 0,      // connect attempts
    connects: 0,      // CONNECTED frames received
    ready: 0,         // the attempt whose two subscriptions are confirmed
    transport: null,  // sockjs-client's transport of the current connection
    transports: [],   // transport of each connection, in order
    userName: null,
    user: [],         // bodies received on /user/<id>/userOnlineStatus
    topic: [],        // bodies received on /topic/userOnlineStatus
    errors: [],       // ERROR frames and lost connections
    closes: []        // SockJS close events {code, reason}
  };

  function state(s) { document.getElementById('state').textContent = s; }

  function connect() {
    var attempt = ++fe.attempts;
    if (socket) { try { socket.close(); } catch (e) {} }
    state('connecting #' + attempt);
    socket = new SockJS(location.origin + endpoint, null, opts);
    var mySocket = socket;
    socket.addEventListener('close', function (e) { fe.closes.push({ attempt: attempt, code: e.code, reason: e.reason }); });
    client = Stomp.over(socket);
    client.debug = null;
    client.connect({ Authorization: 'Bearer front-end-token-' + userId, login: userId }, function (frame) {
      fe.connects++;
      fe.transport = mySocket.transport;
      fe.transports.push(mySocket.transport);
      fe.userName = frame.headers['user-name'];
      state('connected #' + attempt + ' over ' + mySocket.transport);
      var pending = 2;
      var c = client;
      c.onreceipt = function (r) {
        if (r.headers['receipt-id'].indexOf('sub-' + attempt + '-') === 0 && --pending === 0) fe.ready = attempt;
      };
      c.subscribe('/user/' + userId + '/userOnlineStatus', function (m) { fe.user.push(m.body); }, { receipt: 'sub-' + attempt + '-user' });
      c.subscribe('/topic/userOnlineStatus', function (m) { fe.topic.push(m.body); }, { receipt: 'sub-' + attempt + '-topic' });
      c.send('/app/chat.addUser', {}, JSON.stringify({ sender: '', chatType: 'JOIN' }));
    }, function (err) {
      fe.errors.push({ attempt: attempt, error: err && err.headers ? 'ERROR ' + err.headers.message : String(err) });
      state('broken #' + attempt);
    });
  }

  // The 5 s probe: reconnect when the STOMP session or its socket is gone.
  setInterval(function () {
    if (!client || !client.connected || !socket || socket.readyState !== SockJS.OPEN) connect();
  }, 5000);
  connect();
})();
</script>
</body>
</html>
`;

describe('SockJS front end in a browser', { skip: !fs.existsSync(CHROMIUM) && 'chromium is not installed' }, () => {
  let server;
  let config;
  let browser;
  let hook;
  let staticDir;
  const joins = new h.Inbox('webhook call');
  const pages = {}; // scenario -> {page, user}

  before(async () => {
    staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-static-'));
    fs.writeFileSync(path.join(staticDir, 'index.html'), INDEX_HTML);
    const modules = path.join(__dirname, '..', 'node_modules');
    fs.copyFileSync(path.join(modules, 'sockjs-client/dist/sockjs.min.js'), path.join(staticDir, 'sockjs.min.js'));
    fs.copyFileSync(path.join(modules, 'stompjs/lib/stomp.min.js'), path.join(staticDir, 'stomp.min.js'));

    // The application behind /app: records the call, answers 200 with no
    // messages.
    hook = nodeHttp.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        let body;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString());
        } catch {
          body = { unparsed: Buffer.concat(chunks).toString() };
        }
        joins.push(body);
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise((resolve) => hook.listen(0, '127.0.0.1', resolve));

    config = {
      endpoints: [
        { path: '/websocket/mq', sockjs: true },
        { path: '/fallback/mq', sockjs: true, websocket: false },
      ],
      static_dir: staticDir,
      // The iframe transports load the client into herald's iframe.html.
      sockjs: { client_url: '/static/sockjs.min.js' },
      app: { webhook: `http://127.0.0.1:${hook.address().port}/app` },
    };
    server = await h.startHerald(config);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  });

  after(async () => {
    try {
      if (browser) await browser.close();
      if (server) await server.stop();
    } finally {
      if (hook) {
        hook.closeAllConnections();
        await new Promise((resolve) => hook.close(resolve));
      }
      if (staticDir) fs.rmSync(staticDir, { recursive: true, force: true });
    }
  });

  const fe = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.fe)));

  // Waits until the page's connection `n` (1-based) has its subscriptions
  // confirmed; returns the page's state.
  async function readyAfter(page, minAttempt, ms = 15000) {
    await page.waitForFunction((m) => window.fe && window.fe.ready >= m && window.fe.ready === window.fe.attempts, minAttempt, { timeout: ms });
    return fe(page);
  }

  // The JOIN the page sends on every connect reaches the webhook as the user.
  async function expectJoin(user) {
    const call = await joins.take((c) => c.user === user, 10000, `JOIN of ${user} at the webhook`);
    assert.equal(call.destination, '/app/chat.addUser');
    assert.deepEqual(JSON.parse(call.body), { sender: '', chatType: 'JOIN' });
  }

  // Publishes to the page's user and to the topic; waits until the page
  // has both (matched by tag), and checks what it got.
  async function expectDelivery(page, user, tag) {
    await h.mustPublishUser(server, user, '/userOnlineStatus', { user, online: true, tag });
    await h.mustPublish(server, '/topic/userOnlineStatus', { user: 'someone-else', online: false, tag });
    const tagged = (list) => list.map((b) => JSON.parse(b)).filter((m) => m.tag === tag);
    await page.waitForFunction(
      (t) => {
        const has = (list) => list.some((b) => b.includes(JSON.stringify(t)));
        return has(window.fe.user) && has(window.fe.topic);
      },
      tag,
      { timeout: 10000 },
    );
    const s = await fe(page);
    assert.deepEqual(tagged(s.user), [{ user, online: true, tag }]);
    assert.deepEqual(tagged(s.topic), [{ user: 'someone-else', online: false, tag }]);
  }

  // keep: the page stays open for the restart test.
  async function scenario(name, user, query, expectedTransport, { keep = true } = {}) {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`[${name}] page error: ${e.message}`));
    await page.goto(`${server.http}/static/index.html?user=${user}${query}`);
    const s = await readyAfter(page, 1);
    assert.equal(s.transport, expectedTransport, `${name}: transport (history ${s.transports})`);
    assert.equal(s.userName, user);
    await expectJoin(user);
    await expectDelivery(page, user, `${name}-1`);
    const after = await fe(page);
    assert.deepEqual(after.errors, [], `${name}: no ERROR or lost connection (SockJS closes: ${JSON.stringify(after.closes)})`);
    assert.equal(after.connects, 1, `${name}: one connection`);
    if (keep) {
      pages[name] = { page, user, transport: expectedTransport };
    } else {
      await page.close();
    }
  }

  it('serves the page and its scripts from static_dir', async () => {
    const r = await h.http(server, 'GET', '/static/index.html', { json: false });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/html/);
    assert.equal(r.text, INDEX_HTML);
    const js = await h.http(server, 'GET', '/static/sockjs.min.js', { json: false });
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /javascript/);
    assert.equal((await h.http(server, 'GET', '/static/nope.js', { json: false })).status, 404);
  });

  it('(a) WebSocket: CONNECT, JOIN, user and topic messages', async () => {
    await scenario('websocket', '13800000000', '', 'websocket');
  });

  it('(b) endpoint with websocket:false: the browser falls back to xhr-streaming', async () => {
    await scenario('fallback', '13800000001', '&path=/fallback/mq', 'xhr-streaming');
  });

  it('(c) forced xhr-polling', async () => {
    await scenario('polling', '13800000002', '&transports=xhr-polling', 'xhr-polling');
  });

  // The transports browsers use when XHR is unavailable or cross-domain:
  // each must carry the whole exchange too.
  for (const [transport, user] of [
    ['eventsource', '13800000003'],
    ['htmlfile', '13800000004'],
    ['jsonp-polling', '13800000005'],
    ['iframe-eventsource', '13800000006'],
    ['iframe-xhr-polling', '13800000007'],
  ]) {
    it(`forced ${transport}`, async () => {
      await scenario(transport, user, `&transports=${transport}`, transport, { keep: false });
    });
  }

  it('after herald restarts on the same port, every page reconnects by its probe and receives again', async () => {
    const names = Object.keys(pages);
    assert.deepEqual(names.sort(), ['fallback', 'polling', 'websocket'], 'the three scenarios ran first');
    const before = {};
    for (const n of names) before[n] = await fe(pages[n].page);

    const port = server.port;
    await server.stop();
    server = null;
    server = await h.startHerald(config, { port });
    assert.equal(server.port, port);

    for (const n of names) {
      const { page, user, transport } = pages[n];
      const s = await readyAfter(page, before[n].attempts + 1, 30000);
      assert.equal(s.transport, transport, `${n}: same transport after reconnecting (history ${s.transports})`);
      assert.ok(s.connects >= 2, `${n}: connected again`);
      assert.ok(s.errors.length >= 1, `${n}: the page saw its connection break`);
      await expectJoin(user);
      await expectDelivery(page, user, `${n}-after-restart`);
    }
  });
});
