'use strict';
// A herald child process per test file: own temp config, own port, stopped
// by pid. HERALD_BIN names the binary (default build/release/herald); with a
// sanitizer build, a sanitizer report in herald's output fails the suite.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { within } = require('./wait');

const HERALD_BIN = process.env.HERALD_BIN || path.resolve(__dirname, '../../../build/release/herald');

// ---------------------------------------------------------------------------
// herald child processes

// YAML emitter for plain objects/arrays/scalars (strings double-quoted, which
// YAML reads like JSON strings). Kept readable for failure diagnostics.
function toYaml(value, indent = '') {
  const scalar = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return value
      .map((v) => {
        if (v !== null && typeof v === 'object') {
          const inner = toYaml(v, indent + '  ').replace(/^\n\s*/, '');
          return `\n${indent}- ${inner}`;
        }
        return `\n${indent}- ${scalar(v)}`;
      })
      .join('');
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return ' {}';
    return keys.map((k) => `\n${indent}${k}:${toYaml(value[k], indent + '  ')}`).join('');
  }
  return ' ' + scalar(value);
}

function deepMerge(base, over) {
  if (over === undefined) return base;
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return over;
  if (over === null || typeof over !== 'object' || Array.isArray(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

// Calls onLine for every line written to `file`, now and later, following
// the path: when a new file appears there (log rotation by rename), it is
// read from its start. Driven by inotify events on the directory, not by
// polling. Returns a function that stops following.
function followFile(file, onLine) {
  let ino = null;
  let pos = 0;
  let partial = '';
  let decoder = new TextDecoder('utf-8');
  let watcher = null;
  const read = () => {
    let fd;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return; // not there (yet, or renamed away and not yet recreated)
    }
    try {
      const st = fs.fstatSync(fd);
      if (st.ino !== ino) {
        if (partial) onLine(partial);
        ino = st.ino;
        pos = 0;
        partial = '';
        decoder = new TextDecoder('utf-8');
      }
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        pos += n;
        partial += decoder.decode(buf.subarray(0, n), { stream: true });
      }
    } finally {
      fs.closeSync(fd);
    }
    const lines = partial.split('\n');
    partial = lines.pop();
    for (const line of lines) onLine(line);
  };
  watcher = fs.watch(path.dirname(file), () => read());
  read();
  return () => {
    if (watcher) watcher.close();
    watcher = null;
  };
}

// Resolves once `file` exists: at once if it does, else on the inotify event
// of its creation.
function fileCreated(file) {
  return new Promise((resolve) => {
    const watcher = fs.watch(path.dirname(file), () => {
      if (fs.existsSync(file)) {
        watcher.close();
        resolve();
      }
    });
    if (fs.existsSync(file)) {
      watcher.close();
      resolve();
    }
  });
}

const running = new Set();
process.on('exit', () => {
  for (const h of running) {
    try {
      h.proc.kill('SIGKILL');
    } catch {}
    fs.rmSync(h.dir, { recursive: true, force: true });
  }
});

class Herald {
  constructor(proc, port, dir, output) {
    this.proc = proc;
    this.port = port;
    this.dir = dir;
    this.output = output; // array of stdout/stderr lines
    this.http = `http://127.0.0.1:${port}`;
    this.ws = `ws://127.0.0.1:${port}/ws`;
    this.exited = new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
      else proc.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // 'close' comes after the output streams ended: the log is complete.
    this.closed = new Promise((resolve) => proc.once('close', resolve));
  }

  log() {
    return this.output.join('\n');
  }

  // SIGTERM, wait for the exit; SIGKILL if it hangs. Resolves {code, signal}.
  async stop(ms = 10000) {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    let result;
    try {
      result = await within(this.exited, ms, `herald pid ${this.proc.pid} to exit after SIGTERM`);
    } catch (e) {
      this.proc.kill('SIGKILL');
      await within(this.exited, 5000, 'herald to exit after SIGKILL').catch(() => {});
      throw e;
    } finally {
      running.delete(this);
      if (this.agent) this.agent.destroy();
      if (this.unfollow) this.unfollow();
      // Let the last output lines arrive (sanitizer reports come at exit).
      await within(this.closed, 2000, 'herald output to end').catch(() => {});
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
    this.assertNoSanitizerReport();
    return result;
  }

  // With a sanitizer build (HERALD_BIN=build/debug/herald) a report in the
  // output fails the suite that owns this server.
  assertNoSanitizerReport() {
    const log = this.log();
    const at = log.search(/ERROR: (Address|Leak|Thread)Sanitizer|runtime error: /);
    if (at >= 0) throw new Error(`herald reported a sanitizer error:\n${log.slice(Math.max(0, at - 200), at + 4000)}`);
  }
}

// Starts herald with `config` (merged over test defaults) on 127.0.0.1:0 (or
// on `port`, e.g. to restart a server where its clients expect it) and
// resolves once it prints its listening line. With `log.file` in the config,
// the lines are read from that file. `shell`: a sh command run before herald
// replaces the shell (same pid), e.g. 'ulimit -n 512'.
async function startHerald(config = {}, { env = {}, args = [], timeout = 10000, port: fixedPort = 0, shell } = {}) {
  // A short drain keeps a stuck shutdown cheap; tests about draining set their own.
  const defaults = { threads: 2, log: { level: 'info' }, drain_ms: 1000 };
  const cfg = deepMerge(defaults, config);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-e2e-'));
  const file = path.join(dir, 'herald.yaml');
  fs.writeFileSync(file, toYaml(cfg).replace(/^\n/, '') + '\n');
  // herald rejects unknown HERALD_* variables (HERALD_BIN among them).
  const childEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HERALD_')) childEnv[k] = v;
  Object.assign(childEnv, env);
  const heraldArgs = ['--config', file, '--listen', `127.0.0.1:${fixedPort}`, ...args];
  const proc = shell
    ? spawn('/bin/sh', ['-c', `${shell} && exec "$0" "$@"`, HERALD_BIN, ...heraldArgs], {
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(HERALD_BIN, heraldArgs, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  let unfollow = null;
  const listening = new Promise((resolve, reject) => {
    const onLine = (line) => {
      output.push(line);
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    };
    readline.createInterface({ input: proc.stdout }).on('line', onLine);
    readline.createInterface({ input: proc.stderr }).on('line', onLine);
    if (cfg.log && cfg.log.file) unfollow = followFile(cfg.log.file, onLine);
    proc.once('error', reject);
    proc.once('exit', (code, signal) =>
      reject(new Error(`herald exited (code ${code}, signal ${signal}) before listening:\n${output.join('\n')}\nconfig:\n${fs.readFileSync(file, 'utf8')}`)),
    );
  });
  let port;
  try {
    port = await within(listening, timeout, 'herald to print its listening line');
  } catch (e) {
    proc.kill('SIGKILL');
    if (unfollow) unfollow();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const h = new Herald(proc, port, dir, output);
  h.unfollow = unfollow;
  running.add(h);
  return h;
}

module.exports = { HERALD_BIN, startHerald, toYaml, deepMerge, fileCreated };
