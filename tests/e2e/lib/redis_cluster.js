'use strict';
// A real Redis Cluster per test file: redis-server processes with cluster
// mode on, on free loopback ports (the client port and the cluster bus
// port both picked free, below the ephemeral range), joined by
// `redis-cli --cluster create`, and herald nodes pointed at it through
// broker.redis.cluster_nodes. Ready once every node answers CLUSTER INFO
// with cluster_state:ok and reports the same slot map. Servers are killed
// by pid if the test process exits first; their temp dirs are removed.
// Nothing sleeps to synchronise: readiness is polled with a timeout.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { within, waitUntil } = require('./wait');
const { startHerald, deepMerge } = require('./server');
const { http } = require('./http');
const { NodeSet, freePort, redisCommand, waitReady } = require('./cluster');

const children = new Set();
const tempDirs = new Set();
process.on('exit', () => {
  for (const c of children) {
    try {
      c.proc.kill('SIGKILL');
    } catch {}
  }
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function which(bin) {
  const r = require('node:child_process').spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function requireBin(bin) {
  const found = which(bin);
  if (!found) throw new Error(`${bin} not found: the Redis Cluster tests need it (apt-get install redis-server redis-tools)`);
  return found;
}

// A spawned process whose output is kept for diagnostics.
class Proc {
  constructor(name, bin, args, { cwd } = {}) {
    this.name = name;
    this.output = [];
    this.proc = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = (line) => this.output.push(line);
    readline.createInterface({ input: this.proc.stdout }).on('line', onLine);
    readline.createInterface({ input: this.proc.stderr }).on('line', onLine);
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => resolve({ code, signal }));
      this.proc.once('error', (error) => resolve({ code: null, signal: null, error }));
    });
    this.closed = new Promise((resolve) => this.proc.once('close', resolve));
    children.add(this);
    this.exited.then(() => children.delete(this));
  }

  alive() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  log() {
    return this.output.join('\n');
  }

  async stop(signal = 'SIGTERM', ms = 10000) {
    if (this.alive()) this.proc.kill(signal);
    try {
      return await within(this.exited, ms, `${this.name} (pid ${this.proc.pid}) to exit after ${signal}`);
    } catch (e) {
      this.proc.kill('SIGKILL');
      await within(this.exited, 5000, `${this.name} to exit after SIGKILL`).catch(() => {});
      throw e;
    } finally {
      await within(this.closed, 2000, `${this.name} output to end`).catch(() => {});
    }
  }

  failOnExit() {
    return this.exited.then(({ code, signal, error }) => {
      throw new Error(`${this.name} exited (code ${code}, signal ${signal}${error ? `, ${error.message}` : ''}):\n${this.log()}`);
    });
  }
}

// CLUSTER SLOTS as [{first, last, port, replicas: [port...]}], sorted.
function parseSlots(reply) {
  return reply
    .map((r) => ({ first: r[0], last: r[1], port: r[2][1], id: r[2][2], replicas: r.slice(3).map((n) => n[1]) }))
    .sort((a, b) => a.first - b.first);
}

class RedisNode {
  constructor(cluster, port, busPort) {
    this.cluster = cluster;
    this.port = port;
    this.busPort = busPort;
    this.seed = `127.0.0.1:${port}`;
    this.proc = null;
  }

  async start(timeout = 10000) {
    const bin = requireBin('redis-server');
    const c = this.cluster;
    const args = [
      '--port', String(this.port),
      '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes',
      '--cluster-port', String(this.busPort),
      '--cluster-config-file', path.join(c.dir, `nodes-${this.port}.conf`),
      '--cluster-node-timeout', String(c.nodeTimeout),
      '--save', '',
      '--appendonly', 'no',
      '--dir', c.dir,
      '--dbfilename', `dump-${this.port}.rdb`,
    ];
    this.proc = new Proc(`redis-server :${this.port} (cluster)`, bin, args, { cwd: c.dir });
    const pong = waitUntil(() => this.command(['PING'], 500).then((r) => r === 'PONG', () => false), {
      timeout,
      interval: 20,
      what: `redis-server on port ${this.port} to answer PING`,
    });
    await Promise.race([pong, this.proc.failOnExit()]);
  }

  command(args, ms) {
    return redisCommand(this.port, args, ms);
  }

  async info() {
    const text = await this.command(['CLUSTER', 'INFO']);
    return Object.fromEntries(
      text
        .split('\r\n')
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':')),
    );
  }

  async myId() {
    return this.command(['CLUSTER', 'MYID']);
  }

  // Shard channels this node has subscribers for (PUBSUB SHARDCHANNELS).
  shardChannels(pattern = '*') {
    return this.command(['PUBSUB', 'SHARDCHANNELS', pattern]);
  }

  async shardNumsub(channel) {
    const r = await this.command(['PUBSUB', 'SHARDNUMSUB', channel]);
    return Number(r[1]);
  }

  // Herald's subscriber connections here (CLIENT LIST, named herald-<id>-sub).
  async clients() {
    const text = await this.command(['CLIENT', 'LIST']);
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => Object.fromEntries(l.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])));
  }

  log() {
    return this.proc ? this.proc.log() : '';
  }

  async stop(signal = 'SIGTERM') {
    if (this.proc) await this.proc.stop(signal);
  }
}

class RedisCluster {
  constructor({ masters, replicas, nodeTimeout }) {
    this.masterCount = masters;
    this.replicas = replicas;
    this.nodeTimeout = nodeTimeout;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-redis-cluster-'));
    tempDirs.add(this.dir);
    this.nodes = [];
  }

  get seeds() {
    return this.nodes.map((n) => n.seed);
  }

  node(port) {
    const n = this.nodes.find((x) => x.port === port);
    if (!n) throw new Error(`no redis node on port ${port}`);
    return n;
  }

  // Any node that is running answers.
  async command(args, ms) {
    let last;
    for (const n of this.nodes) {
      if (!n.proc || !n.proc.alive()) continue;
      try {
        return await n.command(args, ms);
      } catch (e) {
        last = e;
      }
    }
    throw last || new Error('no redis cluster node is running');
  }

  async slots(port) {
    return parseSlots(await (port ? this.node(port).command(['CLUSTER', 'SLOTS']) : this.command(['CLUSTER', 'SLOTS'])));
  }

  async keySlot(key) {
    return this.command(['CLUSTER', 'KEYSLOT', key]);
  }

  // The master node serving `key` (or a channel name) now.
  async ownerOf(key) {
    const slot = await this.keySlot(key);
    const r = (await this.slots()).find((x) => x.first <= slot && slot <= x.last);
    if (!r) throw new Error(`slot ${slot} of ${key} is served by no master`);
    return this.node(r.port);
  }

  async masters() {
    const ports = [...new Set((await this.slots()).map((r) => r.port))];
    return ports.map((p) => this.node(p));
  }

  // Subscribers of a shard channel on the master serving it.
  async shardNumsub(channel) {
    return (await this.ownerOf(channel)).shardNumsub(channel);
  }

  // Polls until `count` connections subscribe `channel` on its master.
  waitShardSubscribers(channel, count, timeout = 5000) {
    return waitUntil(async () => (await this.shardNumsub(channel)) === count, {
      timeout,
      what: `${count} shard subscribers of ${channel}`,
    });
  }

  // Every running node says cluster_state:ok and reports the same slot
  // map, covering all 16384 slots with running masters, each range with at
  // least `replicas` replicas in sync (CLUSTER SLOTS lists a replica once it
  // has synced).
  waitHealthy(timeout = 20000, { replicas = 0 } = {}) {
    return waitUntil(
      async () => {
        const live = this.nodes.filter((n) => n.proc && n.proc.alive());
        const maps = [];
        for (const n of live) {
          try {
            if ((await n.info()).cluster_state !== 'ok') return false;
            const slots = await this.slots(n.port);
            if (slots.some((r) => r.replicas.length < replicas)) return false;
            // A master that died is still named until it is failed over.
            if (slots.some((r) => !live.some((x) => x.port === r.port))) return false;
            maps.push(JSON.stringify(slots.map((r) => [r.first, r.last, r.port])));
          } catch {
            return false;
          }
        }
        if (new Set(maps).size !== 1) return false;
        const ranges = JSON.parse(maps[0]);
        return ranges.reduce((n, [first, last]) => n + last - first + 1, 0) === 16384;
      },
      { timeout, interval: 100, what: 'the Redis Cluster to be healthy (cluster_state:ok, one slot map on all nodes)' },
    );
  }

  // Moves one slot (and its keys) from its master to the master on
  // `toPort`, as redis-cli --cluster reshard does: IMPORTING/MIGRATING,
  // MIGRATE the keys, then SETSLOT NODE on the two and the other masters.
  async moveSlot(slot, toPort) {
    const from = (await this.slots()).find((r) => r.first <= slot && slot <= r.last);
    const src = this.node(from.port);
    const dst = this.node(toPort);
    if (src === dst) throw new Error(`slot ${slot} is on ${toPort} already`);
    const srcId = await src.myId();
    const dstId = await dst.myId();
    await dst.command(['CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', srcId]);
    await src.command(['CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', dstId]);
    for (;;) {
      const keys = await src.command(['CLUSTER', 'GETKEYSINSLOT', String(slot), '100']);
      if (keys.length === 0) break;
      await src.command(['MIGRATE', '127.0.0.1', String(toPort), '', '0', '5000', 'KEYS', ...keys]);
    }
    await dst.command(['CLUSTER', 'SETSLOT', String(slot), 'NODE', dstId]);
    await src.command(['CLUSTER', 'SETSLOT', String(slot), 'NODE', dstId]);
    for (const m of await this.masters()) {
      if (m !== src && m !== dst) await m.command(['CLUSTER', 'SETSLOT', String(slot), 'NODE', dstId]).catch(() => {});
    }
    await this.waitHealthy();
  }

  log() {
    return this.nodes.map((n) => `--- redis :${n.port}\n${n.log()}`).join('\n');
  }

  async stop() {
    const errors = [];
    await Promise.all(this.nodes.map((n) => n.stop().catch((e) => errors.push(e))));
    fs.rmSync(this.dir, { recursive: true, force: true });
    tempDirs.delete(this.dir);
    if (errors.length) throw errors[0];
  }
}

async function createCluster(c, timeout) {
  const bin = requireBin('redis-cli');
  const args = ['--cluster', 'create', ...c.seeds, '--cluster-replicas', String(c.replicas), '--cluster-yes'];
  const p = new Proc('redis-cli --cluster create', bin, args);
  const { code } = await within(p.exited, timeout, 'redis-cli --cluster create');
  await within(p.closed, 2000, 'redis-cli output').catch(() => {});
  if (code !== 0) throw new Error(`redis-cli --cluster create failed (code ${code}):\n${p.log()}`);
}

// Starts masters * (1 + replicas) redis-servers in cluster mode and joins
// them; resolves once the cluster is healthy. nodeTimeout is
// cluster-node-timeout (ms): how soon a dead master is failed over.
async function startRedisCluster({ masters = 3, replicas = 0, nodeTimeout = 2000, timeout = 30000 } = {}) {
  const c = new RedisCluster({ masters, replicas, nodeTimeout });
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) c.nodes.push(new RedisNode(c, await freePort(), await freePort()));
    await Promise.all(c.nodes.map((n) => n.start()));
    await createCluster(c, timeout);
    await c.waitHealthy(timeout, { replicas });
  } catch (e) {
    const log = c.log();
    await c.stop().catch(() => {});
    e.message += `\n${log}`;
    throw e;
  }
  return c;
}

// ---------------------------------------------------------------------------
// herald nodes on the cluster

const NODE_IDS = 'abcdefghij'.split('');

class HeraldOnCluster extends NodeSet {
  // Polls the master serving `channel` until `count` herald nodes SSUBSCRIBE it.
  waitSubscribers(channel, count, timeout = 5000) {
    return this.redis.waitShardSubscribers(channel, count, timeout);
  }

  async stop() {
    const errors = [];
    await Promise.all(this.nodes.map((n) => n.stop().catch((e) => errors.push(e))));
    await this.redis.stop().catch((e) => errors.push(e));
    if (errors.length) throw errors[0];
  }
}

// A Redis Cluster and `nodes` herald nodes (ids a, b, c, ...) on it;
// resolves once every node's /readyz answers 200.
async function startHeraldOnCluster({ nodes = 3, masters = 3, replicas = 0, nodeTimeout, config = {}, prefix = 'herald:' } = {}) {
  const redis = await startRedisCluster({ masters, replicas, nodeTimeout });
  const started = [];
  try {
    for (let i = 0; i < nodes; i++) {
      const id = NODE_IDS[i];
      const base = {
        node: { id },
        auth: { mode: 'none' },
        broker: {
          type: 'redis',
          redis: { cluster_nodes: redis.seeds, prefix, connect_timeout_ms: 1000, reconnect_max_ms: 500 },
        },
      };
      const node = await startHerald(deepMerge(base, config));
      node.id = id;
      started.push(node);
    }
    await Promise.all(started.map((n) => waitReady(n)));
  } catch (e) {
    const logs = started.map((n) => `--- herald ${n.id}\n${n.log()}`).join('\n');
    await Promise.all(started.map((n) => n.stop().catch(() => {})));
    await redis.stop().catch(() => {});
    e.message += `\n${logs}`;
    throw e;
  }
  return new HeraldOnCluster(redis, started, prefix);
}

// GET /api/nodes ids, sorted.
async function nodeIds(node) {
  const r = await http(node, 'GET', '/api/nodes');
  if (r.status !== 200) throw new Error(`/api/nodes on ${node.id} answered ${r.status} ${r.text}`);
  return r.json.nodes.map((n) => n.id).sort();
}

module.exports = { startRedisCluster, startHeraldOnCluster, nodeIds, parseSlots };
