import { expect } from 'chai';
import { DateTime } from 'luxon';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { FakeTwsServer, StepClock } from '../../adapters/fake-tws/index.js';
import { createTwsAdapter, runClock, TEST_ACCOUNT, until } from '../support/tws-adapter-harness.js';

const ny = (iso: string): number => DateTime.fromISO(iso, { zone: 'America/New_York' }).toMillis() * 1000;
const NIGHTLY = [{ start: '23:30', end: '01:00', label: 'nightly reset' }];

// The adapter reads the time of day from its injected Clock (here a manual one), and its timers run on it too: the
// spec moves the clock (runClock: fire the next timer, let loopback I/O happen, repeat). Retry and check periods are
// ten minutes of clock time, so an hour inside a window takes a handful of steps; the heartbeat is kept out of the way.
const MIN = 60_000_000;

describe('TWS adapter in IB reset windows (New York time from the injected Clock)', function () {
  this.timeout(15_000);
  let server: FakeTwsServer;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [TEST_ACCOUNT] });
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c().catch(() => undefined);
    await server.stop();
  });

  function adapter(clientId: number, clock: ManualClock) {
    // A ladder that would give up after 2 quick attempts outside a window.
    const t = createTwsAdapter(
      server.port,
      clientId,
      { resetWindows: NIGHTLY, resetRetryMs: 600_000, backoffMs: [10], maxReconnectAttempts: 2, heartbeatIntervalMs: 86_400_000 },
      clock,
    );
    closers.push(t.close);
    return t;
  }

  it('a socket lost at 23:50 stays quiet and keeps retrying; still down at 01:01 escalates (fatal, Halting)', async () => {
    const clock = new ManualClock(ny('2026-03-04T23:40'));
    const t = adapter(70, clock);
    await t.broker.connect();
    clock.advanceTo(ny('2026-03-04T23:50'));
    await server.stop();
    await runClock(clock, { to: ny('2026-03-05T00:59') }); // ~7 slow retries: far beyond the 2-attempt ladder
    expect(t.connection.state).to.equal('Reconnecting');
    expect(t.of('broker.error').filter((e) => e.severity === 'fatal')).to.deep.equal([]);
    const quiet = t.of('broker.error').filter((e) => /reset window/.test(String(e.message)));
    expect(quiet).to.have.length(1);
    expect(quiet[0]).to.include({ severity: 'warn' });
    // The first retry after the window ends (01:00 is exclusive) finds it still down and escalates.
    await runClock(clock, {
      to: ny('2026-03-05T01:01') + 10 * MIN,
      done: () => t.connection.state === 'Disconnected',
      what: 'escalation at the end of the window',
    });
    expect(clock.now()).to.be.at.least(ny('2026-03-05T01:00'));
    const fatal = t.of('broker.error').filter((e) => e.severity === 'fatal');
    expect(fatal).to.have.length(1);
    expect(fatal[0]).to.include({ harvesterCode: 'BROKER.RESET_WINDOW_OVERRUN' });
    expect(t.chain().slice(-3)).to.deep.equal(['Connected→Reconnecting', 'Reconnecting→Halting', 'Halting→Disconnected']);
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [TEST_ACCOUNT] });
  });

  it('the same outage outside a window uses the bounded ladder and escalates at once', async () => {
    const clock = new ManualClock(ny('2026-03-04T14:00'));
    const t = adapter(71, clock);
    await t.broker.connect();
    await server.stop();
    await runClock(clock, { to: clock.now() + MIN, done: () => t.connection.state === 'Disconnected', what: 'ladder exhausted' });
    expect(
      t
        .of('broker.error')
        .filter((e) => e.severity === 'fatal')
        .map((e) => e.harvesterCode),
    ).to.deep.equal(['BROKER.RECONNECT_EXHAUSTED']);
    expect(t.of('broker.error').some((e) => /reset window/.test(String(e.message)))).to.equal(false);
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [TEST_ACCOUNT] });
  });

  it('1100 at 23:50 is Degraded and quiet; a 1102 inside the window restores; 1100 still on at 01:01 escalates', async () => {
    const clock = new ManualClock(ny('2026-03-04T23:50'));
    const t = adapter(72, clock);
    await t.broker.connect();
    for (let i = 0; i < 5; i++) server.inject({ kind: 'error', code: 1100 });
    await until(() => t.connection.state === 'Degraded', 'Degraded');
    server.inject({ kind: 'error', code: 1102 });
    await until(() => t.connection.state === 'Connected', 'restored inside the window');
    expect(t.of('broker.error').filter((e) => e.severity === 'fatal')).to.deep.equal([]);
    server.inject({ kind: 'error', code: 1100 });
    await until(() => t.connection.state === 'Degraded', 'Degraded again');
    await runClock(clock, { to: ny('2026-03-05T00:59') });
    expect(t.connection.state).to.equal('Degraded');
    await runClock(clock, { to: ny('2026-03-05T01:01') + 10 * MIN, done: () => t.connection.state === 'Disconnected', what: 'escalation' });
    expect(
      t
        .of('broker.error')
        .filter((e) => e.severity === 'fatal')
        .map((e) => e.harvesterCode),
    ).to.deep.equal(['BROKER.RESET_WINDOW_OVERRUN']);
    expect(t.chain().slice(-3)).to.deep.equal(['Connected→Degraded', 'Degraded→Halting', 'Halting→Disconnected']);
  });

  it('1100 outside a window: Degraded, and the adapter leaves the outage budget to the kernel (no escalation of its own)', async () => {
    const clock = new ManualClock(ny('2026-03-04T14:00'));
    const t = adapter(73, clock);
    await t.broker.connect();
    server.inject({ kind: 'error', code: 1100 });
    await until(() => t.connection.state === 'Degraded', 'Degraded');
    await runClock(clock, { to: ny('2026-03-04T16:00') });
    expect(t.connection.state).to.equal('Degraded');
    expect(t.of('broker.error').filter((e) => e.severity === 'fatal')).to.deep.equal([]);
  });
});
