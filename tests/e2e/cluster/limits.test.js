'use strict';
// limits.max_connections_per_user across a cluster: with broker.type redis
// a CONNECT counts the user's sessions on the other nodes from the presence
// directory, so two sessions on nodes a and b leave no room on c. Presence
// reaches Redis one loop turn after a CONNECT or a close, and a CONNECT
// racing it could slip through: tests wait for presence to show the
// sessions before the CONNECT that must be refused, as a user who opens
// tabs one after another would be seen.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { startCluster, waitPresence } = require('../lib/cluster');

describe('cluster-wide per-user connection limit', () => {
  let cluster, A, B, C;
  before(async () => {
    cluster = await startCluster({ nodes: 3, config: { limits: { max_connections_per_user: 2 } } });
    [A, B, C] = cluster.nodes;
  });
  after(() => cluster && cluster.stop());

  const connect = async (t, node, login) => h.track(t, await h.RawStomp.connect(node, { login }));
  const refusedOn = async (t, node, login) => {
    const c = h.track(t, await h.RawStomp.open(node));
    c.send('CONNECT', { 'accept-version': '1.2', host: 'x', login, receipt: 'connect' });
    const err = await c.expect('ERROR');
    assert.equal(err.headers.message, 'too many sessions for this user');
    assert.equal((await h.within(c.closed, 5000, 'close after the refusal')).code, 1008);
    return err;
  };

  it('refuses a third session on c while the user has one on a and one on b, and admits one when a slot frees', async (t) => {
    const user = 'limited';
    const onA = await connect(t, A, user);
    const onB = await connect(t, B, user);
    await waitPresence(C, user, 2);

    const before = h.metric(await h.metricsText(C), 'herald_closes_total', 'reason="limit_exceeded"');
    await refusedOn(t, C, user);
    // ...and on a and b as well, which hold one each.
    await refusedOn(t, A, user);
    await refusedOn(t, B, user);
    await h.waitUntil(async () => h.metric(await h.metricsText(C), 'herald_closes_total', 'reason="limit_exceeded"') === before + 1, {
      what: 'node c to count its one refusal',
    });
    // The refusals left presence alone, and other users are not limited by it.
    assert.deepEqual(await waitPresence(A, user, 2), { user, online: true, sessions: 2, nodes: [{ node: 'a', sessions: 1 }, { node: 'b', sessions: 1 }] });
    const others = [await connect(t, C, 'unlimited-1'), await connect(t, C, 'unlimited-2')];
    for (const o of others) assert.equal(o.ws.readyState, h.WebSocket.OPEN);

    // One session ends: once presence shows it, c has room for one.
    onA.send('DISCONNECT', { receipt: 'bye' });
    await onA.expect('RECEIPT');
    await h.within(onA.closed, 5000, 'close after DISCONNECT');
    await waitPresence(C, user, 1);
    const onC = await connect(t, C, user);
    assert.equal(onC.connected.headers['user-name'], user);
    assert.match(onC.connected.headers.session, /^c-/);
    // Full again: b and c hold the two, a has no room.
    await waitPresence(A, user, 2);
    await refusedOn(t, A, user);
    assert.equal(onB.ws.readyState, h.WebSocket.OPEN);
    assert.equal(onC.ws.readyState, h.WebSocket.OPEN);
  });

  it('counts two sessions on one node against the others too', async (t) => {
    const user = 'stacked';
    await connect(t, B, user);
    await connect(t, B, user);
    // The node's own limit applies locally without Redis...
    await refusedOn(t, B, user);
    // ...and the others learn of both from presence.
    await waitPresence(A, user, 2);
    await refusedOn(t, A, user);
    await refusedOn(t, C, user);
  });
});
