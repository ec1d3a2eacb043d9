import { expect } from 'chai';
import { CONNECTION_TRANSITIONS, type ConnectionState } from '../../ports/broker-adapter.js';
import { FakeTwsServer, StepClock } from '../../adapters/fake-tws/index.js';
import { createTwsAdapter, sleep, TEST_ACCOUNT, until } from '../support/tws-adapter-harness.js';

/** B9: the chain is unbroken (each from = previous to) and uses only allowed edges. */
function expectValidChain(changes: Record<string, unknown>[]): void {
  let prev: ConnectionState = 'Disconnected';
  for (const c of changes) {
    expect(c.from, `chain broken at ${String(c.from)}→${String(c.to)}`).to.equal(prev);
    expect(CONNECTION_TRANSITIONS[prev]).to.include(c.to);
    prev = c.to as ConnectionState;
  }
}

describe('TWS connection state machine: heartbeat, reconnect ladder, dispose (fake TWS over loopback)', function () {
  this.timeout(15_000);
  let server: FakeTwsServer;
  const closers: Array<() => Promise<void>> = [];
  const startApis: Array<{ clientId: string }> = [];

  beforeEach(async () => {
    startApis.length = 0;
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [TEST_ACCOUNT] });
    server.on('frame', (f) => {
      if (f.request.kind === 'startApi') startApis.push({ clientId: f.request.clientId });
    });
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c().catch(() => undefined);
    await server.stop();
  });

  function adapter(clientId: number, params: Record<string, unknown> = {}) {
    const t = createTwsAdapter(server.port, clientId, params);
    closers.push(t.close);
    return t;
  }

  it('a silent but open socket is detected by the heartbeat: Reconnecting (heartbeat), socket forced closed, reconnect, reconcile', async () => {
    const t = adapter(50, { heartbeatIntervalMs: 40, heartbeatTimeoutMs: 80, heartbeatMisses: 2 });
    await t.broker.connect();
    await until(() => t.broker.health().lastHeartbeatAt !== null, 'a first answered heartbeat');
    expect(t.broker.health().clockSkew).to.be.a('number');
    const closedByClient: number[] = [];
    server.on('disconnect', (e) => closedByClient.push(e.connectionId));
    server.inject({ kind: 'silence' });
    await until(() => t.chain().includes('Reconnecting→Connected'), 'reconnected after the heartbeat missed');
    const lost = t.of('connection.changed').find((c) => c.to === 'Reconnecting')!;
    expect(String(lost.reason)).to.match(/^heartbeat: 2 probes unanswered/);
    expect(closedByClient).to.have.length(1); // the adapter closed the silent socket itself
    expect(t.of('reconciliation.started').map((r) => r.trigger)).to.deep.equal(['connect', 'reconnect']);
    expect(t.broker.health()).to.include({ state: 'Connected', canTrade: true, reconnectCount: 1 });
    expect(startApis.map((s) => s.clientId)).to.deep.equal(['50', '50']);
    expectValidChain(t.of('connection.changed'));
  });

  it('no heartbeat answer is ever counted as healthy: while Reconnecting, health says so', async () => {
    const t = adapter(51, { heartbeatIntervalMs: 30, heartbeatTimeoutMs: 60, backoffMs: [400] });
    await t.broker.connect();
    server.withheld.add('currentTime');
    await until(() => t.connection.state === 'Reconnecting', 'heartbeat failure');
    expect(t.broker.health()).to.include({ state: 'Reconnecting', canTrade: false });
    server.withheld.delete('currentTime');
    await until(() => t.connection.state === 'Connected', 'back');
  });

  it('reconnects with the same client id through 326 refusals, following the ladder', async () => {
    const t = adapter(52, { backoffMs: [20, 40, 80], maxReconnectAttempts: 8 });
    await t.broker.connect();
    server.scenario = 'client-id-in-use';
    server.inject({ kind: 'close' });
    await until(() => startApis.length >= 4, 'three refused attempts');
    server.scenario = 'normal';
    await until(() => t.connection.state === 'Connected' && t.chain().length === 4, 'reconnected');
    expect(new Set(startApis.map((s) => s.clientId))).to.deep.equal(new Set(['52']));
    expect(t.chain()).to.deep.equal([
      'Disconnected→Connecting',
      'Connecting→Connected',
      'Connected→Reconnecting',
      'Reconnecting→Connected',
    ]);
    // 326 while reconnecting is retried, never fatal (a zombie connection after a gateway restart clears by itself).
    expect(t.of('broker.error').filter((e) => e.severity === 'fatal')).to.deep.equal([]);
  });

  it('a bounded ladder: when every attempt fails, a fatal broker.error, then Halting → Disconnected, and no more attempts', async () => {
    const t = adapter(53, { backoffMs: [10, 20], maxReconnectAttempts: 3 });
    await t.broker.connect();
    await server.stop(); // TWS is gone: every attempt is refused
    await until(() => t.connection.state === 'Disconnected', 'gave up');
    expect(t.chain()).to.deep.equal([
      'Disconnected→Connecting',
      'Connecting→Connected',
      'Connected→Reconnecting',
      'Reconnecting→Halting',
      'Halting→Disconnected',
    ]);
    const fatal = t.of('broker.error').filter((e) => e.severity === 'fatal');
    expect(fatal).to.have.length(1);
    expect(fatal[0]).to.include({ harvesterCode: 'BROKER.RECONNECT_EXHAUSTED' });
    expect(t.connection.timers.pending).to.equal(0);
    expectValidChain(t.of('connection.changed'));
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [TEST_ACCOUNT] }); // for afterEach
  });

  it('dispose during a reconnect stops the ladder, clears every timer and emits Disconnected (disposed) last', async () => {
    const t = adapter(54, { backoffMs: [150], heartbeatIntervalMs: 20 });
    await t.broker.connect();
    server.inject({ kind: 'close' });
    await until(() => t.connection.state === 'Reconnecting', 'reconnecting');
    const attemptsBefore = startApis.length;
    await t.broker.dispose();
    expect(t.chain().at(-1)).to.equal('Reconnecting→Disconnected');
    expect(t.of('connection.changed').at(-1)).to.include({ reason: 'disposed' });
    expect(t.connection.timers.pending).to.equal(0);
    await sleep(250);
    expect(startApis.length).to.equal(attemptsBefore);
    expect(() =>
      t.broker.submit({ coid: 'x', symbol: 'AAPL', side: 'buy', type: 'market', quantity: 1, tif: 'day', orderRef: 'hv:t:x' }),
    ).to.throw(/after dispose/);
  });

  it('connect() and disconnect() are idempotent', async () => {
    const t = adapter(55);
    await Promise.all([t.broker.connect(), t.broker.connect()]);
    await t.broker.connect();
    expect(startApis).to.have.length(1);
    await t.broker.disconnect();
    await t.broker.disconnect();
    expect(t.chain()).to.deep.equal(['Disconnected→Connecting', 'Connecting→Connected', 'Connected→Disconnected']);
    await t.broker.connect();
    expect(t.chain().at(-1)).to.equal('Connecting→Connected');
  });
});
