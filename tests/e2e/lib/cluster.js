'use strict';
// A herald cluster per test file, from real processes on loopback ports: a
// redis-server (the backplane), N herald nodes pointing at it (node ids a,
// b, c, ...), and the load balancers of deploy/ — HAProxy with
// deploy/haproxy*.cfg (backend addresses from environment variables) and
// nginx with deploy/nginx.conf (upstream and listen lines substituted into a
// copy). Everything is started here, stopped by the tests, and killed by pid
// (by process group for nginx, whose workers are its children) if the test
// process exits first. Nothing sleeps to synchronise: readiness is a PING
// answer, a listening socket, a /readyz answer or a state in HAProxy's
// stats, polled with a timeout.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { within, waitUntil } = require('./wait');
const { startHerald, deepMerge } = require('./server');
const { http, metricsText, metric } = require('./http');

const DEPLOY_DIR = path.resolve(__dirname, '../../../deploy');

// ---------------------------------------------------------------------------
// Child processes

const children = new Set();
const tempDirs = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

// Interrupted (Ctrl-C, a runner's SIGTERM): exit through the 'exit'
// handlers above and server.js's, which a signal's default action skips.
// nginx leads its own process group and would not see a terminal's SIGINT.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => process.exit(128 + os.constants.signals[sig]));
}

function makeTempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function removeTempDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function requireBin(bin, pkg) {
  const found = which(bin);
  if (!found) throw new Error(`${bin} not found: the cluster tests need it (apt-get install ${pkg}; scripts/install-deps.sh does)`);
  return found;
}

// A spawned server process whose output lines are kept for diagnostics.
// `group`: the child leads its own process group and is killed with it.
class Child {
  constructor(name, bin, args, { env = process.env, cwd, group = false } = {}) {
    this.name = name;
    this.group = group;
    this.output = [];
    this.proc = spawn(bin, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
    const onLine = (line) => this.output.push(line);
    readline.createInterface({ input: this.proc.stdout }).on('line', onLine);
    readline.createInterface({ input: this.proc.stderr }).on('line', onLine);
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => resolve({ code, signal }));
      this.proc.once('error', (error) => resolve({ code: null, signal: null, error }));
    });
    this.closed = new Promise((resolve) => this.proc.once('close', resolve));
    children.add(this);
    this.exited.then(() => {
      // nginx's workers outlive a killed master: take the group down too.
      if (this.group) this.killGroup('SIGKILL');
      children.delete(this);
    });
  }

  get pid() {
    return this.proc.pid;
  }

  alive() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  killGroup(signal) {
    try {
      process.kill(-this.proc.pid, signal);
    } catch {}
  }

  kill(signal = 'SIGTERM') {
    if (this.group) this.killGroup(signal);
    else if (this.alive()) this.proc.kill(signal);
  }

  log() {
    return this.output.join('\n');
  }

  // Signals, waits for the exit, SIGKILLs after `ms`. Resolves {code, signal}.
  async stop(signal = 'SIGTERM', ms = 10000) {
    if (this.alive()) this.kill(signal);
    try {
      return await within(this.exited, ms, `${this.name} (pid ${this.pid}) to exit after ${signal}`);
    } catch (e) {
      this.kill('SIGKILL');
      await within(this.exited, 5000, `${this.name} to exit after SIGKILL`).catch(() => {});
      throw e;
    } finally {
      await within(this.closed, 2000, `${this.name} output to end`).catch(() => {});
    }
  }

  // Rejects when the process exits, naming it and showing its output.
  failOnExit() {
    return this.exited.then(({ code, signal, error }) => {
      throw new Error(`${this.name} exited (code ${code}, signal ${signal}${error ? `, ${error.message}` : ''}):\n${this.log()}`);
    });
  }
}

// ---------------------------------------------------------------------------
// Ports

// Ports for servers that pick no port themselves (redis, HAProxy, nginx)
// come from below the kernel's ephemeral range, so that no outgoing
// connection holds one as its local port when a server (re)binds it. A
// port is checked free by binding it; files running in parallel pick
// randomly, and a process never hands out one port twice.
const handedOut = new Set();
function ephemeralLow() {
  try {
    return Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32768;
  }
}

function canBind(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

async function freePort() {
  const hi = Math.min(ephemeralLow(), 65536) - 1;
  const lo = Math.max(10000, hi - 20000);
  for (let i = 0; i < 200; i++) {
    const port = lo + Math.floor(Math.random() * (hi - lo));
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${lo}-${hi}`);
}

// Resolves once something accepts TCP connections on 127.0.0.1:port.
function tcpOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------
// Redis

// One command over a fresh connection (RESP2), resolved with the reply:
// strings, integers, arrays; an error reply rejects.
function redisCommand(port, args, ms = 2000) {
  const encode = (a) => `*${a.length}\r\n` + a.map((x) => `$${Buffer.byteLength(String(x))}\r\n${x}\r\n`).join('');
  // Parses one reply at buf[i]; returns [value, next] or null when incomplete.
  const parse = (buf, i) => {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) return null;
    const type = String.fromCharCode(buf[i]);
    const line = buf.subarray(i + 1, eol).toString('utf8');
    const next = eol + 2;
    if (type === '+') return [line, next];
    if (type === '-') return [Object.assign(new Error(`redis: ${line}`), { redisError: true }), next];
    if (type === ':') return [Number(line), next];
    if (type === '$') {
      const n = Number(line);
      if (n < 0) return [null, next];
      if (buf.length < next + n + 2) return null;
      return [buf.subarray(next, next + n).toString('utf8'), next + n + 2];
    }
    if (type === '*') {
      const n = Number(line);
      const out = [];
      let at = next;
      for (let k = 0; k < n; k++) {
        const r = parse(buf, at);
        if (!r) return null;
        out.push(r[0]);
        at = r[1];
      }
      return [out, at];
    }
    return [new Error(`redis: unexpected reply ${JSON.stringify(buf.toString())}`), buf.length];
  };
  const done = new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(encode(args)));
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const r = parse(buf, 0);
      if (!r) return;
      s.destroy();
      if (r[0] instanceof Error) reject(r[0]);
      else resolve(r[0]);
    });
    s.once('error', reject);
    s.once('close', () => reject(new Error(`redis connection closed before a reply to ${args[0]}`)));
  });
  return within(done, ms, `redis ${args.join(' ')}`);
}

class Redis {
  constructor(port) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}/0`;
    this.dir = makeTempDir('herald-redis-');
    this.child = null;
    this.starts = 0;
  }

  // Starts redis-server on this.port and resolves once PING answers PONG.
  async start(timeout = 10000) {
    const bin = requireBin('redis-server', 'redis-server');
    this.starts++;
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    this.child = new Child(`redis-server :${this.port}`, bin, args, { cwd: this.dir });
    const child = this.child;
    const pong = waitUntil(() => this.command(['PING'], 500).then((r) => r === 'PONG', () => false), {
      timeout,
      interval: 20,
      what: `redis-server on port ${this.port} to answer PING`,
    });
    await Promise.race([pong, child.failOnExit()]);
  }

  command(args, ms) {
    return redisCommand(this.port, args, ms);
  }

  // Channel subscriber counts: PUBSUB NUMSUB.
  async numsub(channel) {
    const r = await this.command(['PUBSUB', 'NUMSUB', channel]);
    return Number(r[1]);
  }

  // Stops redis-server (SIGTERM: redis shuts down, saving nothing here).
  async stop() {
    if (this.child) await this.child.stop('SIGTERM');
  }

  // Starts it again on the same port (empty: no persistence).
  async restart() {
    await this.stop();
    await this.start();
  }

  log() {
    return this.child ? this.child.log() : '';
  }

  async dispose() {
    await this.stop().catch(() => {});
    removeTempDir(this.dir);
  }
}

// Starts redis-server on a free port, or on `port`.
async function startRedis({ port } = {}) {
  for (let attempt = 0; ; attempt++) {
    const r = new Redis(port || (await freePort()));
    try {
      await r.start();
      return r;
    } catch (e) {
      await r.dispose();
      // Another process took the port between the check and the bind.
      if (!port && attempt < 3 && /Address already in use/.test(e.message)) continue;
      throw e;
    }
  }
}

// ---------------------------------------------------------------------------
// herald nodes

async function readyz(node) {
  const r = await http(node, 'GET', '/readyz');
  return { status: r.status, json: r.json };
}

async function info(node) {
  const r = await http(node, 'GET', '/api/info');
  if (r.status !== 200) throw new Error(`/api/info on node ${node.id} answered ${r.status} ${r.text}`);
  return r.json;
}

// Polls /readyz until it answers 200 (ready) or 503 (not ready).
function waitReady(node, ready = true, timeout = 10000) {
  const want = ready ? 200 : 503;
  return waitUntil(async () => (await readyz(node)).status === want, {
    timeout,
    interval: 50,
    what: `node ${node.id} /readyz to answer ${want}`,
  });
}

// The node's backplane counters from /metrics.
async function backplaneMetrics(node) {
  const text = await metricsText(node);
  const m = (name, labels) => metric(text, name, labels);
  return {
    received: {
      topic: m('herald_backplane_received_total', 'kind="topic"'),
      user: m('herald_backplane_received_total', 'kind="user"'),
      control: m('herald_backplane_received_total', 'kind="control"'),
    },
    published: m('herald_backplane_published_total'),
    rejected: m('herald_backplane_rejected_total'),
    channels: m('herald_backplane_channels'),
    pending: m('herald_backplane_pending'),
    reconnects: m('herald_backplane_reconnects_total'),
    up: m('herald_broker_up', 'broker="redis"'),
    text,
  };
}

// GET /api/nodes through `node`: {count, nodes: [...]}, sorted by id.
async function apiNodes(node) {
  const r = await http(node, 'GET', '/api/nodes');
  if (r.status !== 200) throw new Error(`/api/nodes on node ${node.id} answered ${r.status} ${r.text}`);
  return r.json;
}

// GET /api/users/{user}/presence through `node`: {user, online, sessions, nodes}.
async function presence(node, user) {
  const r = await http(node, 'GET', `/api/users/${encodeURIComponent(user)}/presence`);
  if (r.status !== 200) throw new Error(`presence of ${user} on node ${node.id} answered ${r.status} ${r.text}`);
  return r.json;
}

// Polls `node` until `user` has `sessions` sessions cluster-wide (presence
// reaches Redis one loop turn after a CONNECT or a close); resolves with
// the presence. A 503 (the directory's Redis link not back yet after an
// outage: it reconnects on its own, apart from the broker's) is "not yet".
function waitPresence(node, user, sessions, timeout = 5000) {
  return waitUntil(
    async () => {
      const r = await http(node, 'GET', `/api/users/${encodeURIComponent(user)}/presence`);
      if (r.status === 503) return null;
      if (r.status !== 200) throw new Error(`presence of ${user} on node ${node.id} answered ${r.status} ${r.text}`);
      return r.json.sessions === sessions ? r.json : null;
    },
    { timeout, what: `presence of ${user} through node ${node.id} to show ${sessions} sessions` },
  );
}

const NODE_IDS = 'abcdefghij'.split('');

// A node's config: the backplane on `redis`, then the cluster's `config`,
// then `nodeConfig(id, index)`, then `extra`.
function clusterNodeConfig(redis, prefix, config, nodeConfig, id, index, extra = {}) {
  const base = {
    node: { id },
    auth: { mode: 'none' },
    broker: {
      type: 'redis',
      redis: {
        url: redis.url,
        prefix,
        connect_timeout_ms: 1000,
        // Tests restart Redis: come back within a second, not five.
        reconnect_max_ms: 500,
      },
    },
  };
  return deepMerge(deepMerge(deepMerge(base, config), nodeConfig(id, index)), extra);
}

// Herald nodes on one backplane: lookup by id and the Redis channel names
// herald builds (shared by the single-server and Redis Cluster suites).
class NodeSet {
  constructor(redis, nodes, prefix) {
    this.redis = redis;
    this.nodes = nodes;
    this.prefix = prefix;
  }

  node(id) {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  topicChannel(destination) {
    return `${this.prefix}${destination}`;
  }

  userChannel(user) {
    return `${this.prefix}u:${user}`;
  }
}

class Cluster extends NodeSet {
  constructor(redis, nodes, prefix, config = {}, nodeConfig = () => ({})) {
    super(redis, nodes, prefix);
    this.config = config;
    this.nodeConfig = nodeConfig;
    this.lbs = [];
  }

  // Starts one more node on this cluster's Redis with the cluster's config
  // and `extra` merged over it; resolves once its /readyz answers 200. It
  // is stopped with the cluster.
  async addNode(id, extra = {}) {
    if (this.nodes.some((n) => n.id === id)) throw new Error(`node ${id} exists already`);
    const cfg = clusterNodeConfig(this.redis, this.prefix, this.config, this.nodeConfig, id, this.nodes.length, extra);
    const node = await startHerald(cfg);
    node.id = id;
    this.nodes.push(node);
    await waitReady(node);
    return node;
  }

  // Polls Redis until `count` nodes subscribe `channel`.
  waitSubscribers(channel, count, timeout = 5000) {
    return waitUntil(async () => (await this.redis.numsub(channel)) === count, {
      timeout,
      what: `${count} Redis subscribers of ${channel}`,
    });
  }

  async startHaproxy(opts) {
    const lb = await startHaproxy(this.nodes, opts);
    this.lbs.push(lb);
    return lb;
  }

  async startNginx(opts) {
    const lb = await startNginx(this.nodes, opts);
    this.lbs.push(lb);
    return lb;
  }

  async stop() {
    const errors = [];
    const collect = (p) => p.catch((e) => errors.push(e));
    await Promise.all(this.lbs.map((lb) => collect(lb.stop())));
    await Promise.all(this.nodes.map((n) => collect(n.stop())));
    await collect(this.redis.dispose());
    if (errors.length) throw errors[0];
  }
}

// Starts redis and `nodes` herald nodes (ids a, b, c, ...) on the Redis
// backplane; resolves once every node's /readyz answers 200. `config` is
// merged into every node's config, `nodeConfig(id, index)` into one's.
async function startCluster({ nodes = 3, config = {}, nodeConfig = () => ({}), prefix = 'herald:' } = {}) {
  const redis = await startRedis();
  const started = [];
  try {
    for (let i = 0; i < nodes; i++) {
      const id = NODE_IDS[i];
      const node = await startHerald(clusterNodeConfig(redis, prefix, config, nodeConfig, id, i));
      node.id = id;
      started.push(node);
    }
    await Promise.all(started.map((n) => waitReady(n)));
  } catch (e) {
    await Promise.all(started.map((n) => n.stop().catch(() => {})));
    await redis.dispose();
    throw e;
  }
  return new Cluster(redis, started, prefix, config, nodeConfig);
}

// ---------------------------------------------------------------------------
// Load balancers

class LoadBalancer {
  constructor(kind, child, port, dir) {
    this.kind = kind;
    this.child = child;
    this.port = port;
    this.dir = dir;
    // What the client helpers read (stompClient: ws; RawStomp: port;
    // SockJS helpers: http).
    this.http = `http://127.0.0.1:${port}`;
    this.ws = `ws://127.0.0.1:${port}/ws`;
    this.id = kind;
  }

  log() {
    return this.child.log();
  }

  async stop() {
    try {
      // SIGTERM: both stop at once (their graceful stops would wait for
      // every WebSocket tunnel to end).
      await this.child.stop('SIGTERM');
    } finally {
      if (this.agent) this.agent.destroy();
      if (this.dir) removeTempDir(this.dir);
    }
  }
}

function waitListening(child, port, what, timeout = 10000) {
  const open = waitUntil(() => tcpOpen(port), { timeout, interval: 20, what });
  return Promise.race([open, child.failOnExit()]);
}

class Haproxy extends LoadBalancer {
  constructor(child, port, statsPort, servers) {
    super('haproxy', child, port, null);
    this.statsPort = statsPort;
    this.servers = servers; // server name -> herald node
  }

  // Rows of the stats CSV for `backend`'s servers: {name, node, status, check}.
  async serverStates(backend = 'herald') {
    const r = await http({ http: `http://127.0.0.1:${this.statsPort}` }, 'GET', '/stats;csv', {
      json: false,
      agent: false,
    });
    if (r.status !== 200) throw new Error(`HAProxy stats answered ${r.status}`);
    const lines = r.text.trim().split('\n');
    const cols = lines[0].replace(/^# /, '').split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
    return rows
      .filter((row) => row.pxname === backend && row.svname !== 'BACKEND' && row.svname !== 'FRONTEND')
      .map((row) => ({ name: row.svname, node: this.servers[row.svname], status: row.status, check: row.check_status }));
  }

  // Polls the stats until `pred(states)` holds.
  waitServers(pred, what, timeout = 10000, backend = 'herald') {
    return waitUntil(async () => pred(await this.serverStates(backend)), { timeout, interval: 100, what: `HAProxy: ${what}` });
  }
}

// Starts `haproxy -db -f deploy/<config>` with HERALD_NODE1..3 set to the
// nodes' addresses and the frontend and stats on free loopback ports;
// resolves once the frontend accepts connections.
async function startHaproxy(nodes, { config = 'haproxy.cfg', env = {} } = {}) {
  const bin = requireBin('haproxy', 'haproxy');
  const file = path.resolve(DEPLOY_DIR, config);
  const port = await freePort();
  const statsPort = await freePort();
  const childEnv = {
    ...process.env,
    HERALD_LB_BIND: `127.0.0.1:${port}`,
    HERALD_LB_STATS_BIND: `127.0.0.1:${statsPort}`,
    ...env,
  };
  const servers = {};
  nodes.forEach((n, i) => {
    childEnv[`HERALD_NODE${i + 1}`] = `127.0.0.1:${n.port}`;
    servers[`herald${i + 1}`] = n;
  });
  const child = new Child(`haproxy -f ${config}`, bin, ['-db', '-f', file], { env: childEnv });
  try {
    await waitListening(child, port, `HAProxy to listen on ${port}`);
  } catch (e) {
    await child.stop('SIGKILL').catch(() => {});
    throw e;
  }
  return new Haproxy(child, port, statsPort, servers);
}

// nginx.conf is a real config: its `server` lines in `upstream herald`, its
// `listen` lines and its /var/log/nginx paths are replaced in a copy under a
// temp dir, and temp paths are pointed there. Each replacement must match,
// so a changed config fails here rather than being tested half-applied.
function nginxTestConfig(text, { nodes, port, dir, transform }) {
  let out = text;
  const replaceOnce = (re, fn, what) => {
    let n = 0;
    out = out.replace(re, (...m) => {
      n++;
      return fn(...m);
    });
    if (n === 0) throw new Error(`deploy/nginx.conf: found no ${what} to substitute for the test`);
  };
  replaceOnce(
    /(upstream herald \{[^}]*?)((?:^[ \t]*server[ \t]+\S+[^;\n]*;[ \t]*\n)+)/m,
    (all, head, servers) => {
      const first = /^([ \t]*)server[ \t]+\S+([^;\n]*);/m.exec(servers);
      const [, indent, params] = first;
      return head + nodes.map((n) => `${indent}server 127.0.0.1:${n.port}${params};\n`).join('');
    },
    'server lines in `upstream herald`',
  );
  let listens = 0;
  replaceOnce(
    /^([ \t]*)listen[ \t]+[^;\n]+;[ \t]*\n/gm,
    (all, indent) => (listens++ === 0 ? `${indent}listen 127.0.0.1:${port};\n` : ''),
    '`listen` line',
  );
  replaceOnce(/\/var\/log\/nginx\//g, () => `${dir}/`, '/var/log/nginx/ paths');
  replaceOnce(
    /^(http[ \t]*\{[ \t]*\n)/m,
    (all) =>
      all +
      ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `    ${k}_temp_path ${dir}/${k}_temp;\n`).join(''),
    '`http {` block',
  );
  return transform ? transform(out) : out;
}

// Starts nginx (foreground, its own pid file and prefix) on a copy of
// deploy/<config> pointed at `nodes`; resolves once it accepts connections.
async function startNginx(nodes, { config = 'nginx.conf', transform } = {}) {
  const bin = requireBin('nginx', 'nginx-light');
  const port = await freePort();
  const dir = makeTempDir('herald-nginx-');
  fs.chmodSync(dir, 0o755); // workers run as an unprivileged user
  const text = nginxTestConfig(fs.readFileSync(path.resolve(DEPLOY_DIR, config), 'utf8'), { nodes, port, dir, transform });
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, text);
  const args = ['-c', file, '-p', dir, '-e', `${dir}/error.log`, '-g', `daemon off; pid ${dir}/nginx.pid;`];
  const child = new Child(`nginx -c ${config}`, bin, args, { group: true });
  child.output.push(`(config: ${file}; error log: ${dir}/error.log)`);
  const lb = new LoadBalancer('nginx', child, port, dir);
  // Its error log: the config's error_log (moved into dir) and -e's.
  lb.errorLog = () =>
    fs
      .readdirSync(dir)
      .filter((f) => /error.*\.log$/.test(f))
      .map((f) => `${f}:\n${fs.readFileSync(path.join(dir, f), 'utf8')}`)
      .join('\n');
  try {
    await waitListening(child, port, `nginx to listen on ${port}`).catch((e) => {
      throw new Error(`${e.message}\n${lb.errorLog()}`);
    });
  } catch (e) {
    await child.stop('SIGKILL').catch(() => {});
    removeTempDir(dir);
    throw e;
  }
  return lb;
}

module.exports = {
  NodeSet,
  DEPLOY_DIR,
  freePort,
  redisCommand,
  startRedis,
  startCluster,
  startHaproxy,
  startNginx,
  nginxTestConfig,
  readyz,
  info,
  waitReady,
  backplaneMetrics,
  apiNodes,
  presence,
  waitPresence,
};
