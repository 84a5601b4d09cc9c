'use strict';
// Causal order: a producer that publishes one message after another (each
// after the previous one's HTTP response) must see its subscribers receive
// them in that order, even when its requests travel over different HTTP
// connections (a client's connection pool), which herald may serve on
// different worker threads.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const nodeHttp = require('node:http');
const { Worker } = require('node:worker_threads');
const h = require('../lib/harness');

describe('ordering across HTTP connections', () => {
  let server;
  before(async () => {
    server = await h.startHerald({ threads: 2 });
  });
  after(() => server && server.stop());

  it(
    'sequential publishes over several connections arrive in publish order',
    async (t) => {
      const agents = Array.from({ length: 4 }, () => new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 }));
      t.after(() => agents.forEach((a) => a.destroy()));
      // Readers on both worker threads, topic and user destinations.
      const readers = [];
      const addReader = async () => {
        const c = h.track(t, await h.RawStomp.connect(server, { login: 'orderly' }));
        await c.subscribe('/topic/order', 't');
        await c.subscribe('/user/queue/order', 'u');
        readers.push(c);
      };
      const workersWithReaders = async () => (await h.http(server, 'GET', '/api/info')).json.threads.filter((th) => th.sessions > 0).length;
      for (let i = 0; i < 6; i++) await addReader();
      // The kernel spreads connections over the workers at random (about one
      // run in 32 puts six on one worker): add readers until both have some.
      while ((await workersWithReaders()) < 2 && readers.length < 30) await addReader();
      assert.equal(await workersWithReaders(), 2, 'readers on both workers');
      // The race needs a worker thread to be preempted at the wrong moment;
      // busy threads make that likely enough to see within seconds.
      const hogs = Array.from({ length: 2 }, () => new Worker('for (;;) {}', { eval: true }));
      t.after(() => Promise.all(hogs.map((w) => w.terminate())));

      const N = 3000;
      for (let i = 0; i < N; i++) {
        const agent = agents[i % agents.length];
        const user = i % 2 === 1;
        const r = await h.http(server, 'POST', user ? '/api/users/orderly/publish' : '/api/publish', {
          body: { destination: user ? '/queue/order' : '/topic/order', body: String(i) },
          agent,
        });
        assert.equal(r.status, 200, r.text);
      }
      await Promise.all(hogs.map((w) => w.terminate()));
      const problems = [];
      for (const [k, c] of readers.entries()) {
        const frames = await c.frames.takeN(N, 20000, 'ordered message');
        // Order is checked per destination: the topic and the user queue.
        for (const sub of ['t', 'u']) {
          const got = frames.filter((f) => f.headers.subscription === sub).map((f) => Number(f.body));
          assert.equal(got.length, N / 2);
          const at = got.findIndex((n, j) => j > 0 && n < got[j - 1]);
          if (at >= 0) problems.push(`reader ${k} ${sub === 't' ? 'topic' : 'user'}: ... ${got.slice(Math.max(0, at - 2), at + 2).join(', ')} ...`);
        }
      }
      assert.deepEqual(problems, [], 'messages overtook earlier ones');
    },
  );
});
