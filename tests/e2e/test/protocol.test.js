'use strict';
// STOMP protocol behaviour with raw frames: CONNECTED headers and version
// negotiation, receipts, transactions, ack modes, protocol errors.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');

describe('protocol', () => {
  let server;
  before(async () => {
    server = await h.startHerald({
      destinations: { client_send: ['/topic/chat.**', '/topic/tx/*'] },
      limits: { max_unacked: 3 },
      slow_consumer: { topic: 'drop_oldest', user: 'close' },
      heartbeat: { send_ms: 10000, receive_ms: 10000 },
    });
  });
  after(() => server && server.stop());

  const raw = async (t, login, opts) => h.track(t, await h.RawStomp.connect(server, login ? { login } : {}, opts));

  describe('CONNECT', () => {
    it('answers CONNECTED with version, heart-beat, server, session and user-name', async (t) => {
      const c = await raw(t, 'zoe');
      const hd = c.connected.headers;
      assert.equal(hd.version, '1.2');
      assert.equal(hd['heart-beat'], '10000,10000');
      assert.match(hd.server, /^herald\/\d+\.\d+/);
      assert.ok(hd.session && hd.session.length > 0);
      assert.equal(hd['user-name'], 'zoe');
      assert.equal(c.ws.protocol, 'v12.stomp');
    });

    it('gives every session its own id', async (t) => {
      const ids = new Set();
      for (let i = 0; i < 4; i++) ids.add((await raw(t, 'same')).connected.headers.session);
      assert.equal(ids.size, 4);
    });

    it('names an anonymous principal when CONNECT has no login (auth.mode none)', async (t) => {
      const c = await raw(t, null);
      assert.match(c.connected.headers['user-name'], /^anonymous/);
    });

    it('accepts the STOMP command as well as CONNECT', async (t) => {
      const c = h.track(t, await h.RawStomp.open(server));
      c.send('STOMP', { 'accept-version': '1.2', host: 'x', login: 'stomp-cmd' });
      const f = await c.expect('CONNECTED');
      assert.equal(f.headers['user-name'], 'stomp-cmd');
    });

    it('takes the version the WebSocket subprotocol names', async (t) => {
      const c = await raw(t, 'v11', { protocols: ['v11.stomp'] });
      assert.equal(c.ws.protocol, 'v11.stomp');
      assert.equal(c.connected.headers.version, '1.1');
    });

    it('picks the highest offered subprotocol', async (t) => {
      const c = await raw(t, 'multi', { protocols: ['v10.stomp', 'v12.stomp', 'v11.stomp'] });
      assert.equal(c.ws.protocol, 'v12.stomp');
      assert.equal(c.connected.headers.version, '1.2');
    });

    it('negotiates 1.2 without any subprotocol', async (t) => {
      const c = await raw(t, 'nosub', { protocols: [] });
      assert.equal(c.ws.protocol, '');
      assert.equal(c.connected.headers.version, '1.2');
    });

    for (const [proto, version] of [['v12.stomp', '1.2'], ['v11.stomp', '1.1'], ['v10.stomp', '1.0']]) {
      it(`a CONNECT without accept-version over subprotocol ${proto} gets STOMP ${version}`, async (t) => {
        const c = h.track(t, await h.RawStomp.open(server, { protocols: [proto] }));
        assert.equal(c.ws.protocol, proto);
        c.send('CONNECT', { host: 'x', login: `noaccept-${version}` });
        const f = await c.expect('CONNECTED');
        assert.equal(f.headers.version, version);
        assert.equal(f.headers['user-name'], `noaccept-${version}`);
        await c.subscribe('/topic/noaccept', 's');
        await h.mustPublish(server, '/topic/noaccept', `in ${version}`);
        assert.equal((await c.message()).body, `in ${version}`);
      });
    }

    it('a CONNECT without accept-version and without subprotocol gets STOMP 1.0', async (t) => {
      const c = h.track(t, await h.RawStomp.open(server, { protocols: [] }));
      assert.equal(c.ws.protocol, '');
      c.send('CONNECT', { host: 'x', login: 'noaccept-nosub' });
      assert.equal((await c.expect('CONNECTED')).headers.version, '1.0');
    });

    it('refuses an unsupported accept-version with ERROR listing supported versions, then closes', async (t) => {
      const c = h.track(t, await h.RawStomp.open(server));
      c.send('CONNECT', { 'accept-version': '2.0,3.1', host: 'x' });
      const err = await c.expect('ERROR');
      assert.equal(err.headers.version, '1.0,1.1,1.2');
      assert.match(err.headers.message, /version/i);
      await h.within(c.closed, 5000, 'close after version ERROR');
    });

    it('refuses an accept-version the subprotocol contradicts', async (t) => {
      const c = h.track(t, await h.RawStomp.open(server, { protocols: ['v11.stomp'] }));
      c.send('CONNECT', { 'accept-version': '1.2', host: 'x' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /version/i);
      await h.within(c.closed, 5000, 'close');
    });

    it('refuses a first frame that is not CONNECT', async (t) => {
      const c = h.track(t, await h.RawStomp.open(server));
      c.send('SUBSCRIBE', { destination: '/topic/x', id: '1', receipt: 'early' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /CONNECT/);
      assert.equal(err.headers['receipt-id'], 'early');
      const closed = await h.within(c.closed, 5000, 'close');
      assert.equal(closed.code, 1002);
    });

    it('refuses a second CONNECT', async (t) => {
      const c = await raw(t, 'twice');
      c.send('CONNECT', { 'accept-version': '1.2', host: 'x' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /already connected/);
      await h.within(c.closed, 5000, 'close');
    });

    it('refuses a malformed heart-beat header', async (t) => {
      const c = h.track(t, await h.RawStomp.open(server));
      c.send('CONNECT', { 'accept-version': '1.2', host: 'x', 'heart-beat': 'soon' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /heart-beat/);
      await h.within(c.closed, 5000, 'close');
    });

    it('refuses server-only commands from the client', async (t) => {
      const c = await raw(t, 'srv');
      c.send('MESSAGE', { destination: '/topic/x' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /server frame/);
      await h.within(c.closed, 5000, 'close');
    });

    it('DISCONNECT with receipt: RECEIPT, then a normal close', async (t) => {
      const c = await raw(t, 'bye');
      c.send('DISCONNECT', { receipt: 'bye-1' });
      const r = await c.expect('RECEIPT');
      assert.equal(r.headers['receipt-id'], 'bye-1');
      const closed = await h.within(c.closed, 5000, 'close after DISCONNECT');
      assert.equal(closed.code, 1000);
    });
  });

  describe('receipts', () => {
    it('answers SUBSCRIBE, SEND, UNSUBSCRIBE, BEGIN, ABORT, COMMIT and ACK receipts in order', async (t) => {
      const c = await raw(t, 'receipts');
      const frames = [
        ['SUBSCRIBE', { destination: '/topic/chat.r', id: 's1' }],
        ['SEND', { destination: '/topic/chat.other' }, 'x'],
        ['UNSUBSCRIBE', { id: 's1' }],
        ['UNSUBSCRIBE', { id: 'never-existed' }],
        ['BEGIN', { transaction: 't1' }],
        ['ABORT', { transaction: 't1' }],
        ['BEGIN', { transaction: 't2' }],
        ['COMMIT', { transaction: 't2' }],
        ['ACK', { id: 'unknown-message' }],
        ['NACK', { id: 'unknown-message' }],
      ];
      frames.forEach(([cmd, hd, body], i) => c.send(cmd, { ...hd, receipt: `rc-${i}` }, body));
      for (let i = 0; i < frames.length; i++) {
        const r = await c.expect('RECEIPT');
        assert.equal(r.headers['receipt-id'], `rc-${i}`, `receipt for ${frames[i][0]}`);
      }
    });

    it('escapes a receipt id with special characters (1.2 header encoding)', async (t) => {
      const c = await raw(t, 'esc');
      c.send('SUBSCRIBE', { destination: '/topic/esc', id: 'e', receipt: 'a:b\\c' });
      const r = await c.expect('RECEIPT');
      assert.equal(r.headers['receipt-id'], 'a:b\\c');
    });

    it('an ERROR caused by a frame with a receipt carries receipt-id', async (t) => {
      const c = await raw(t, 'err-receipt');
      c.send('SEND', { destination: '/topic/not-allowed', receipt: 'bad-send' }, 'x');
      const err = await c.expect('ERROR');
      assert.equal(err.headers['receipt-id'], 'bad-send');
      assert.equal(err.headers['content-type'], 'text/plain');
      assert.equal(err.body, err.headers.message);
    });
  });

  describe('transactions', () => {
    it('delivers SENDs of a transaction only on COMMIT, in order, without the transaction header', async (t) => {
      const sub = await raw(t, 'tx-sub');
      await sub.subscribe('/topic/tx/commit', 's');
      const sender = await raw(t, 'tx-sender');
      await sender.sendWithReceipt('BEGIN', { transaction: 'tx-a' });
      await sender.sendWithReceipt('SEND', { destination: '/topic/tx/commit', transaction: 'tx-a' }, 'one');
      await sender.sendWithReceipt('SEND', { destination: '/topic/tx/commit', transaction: 'tx-a', 'x-n': '2' }, 'two');
      // Published after the buffered SENDs: if they had leaked out early
      // they would arrive before this marker.
      await h.mustPublish(server, '/topic/tx/commit', 'marker');
      assert.equal((await sub.message()).body, 'marker');
      await sender.sendWithReceipt('COMMIT', { transaction: 'tx-a' });
      const m1 = await sub.message();
      const m2 = await sub.message();
      assert.deepEqual([m1.body, m2.body], ['one', 'two']);
      assert.equal(m2.headers['x-n'], '2');
      assert.equal(m1.headers.transaction, undefined);
      assert.equal(m1.headers.receipt, undefined);
    });

    it('drops SENDs of an aborted transaction', async (t) => {
      const sub = await raw(t, 'abort-sub');
      await sub.subscribe('/topic/tx/abort', 's');
      const sender = await raw(t, 'abort-sender');
      await sender.sendWithReceipt('BEGIN', { transaction: 'tx-b' });
      await sender.sendWithReceipt('SEND', { destination: '/topic/tx/abort', transaction: 'tx-b' }, 'aborted');
      await sender.sendWithReceipt('ABORT', { transaction: 'tx-b' });
      await sender.sendWithReceipt('SEND', { destination: '/topic/tx/abort' }, 'after abort');
      assert.equal((await sub.message()).body, 'after abort');
      assert.equal(sub.frames.all.filter((f) => f.command === 'MESSAGE').length, 1);
    });

    it('keeps concurrent transactions apart', async (t) => {
      const sub = await raw(t, 'tx2-sub');
      await sub.subscribe('/topic/tx/two', 's');
      const sender = await raw(t, 'tx2-sender');
      await sender.sendWithReceipt('BEGIN', { transaction: 'x' });
      await sender.sendWithReceipt('BEGIN', { transaction: 'y' });
      await sender.sendWithReceipt('SEND', { destination: '/topic/tx/two', transaction: 'x' }, 'x1');
      await sender.sendWithReceipt('SEND', { destination: '/topic/tx/two', transaction: 'y' }, 'y1');
      await sender.sendWithReceipt('ABORT', { transaction: 'x' });
      await sender.sendWithReceipt('COMMIT', { transaction: 'y' });
      await sender.sendWithReceipt('SEND', { destination: '/topic/tx/two' }, 'plain');
      assert.deepEqual([(await sub.message()).body, (await sub.message()).body], ['y1', 'plain']);
    });

    it('a transaction name can be reused after COMMIT', async (t) => {
      const c = await raw(t, 'reuse');
      await c.sendWithReceipt('BEGIN', { transaction: 'again' });
      await c.sendWithReceipt('COMMIT', { transaction: 'again' });
      await c.sendWithReceipt('BEGIN', { transaction: 'again' });
      await c.sendWithReceipt('ABORT', { transaction: 'again' });
    });

    it('COMMIT of an unknown transaction is an ERROR', async (t) => {
      const c = await raw(t, 'tx-unknown');
      c.send('COMMIT', { transaction: 'nope', receipt: 'c' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /unknown transaction/);
      assert.equal(err.headers['receipt-id'], 'c');
      await h.within(c.closed, 5000, 'close');
    });

    it('SEND in an unknown transaction is an ERROR', async (t) => {
      const c = await raw(t, 'tx-unknown-send');
      c.send('SEND', { destination: '/topic/tx/x', transaction: 'ghost' }, 'x');
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /unknown transaction/);
    });

    it('BEGIN twice with one name is an ERROR', async (t) => {
      const c = await raw(t, 'tx-dup');
      await c.sendWithReceipt('BEGIN', { transaction: 'd' });
      c.send('BEGIN', { transaction: 'd' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /already open/);
    });

    it('a forbidden SEND inside a transaction fails at COMMIT', async (t) => {
      const c = await raw(t, 'tx-forbidden');
      await c.sendWithReceipt('BEGIN', { transaction: 'f' });
      await c.sendWithReceipt('SEND', { destination: '/topic/forbidden', transaction: 'f' }, 'x');
      c.send('COMMIT', { transaction: 'f', receipt: 'commit-f' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /not allowed/);
      await h.within(c.closed, 5000, 'close');
    });
  });

  describe('acknowledgement', () => {
    // limits.max_unacked is 3 and topic overflow policy drop_oldest: a
    // subscription with 3 unsettled messages gets no more until it ACKs.
    // A marker on a separate auto-ack subscription of the same session,
    // published last, shows what was (not) delivered before it.
    async function setup(t, login, mode) {
      const c = await raw(t, login);
      await c.subscribe(`/topic/ack.${login}`, 'acked', { ack: mode });
      await c.subscribe(`/topic/ack.${login}.marker`, 'marker');
      const pub = (body) => h.mustPublish(server, `/topic/ack.${login}`, body);
      const marker = async (body) => {
        await h.mustPublish(server, `/topic/ack.${login}.marker`, body);
      };
      return { c, pub, marker };
    }

    it('auto mode: MESSAGE has no ack header and nothing needs acknowledging', async (t) => {
      const { c, pub } = await setup(t, 'auto', 'auto');
      for (let i = 0; i < 6; i++) await pub(`a${i}`);
      for (let i = 0; i < 6; i++) {
        const m = await c.message();
        assert.equal(m.body, `a${i}`);
        assert.equal(m.headers.ack, undefined);
      }
    });

    it('client mode: MESSAGE carries ack; a cumulative ACK settles everything up to it', async (t) => {
      const { c, pub, marker } = await setup(t, 'cumulative', 'client');
      for (const b of ['c1', 'c2', 'c3']) await pub(b);
      const got = [await c.message(), await c.message(), await c.message()];
      assert.deepEqual(got.map((m) => m.body), ['c1', 'c2', 'c3']);
      for (const m of got) {
        assert.ok(m.headers.ack, 'MESSAGE of a client-ack subscription carries an ack header');
        assert.equal(m.headers.subscription, 'acked');
      }
      await pub('c4'); // over max_unacked: not delivered
      await marker('m1');
      const afterLimit = await c.message();
      assert.equal(afterLimit.body, 'm1', 'c4 must not be delivered while 3 messages are unacknowledged');
      assert.equal(afterLimit.headers.subscription, 'marker');

      await c.sendWithReceipt('ACK', { id: got[2].headers.ack }); // cumulative: settles c1..c3
      for (const b of ['c5', 'c6', 'c7']) await pub(b);
      assert.deepEqual([(await c.message()).body, (await c.message()).body, (await c.message()).body], ['c5', 'c6', 'c7']);
    });

    it('client-individual mode: an ACK settles only the message it names', async (t) => {
      const { c, pub, marker } = await setup(t, 'individual', 'client-individual');
      for (const b of ['i1', 'i2', 'i3']) await pub(b);
      const got = [await c.message(), await c.message(), await c.message()];
      assert.deepEqual(got.map((m) => m.body), ['i1', 'i2', 'i3']);
      await c.sendWithReceipt('ACK', { id: got[2].headers.ack }); // settles i3 only
      await pub('i4'); // unacked: i1, i2, i4
      const m4 = await c.message();
      assert.equal(m4.body, 'i4');
      await pub('i5'); // over the limit again: dropped
      await marker('after-i5');
      assert.equal((await c.message()).body, 'after-i5', 'i5 must not be delivered: i1, i2, i4 are unacknowledged');
      await c.sendWithReceipt('ACK', { id: got[0].headers.ack }); // settles i1
      await pub('i6');
      assert.equal((await c.message()).body, 'i6');
    });

    it('NACK settles a message like ACK does', async (t) => {
      const { c, pub } = await setup(t, 'nack', 'client-individual');
      for (const b of ['n1', 'n2', 'n3']) await pub(b);
      const got = [await c.message(), await c.message(), await c.message()];
      await c.sendWithReceipt('NACK', { id: got[1].headers.ack });
      await pub('n4');
      assert.equal((await c.message()).body, 'n4');
    });

    it('STOMP 1.1 acks by message-id and MESSAGE has no ack header', async (t) => {
      const c = await raw(t, 'ack11', { protocols: ['v11.stomp'] });
      assert.equal(c.connected.headers.version, '1.1');
      await c.subscribe('/topic/ack11', 'a', { ack: 'client-individual' });
      for (const b of ['x1', 'x2', 'x3']) await h.mustPublish(server, '/topic/ack11', b);
      const got = [await c.message(), await c.message(), await c.message()];
      assert.equal(got[0].headers.ack, undefined);
      await c.sendWithReceipt('ACK', { 'message-id': got[0].headers['message-id'], subscription: 'a' });
      await h.mustPublish(server, '/topic/ack11', 'x4');
      assert.equal((await c.message()).body, 'x4');
    });

    it('ACK inside a transaction settles on COMMIT', async (t) => {
      const { c, pub, marker } = await setup(t, 'txack', 'client-individual');
      for (const b of ['t1', 't2', 't3']) await pub(b);
      const got = [await c.message(), await c.message(), await c.message()];
      await c.sendWithReceipt('BEGIN', { transaction: 'acks' });
      await c.sendWithReceipt('ACK', { id: got[0].headers.ack, transaction: 'acks' });
      await pub('t4'); // not settled yet: dropped
      await marker('mk');
      assert.equal((await c.message()).body, 'mk');
      await c.sendWithReceipt('COMMIT', { transaction: 'acks' });
      await pub('t5');
      assert.equal((await c.message()).body, 't5');
    });

    it('a message dropped at max_unacked is reported in x-herald-dropped on the next MESSAGE', async (t) => {
      const { c, pub, marker } = await setup(t, 'dropnote', 'client-individual');
      for (const b of ['d1', 'd2', 'd3']) await pub(b);
      const got = [await c.message(), await c.message(), await c.message()];
      for (const m of got) assert.equal(m.headers['x-herald-dropped'], undefined);
      await pub('d4'); // over max_unacked (3) under drop_oldest: dropped
      await pub('d5');
      await marker('after-drops');
      const m = await c.message();
      assert.equal(m.body, 'after-drops');
      assert.equal(m.headers['x-herald-dropped'], '2', 'the next MESSAGE says how many went missing');
      await c.sendWithReceipt('ACK', { id: got[0].headers.ack });
      await pub('d6');
      const m6 = await c.message();
      assert.equal(m6.body, 'd6');
      assert.equal(m6.headers['x-herald-dropped'], undefined, 'reported once');
    });

    it('a user subscription over max_unacked is closed (slow_consumer.user close)', async (t) => {
      const c = await raw(t, 'unacked-user');
      await c.subscribe('/user/queue/acks', 'u', { ack: 'client' });
      for (let i = 1; i <= 4; i++) await h.mustPublishUser(server, 'unacked-user', '/queue/acks', `u${i}`);
      for (let i = 1; i <= 3; i++) assert.equal((await c.message()).body, `u${i}`);
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /unacknowledged/);
      assert.equal((await h.within(c.closed, 5000, 'close')).code, 1008);
    });

    it('@stomp/stompjs message.ack() and transactions work against herald', async (t) => {
      const c = h.track(t, await h.stompClient(server, { connectHeaders: { login: 'sj-ack' } }));
      const inbox = await h.stompSubscribe(c.client, '/topic/sj.ack', { ack: 'client-individual' });
      const marker = await h.stompSubscribe(c.client, '/topic/sj.ack.marker');
      for (const b of ['s1', 's2', 's3']) await h.mustPublish(server, '/topic/sj.ack', b);
      const got = await inbox.takeN(3);
      assert.ok(got.every((m) => m.headers.ack));
      const receipt = 'sj-ack-receipt';
      const acked = new Promise((r) => c.client.watchForReceipt(receipt, r));
      got[0].ack({ receipt });
      await h.within(acked, 5000, 'ACK receipt');
      await h.mustPublish(server, '/topic/sj.ack', 's4');
      assert.equal((await inbox.next()).body, 's4');

      // ACK inside a stompjs transaction: settled only on commit.
      const tx = c.client.begin();
      got[1].ack({ transaction: tx.id });
      await h.mustPublish(server, '/topic/sj.ack', 's5'); // still 3 unacked: dropped
      await h.mustPublish(server, '/topic/sj.ack.marker', 'mark');
      assert.equal((await marker.next()).body, 'mark');
      assert.equal(inbox.items.length, 0);
      tx.commit();
      // COMMIT carries no receipt in stompjs; a receipted frame sent after it
      // on the same connection proves the server has applied it before the
      // API publish (which may land on another worker) races it.
      const committed = 'sj-commit-receipt';
      const applied = new Promise((r) => c.client.watchForReceipt(committed, r));
      c.client.subscribe('/topic/sj.ack.fence', () => {}, { receipt: committed });
      await h.within(applied, 5000, 'receipt after COMMIT');
      await h.mustPublish(server, '/topic/sj.ack', 's6');
      assert.equal((await inbox.next()).body, 's6');
    });

    it('an unknown ack mode is an ERROR', async (t) => {
      const c = await raw(t, 'badack');
      c.send('SUBSCRIBE', { destination: '/topic/x', id: 'b', ack: 'sometimes' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /ack mode/);
    });

    it('ACK without id in 1.2 is an ERROR', async (t) => {
      const c = await raw(t, 'noid');
      c.send('ACK', { 'message-id': 'x' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /id header/);
    });
  });

  describe('header encoding per version', () => {
    // One published message seen on the wire by 1.0, 1.1 and 1.2 clients.
    const headers = { 'x-colon': 'a:b', 'x-backslash': 'c\\d' };
    async function wireHead(t, protocol) {
      const c = await raw(t, `enc-${protocol}`, { protocols: [protocol] });
      await c.subscribe(`/topic/enc.${protocol}`, 'e');
      await h.mustPublish(server, `/topic/enc.${protocol}`, 'x', { headers });
      return (await c.message()).rawHead.split('\n');
    }

    it('1.2 and 1.1 escape ":" and "\\" in MESSAGE header values', async (t) => {
      for (const p of ['v12.stomp', 'v11.stomp']) {
        const lines = await wireHead(t, p);
        assert.ok(lines.includes('x-colon:a\\cb'), `${p}: ${lines.join(' | ')}`);
        assert.ok(lines.includes('x-backslash:c\\\\d'), `${p}: ${lines.join(' | ')}`);
      }
    });

    it('1.0 sends header values as they are', async (t) => {
      const lines = await wireHead(t, 'v10.stomp');
      assert.ok(lines.includes('x-colon:a:b'), lines.join(' | '));
      assert.ok(lines.includes('x-backslash:c\\d'), lines.join(' | '));
    });

    it('decodes escaped header values the client sends (1.2)', async (t) => {
      const c = await raw(t, 'enc-in');
      await c.subscribe('/topic/chat.enc', 's');
      c.sendRaw('SEND\ndestination:/topic/chat.enc\nx-in:1\\c2\\\\3\n\nbody\u0000');
      const m = await c.message();
      assert.equal(m.headers['x-in'], '1:2\\3');
    });

    it('an undefined escape sequence is a protocol error (1.2)', async (t) => {
      const c = await raw(t, 'enc-bad');
      c.sendRaw('SEND\ndestination:/topic/chat.enc\nx-in:bad\\t\n\nbody\u0000');
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /escape/);
    });
  });

  describe('frame errors', () => {
    it('SUBSCRIBE without id (1.2) is an ERROR', async (t) => {
      const c = await raw(t, 'noid-sub');
      c.send('SUBSCRIBE', { destination: '/topic/x' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /id/);
    });

    it('a duplicate subscription id is an ERROR', async (t) => {
      const c = await raw(t, 'dup-sub');
      await c.subscribe('/topic/a', 'same');
      c.send('SUBSCRIBE', { destination: '/topic/b', id: 'same' });
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /already in use/);
    });

    it('SEND without destination is an ERROR', async (t) => {
      const c = await raw(t, 'nodest');
      c.send('SEND', {}, 'x');
      const err = await c.expect('ERROR');
      assert.match(err.headers.message, /destination/);
    });

    it('every protocol-error ERROR counts once in herald_protocol_errors_total', async (t) => {
      const count = async () => h.metric(await h.metricsText(server), 'herald_protocol_errors_total');
      const cases = [
        ['SEND', {}, 'no destination'],
        ['SEND', { destination: '/topic/denied' }, 'not allowed by client_send'],
        ['SEND', { destination: '/app/x' }, 'no app.webhook'],
        ['SEND', { destination: '/topic/chat.x', transaction: 'nope' }, 'unknown transaction'],
        ['SUBSCRIBE', { destination: '/topic/x' }, 'no id'],
        ['SUBSCRIBE', { destination: '/user/someone-else/queue/x', id: 's' }, "another user's"],
        ['SUBSCRIBE', { destination: '/nowhere/x', id: 's' }, 'not a broker destination'],
        ['SUBSCRIBE', { destination: '/topic/x', id: 's', ack: 'sometimes' }, 'unknown ack mode'],
        ['UNSUBSCRIBE', {}, 'no id'],
        ['ACK', {}, 'no id'],
        ['BEGIN', {}, 'no transaction'],
        ['COMMIT', { transaction: 'nope' }, 'unknown transaction'],
        ['ABORT', {}, 'no transaction'],
        ['CONNECT', { 'accept-version': '1.2' }, 'second CONNECT'],
        ['RECEIPT', { 'receipt-id': 'x' }, 'server frame'],
      ];
      const before = await count();
      for (const [i, [cmd, headers, why]] of cases.entries()) {
        const c = await raw(t, `counted-${i}`);
        c.send(cmd, headers);
        const err = await c.expect('ERROR');
        assert.ok(err.headers.message, why);
        assert.equal((await h.within(c.closed, 5000, 'close')).code, 1002, why);
      }
      assert.equal((await count()) - before, cases.length);
    });

    it('garbage instead of a frame is an ERROR, not a crash', async (t) => {
      const c = await raw(t, 'garbage');
      c.sendRaw('NOT A COMMAND\n\n\u0000');
      const err = await c.expect('ERROR');
      assert.ok(err.headers.message);
      await h.within(c.closed, 5000, 'close');
      const ok = await h.http(server, 'GET', '/healthz');
      assert.equal(ok.status, 200);
    });

    it('frames split across WebSocket messages and several frames in one message both work', async (t) => {
      const c = await raw(t, 'split');
      const f = h.encodeFrame('SUBSCRIBE', { destination: '/topic/split', id: 's', receipt: 'r1' });
      for (let i = 0; i < f.length; i += 7) c.sendRaw(f.subarray(i, i + 7));
      assert.equal((await c.expect('RECEIPT')).headers['receipt-id'], 'r1');
      const two = Buffer.concat([
        h.encodeFrame('SUBSCRIBE', { destination: '/topic/split2', id: 's2', receipt: 'r2' }),
        Buffer.from('\n\n'), // heart-beat EOLs between frames
        h.encodeFrame('SUBSCRIBE', { destination: '/topic/split3', id: 's3', receipt: 'r3' }),
      ]);
      c.sendRaw(two);
      assert.equal((await c.expect('RECEIPT')).headers['receipt-id'], 'r2');
      assert.equal((await c.expect('RECEIPT')).headers['receipt-id'], 'r3');
    });

    it('a SEND body with content-length may contain NUL bytes', async (t) => {
      const c = await raw(t, 'nul');
      await c.subscribe('/topic/chat.nul', 's');
      const body = Buffer.from([0x61, 0x00, 0x62, 0x00, 0x63]);
      c.sendRaw(h.encodeFrame('SEND', { destination: '/topic/chat.nul', 'content-length': String(body.length) }, body));
      const m = await c.message();
      assert.equal(m.bodyBytes, 5);
      assert.equal(m.body, 'a\u0000b\u0000c');
    });
  });
});
