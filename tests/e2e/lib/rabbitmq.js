'use strict';
// A real RabbitMQ per test file: /usr/lib/rabbitmq/bin/rabbitmq-server run
// as a plain process (as root, so its directories need no `rabbitmq`
// owner) with every path in a temp dir and every port free on loopback —
// AMQP, Erlang distribution, and a private epmd, so that nothing else on the
// machine (other RabbitMQs, their epmd) is touched. Readiness is
// `rabbitmqctl await_startup`; stop is `rabbitmqctl stop` and the process's
// exit. At exit the server's process group and the private epmd are killed.

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { within, waitUntil } = require('./wait');
const { freePort } = require('./cluster');

const SBIN = '/usr/lib/rabbitmq/bin';

const live = new Set();
process.on('exit', () => {
  for (const r of live) r.killAllSync();
});

// The pid listening on 127.0.0.1:port, from ss (the epmd daemon detaches).
function listenerPid(port) {
  const r = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  const m = /pid=(\d+)/.exec(r.stdout || '');
  return m ? Number(m[1]) : null;
}

class RabbitMQ {
  constructor(ports) {
    this.port = ports.amqp;
    this.distPort = ports.dist;
    this.epmdPort = ports.epmd;
    this.url = `amqp://guest:guest@127.0.0.1:${this.port}/`;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-rabbitmq-'));
    this.name = `herald-e2e-${crypto.randomBytes(4).toString('hex')}@localhost`;
    this.proc = null;
    this.output = [];
    fs.mkdirSync(path.join(this.dir, 'mnesia'));
    fs.mkdirSync(path.join(this.dir, 'log'));
    fs.writeFileSync(
      path.join(this.dir, 'rabbitmq.conf'),
      [
        `listeners.tcp.1 = 127.0.0.1:${this.port}`,
        'loopback_users = none',
        // Tests do not measure the host's memory or disk: no alarms.
        'vm_memory_high_watermark.relative = 0.8',
        'disk_free_limit.absolute = 1MB',
        'log.console = false',
        'log.file.level = warning',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(this.dir, 'enabled_plugins'), '[].\n');
    live.add(this);
  }

  env() {
    const d = this.dir;
    return {
      ...process.env,
      HOME: d,
      RABBITMQ_NODENAME: this.name,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      ERL_EPMD_PORT: String(this.epmdPort),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      RABBITMQ_CONFIG_FILE: path.join(d, 'rabbitmq'),
      RABBITMQ_MNESIA_BASE: path.join(d, 'mnesia'),
      RABBITMQ_LOG_BASE: path.join(d, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(d, 'enabled_plugins'),
      RABBITMQ_FEATURE_FLAGS_FILE: path.join(d, 'feature_flags'),
      RABBITMQ_PID_FILE: path.join(d, 'rabbitmq.pid'),
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    };
  }

  // rabbitmqctl with this node's environment; resolves {status, output}.
  ctl(args, timeout = 30000) {
    return new Promise((resolve) => {
      const p = spawn(path.join(SBIN, 'rabbitmqctl'), args, { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      const timer = setTimeout(() => p.kill('SIGKILL'), timeout);
      p.once('close', (status) => {
        clearTimeout(timer);
        resolve({ status, output: out });
      });
    });
  }

  alive() {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  log() {
    return this.output.join('\n');
  }

  // Starts the server and resolves once `rabbitmqctl await_startup` succeeds
  // (it fails at once while the node has not registered yet: retried).
  async start(timeout = 60000) {
    if (this.alive()) throw new Error('rabbitmq is running already');
    // Its own process group: killed as one at exit (the script and beam).
    this.proc = spawn(path.join(SBIN, 'rabbitmq-server'), [], {
      env: this.env(),
      cwd: this.dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = this.proc;
    const onLine = (l) => this.output.push(l);
    readline.createInterface({ input: proc.stdout }).on('line', onLine);
    readline.createInterface({ input: proc.stderr }).on('line', onLine);
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    const died = this.exited.then(({ code, signal }) => {
      throw new Error(`rabbitmq-server exited (code ${code}, signal ${signal}) while starting:\n${this.log()}`);
    });
    const ready = waitUntil(async () => (await this.ctl(['await_startup', '--timeout', '20'], 25000)).status === 0, {
      timeout,
      interval: 250,
      what: `rabbitmq ${this.name} to start on port ${this.port}`,
    });
    died.catch(() => {});
    await Promise.race([ready, died]);
  }

  // Stops the node (rabbitmqctl stop) and waits for the process to exit.
  async stop(timeout = 60000) {
    if (!this.alive()) return;
    const r = await this.ctl(['stop'], timeout);
    if (r.status !== 0) this.killGroup('SIGTERM');
    await within(this.exited, timeout, `rabbitmq ${this.name} to exit`).catch((e) => {
      this.killGroup('SIGKILL');
      throw e;
    });
  }

  async restart() {
    await this.stop();
    await this.start();
  }

  killGroup(signal) {
    try {
      if (this.proc) process.kill(-this.proc.pid, signal);
    } catch {}
  }

  killAllSync() {
    this.killGroup('SIGKILL');
    const epmd = listenerPid(this.epmdPort);
    if (epmd) {
      try {
        process.kill(epmd, 'SIGKILL');
      } catch {}
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  async dispose() {
    await this.stop().catch(() => {});
    this.killAllSync();
  }
}

async function startRabbitMQ() {
  const r = new RabbitMQ({ amqp: await freePort(), dist: await freePort(), epmd: await freePort() });
  try {
    await r.start();
  } catch (e) {
    r.killAllSync();
    throw e;
  }
  return r;
}

module.exports = { startRabbitMQ, RabbitMQ };
