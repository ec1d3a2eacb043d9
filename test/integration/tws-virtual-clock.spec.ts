import { expect } from 'chai';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { FakeTwsServer, StepClock } from '../../adapters/fake-tws/index.js';
import { socketsQuiet } from '../conformance/support/fake-tws-driver.js';
import { createTwsAdapter, runClock as drive, TEST_ACCOUNT } from '../support/tws-adapter-harness.js';

const START = Date.UTC(2026, 2, 10, 14, 0, 0) * 1000;
const S = 1_000_000;

// Every adapter timer runs on the injected Clock: here a manual one that only runClock moves (fire the next timer,
// let loopback I/O happen). Nothing below depends on how long anything takes in real time.
describe('TWS adapter timers on the injected Clock (fake TWS over loopback)', function () {
  this.timeout(20_000);
  let server: FakeTwsServer;
  const closers: Array<() => Promise<void>> = [];
  /** startApi frames as the venue saw them, stamped with the adapter's clock. */
  let attempts: number[];
  let clock: ManualClock;
  /** While true the venue closes every new connection at its startApi (TWS not up yet). */
  let down = false;

  beforeEach(async () => {
    clock = new ManualClock(START);
    attempts = [];
    down = false;
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [TEST_ACCOUNT] });
    server.on('frame', (f) => {
      if (f.request.kind !== 'startApi') return;
      attempts.push(clock.now());
      const conn = server.live().find((c) => c.id === f.connectionId);
      if (down && conn !== undefined) {
        conn.silent = true;
        conn.close();
      }
    });
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c().catch(() => undefined);
    await server.stop();
  });

  /** Moves the clock timer by timer, each step after the venue's traffic has stopped (real time, never asserted). */
  const runClock = (c: ManualClock, o: { to: number; done?: () => boolean; what?: string }) =>
    drive(c, { ...o, io: () => socketsQuiet(server) });

  function adapter(clientId: number, params: Record<string, unknown> = {}) {
    const t = createTwsAdapter(server.port, clientId, { resetWindows: [], ...params }, clock);
    closers.push(t.close);
    return t;
  }

  it('a silent link is found by the heartbeat in Clock time: nothing before the period, Reconnecting by period + 2 misses', async () => {
    const t = adapter(80, { heartbeatIntervalMs: 10_000, heartbeatTimeoutMs: 5_000, heartbeatMisses: 2, backoffMs: [2_500, 5_000] });
    let probes = 0;
    server.on('frame', (f) => {
      if (f.request.kind === 'currentTime') probes++;
    });
    const connecting = t.broker.connect();
    await runClock(clock, { to: START + S, done: () => t.connection.state === 'Connected', what: 'Connected' });
    await connecting;
    await runClock(clock, { to: START + 9 * S });
    expect(probes, 'no probe before the heartbeat period has passed on the clock').to.equal(0);
    await runClock(clock, { to: START + 11 * S });
    expect(probes).to.equal(1);
    expect(t.broker.health().lastHeartbeatAt).to.equal(START + 10 * S);
    expect(t.broker.health().clockSkew).to.be.a('number');
    const silentAt = clock.now();
    server.inject({ kind: 'silence', on: true });
    await runClock(clock, { to: silentAt + 30 * S, done: () => t.connection.state === 'Reconnecting', what: 'Reconnecting' });
    const lost = t.of('connection.changed').find((p) => p.to === 'Reconnecting')!;
    expect(String(lost.reason)).to.match(/^heartbeat/);
    expect(lost.at as number).to.be.at.most(silentAt + 20 * S); // next probe ≤ 10 s, then two 5 s misses
    const attemptsBefore = attempts.length;
    await runClock(clock, { to: clock.now() + 60 * S, done: () => t.connection.state === 'Connected', what: 'reconnected' });
    // The ladder's first step is on the clock too: the reconnect came at least 2.5 s −20 % after the loss.
    expect(attempts.length).to.equal(attemptsBefore + 1);
    expect(attempts.at(-1)! - (lost.at as number)).to.be.at.least(2_000_000);
    expect(t.broker.health()).to.include({ state: 'Connected', reconnectCount: 1 });
  });

  it('first connect against a venue that is down: attempts along the ladder, then CONNECT_TIMEOUT at the deadline', async () => {
    down = true;
    const t = adapter(81, { connectTimeoutMs: 10_000, backoffMs: [2_500, 5_000, 10_000] });
    let error: { code?: string } | null = null;
    let settled = false;
    void t.broker.connect().then(
      () => {
        settled = true;
      },
      (e: { code?: string }) => {
        error = e;
        settled = true;
      },
    );
    await runClock(clock, { to: START + 30 * S, done: () => settled, what: 'connect() settled' });
    expect(error).to.deep.include({ code: 'BROKER.CONNECT_TIMEOUT' });
    expect(t.chain()).to.deep.equal(['Disconnected→Connecting', 'Connecting→Disconnected']);
    expect(t.of('connection.changed').at(-1)).to.include({ reason: 'BROKER.CONNECT_TIMEOUT', at: START + 10 * S });
    expect(attempts.length, 'attempts with backoff, not one').to.equal(3); // at 0, ≈2.5 s and ≈7.5 s
    const gaps = attempts.slice(1).map((a, i) => a - attempts[i]!);
    expect(gaps[0]).to.be.within(2_000_000, 3_000_000);
    expect(gaps[1]).to.be.within(4_000_000, 6_000_000);
    expect(t.broker.health().canTrade).to.equal(false);
  });

  it('first connect: a venue that comes up before the deadline is joined, with one Connecting → Connected', async () => {
    down = true;
    const t = adapter(82, { connectTimeoutMs: 10_000, backoffMs: [2_500, 5_000] });
    const p = t.broker.connect();
    await runClock(clock, { to: START + S });
    expect(attempts.length).to.equal(1);
    down = false;
    await runClock(clock, { to: START + 10 * S, done: () => t.connection.state === 'Connected', what: 'Connected' });
    await p;
    expect(attempts.length).to.equal(2);
    expect(t.chain()).to.deep.equal(['Disconnected→Connecting', 'Connecting→Connected']);
  });

  it('first connect: 326 (client id in use) still fails at once, without waiting for the deadline', async () => {
    server.scenario = 'client-id-in-use';
    const t = adapter(83, { connectTimeoutMs: 10_000 });
    let code = '';
    await t.broker.connect().catch((e: { code: string }) => {
      code = e.code;
    });
    expect(code).to.equal('BROKER.CLIENT_ID_IN_USE');
    expect(attempts.length).to.equal(1);
    expect(clock.now(), 'no clock time was needed').to.equal(START);
    expect(t.chain()).to.deep.equal(['Disconnected→Connecting', 'Connecting→Disconnected']);
  });

  it('disconnect() during the first-connect backoff ends connect() at once and leaves no timer on the clock', async () => {
    down = true;
    const t = adapter(84, { connectTimeoutMs: 10_000, backoffMs: [2_500] });
    let error: { code?: string } | null = null;
    const p = t.broker.connect().catch((e: { code?: string }) => {
      error = e;
    });
    await runClock(clock, { to: START + S });
    await t.broker.disconnect();
    await p;
    expect(error).to.not.equal(null);
    expect(error!.code).to.not.equal('BROKER.CONNECT_TIMEOUT');
    expect(t.connection.timers.pending).to.equal(0);
    expect(t.connection.state).to.equal('Disconnected');
  });
});
