'use strict';
// Timeout-guarded waiting: every wait in the suite is on an event, bounded by
// a timeout; only server counters without an event are polled (waitUntil).



const DEFAULT_TIMEOUT = 5000;

// ---------------------------------------------------------------------------
// Waiting

// Resolves/rejects like `promise`, or rejects after `ms` naming `what`.
function within(promise, ms = DEFAULT_TIMEOUT, what = 'event') {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Polls an async condition until it holds. Only for server state that has
// no event to await (counters in /metrics or /api/info); never a stand-in
// for a frame or a close, which are awaited directly.
async function waitUntil(cond, { timeout = DEFAULT_TIMEOUT, interval = 25, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// A queue of items with awaitable takes: what arrives before anyone waits is
// kept, in order.
class Inbox {
  constructor(name = 'item') {
    this.name = name;
    this.items = [];
    this.all = []; // everything ever pushed, for assertions after the fact
    this.waiters = [];
    this.failure = null;
  }

  push(item) {
    this.all.push(item);
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i];
      if (w.pred(item)) {
        this.waiters.splice(i, 1);
        w.resolve(item);
        return;
      }
    }
    this.items.push(item);
  }

  // No more items will come (e.g. the connection closed): pending and future
  // takes that cannot be satisfied fail at once instead of timing out.
  fail(err) {
    this.failure = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  // The first queued or future item matching pred (default: any).
  take(pred = () => true, ms = DEFAULT_TIMEOUT, what) {
    const i = this.items.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.items.splice(i, 1)[0]);
    if (this.failure) return Promise.reject(this.failure);
    let waiter;
    const p = new Promise((resolve, reject) => {
      waiter = { pred, resolve, reject };
      this.waiters.push(waiter);
    });
    return within(p, ms, what || this.name).catch((e) => {
      const k = this.waiters.indexOf(waiter);
      if (k >= 0) this.waiters.splice(k, 1);
      throw e;
    });
  }

  next(ms = DEFAULT_TIMEOUT, what) {
    return this.take(() => true, ms, what);
  }

  // Takes n items in arrival order.
  async takeN(n, ms = DEFAULT_TIMEOUT, what) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await this.next(ms, `${what || this.name} #${i + 1} of ${n}`));
    return out;
  }
}

module.exports = { DEFAULT_TIMEOUT, within, waitUntil, Inbox };
