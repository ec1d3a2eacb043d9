import { expect } from 'chai';
import { DateTime } from 'luxon';
import { Sfc32 } from '../../core/domain/random.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { ReconnectPolicy } from '../../adapters/tws/connection/reconnect-policy.js';
import { TwsHeartbeat } from '../../adapters/tws/connection/heartbeat.js';
import { TwsTimers } from '../../adapters/tws/connection/timers.js';

const ny = (iso: string): number => DateTime.fromISO(iso, { zone: 'America/New_York' }).toMillis() * 1000;
const NIGHTLY = [{ start: '23:30', end: '01:00', label: 'nightly' }];

describe('TWS reconnect policy (ladder, jitter, reset windows)', () => {
  it('walks the ladder with ±20 % seeded jitter, repeats the cap, and escalates after maxAttempts', () => {
    const rng = new Sfc32(9);
    const p = new ReconnectPolicy({
      backoffMs: [2_500, 5_000, 10_000],
      maxAttempts: 5,
      jitter: () => rng.next(),
      resetWindows: [],
      resetRetryMs: 60_000,
    });
    const at = ny('2026-03-04T11:00');
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const d = p.next(at);
      if (d.kind !== 'retry') throw new Error(`attempt ${i} escalated`);
      expect(d.quiet).to.equal(false);
      delays.push(d.delayMs);
    }
    const bases = [2_500, 5_000, 10_000, 10_000, 10_000];
    delays.forEach((d, i) => expect(d).to.be.within(bases[i]! * 0.8, bases[i]! * 1.2));
    expect(new Set(delays).size).to.be.greaterThan(1); // jitter really varies
    expect(p.next(at)).to.deep.include({ kind: 'escalate', code: 'BROKER.RECONNECT_EXHAUSTED' });
  });

  it('is deterministic for a seed', () => {
    const run = (seed: number): number[] => {
      const rng = new Sfc32(seed);
      const p = new ReconnectPolicy({
        backoffMs: [1_000, 2_000],
        maxAttempts: 4,
        jitter: () => rng.next(),
        resetWindows: [],
        resetRetryMs: 1,
      });
      return [0, 1, 2, 3].map(() => {
        const d = p.next(0);
        return d.kind === 'retry' ? d.delayMs : -1;
      });
    };
    expect(run(3)).to.deep.equal(run(3));
    expect(run(3)).to.not.deep.equal(run(4));
  });

  it('inside a reset window retries slowly and quietly without using up the ladder; escalates once the window ended', () => {
    const p = new ReconnectPolicy({ backoffMs: [100], maxAttempts: 1, jitter: () => 0.5, resetWindows: NIGHTLY, resetRetryMs: 60_000 });
    for (const t of ['2026-03-04T23:50', '2026-03-05T00:20', '2026-03-05T00:59']) {
      expect(p.next(ny(t))).to.deep.include({ kind: 'retry', delayMs: 60_000, quiet: true });
    }
    expect(p.next(ny('2026-03-05T01:01'))).to.deep.include({ kind: 'escalate', code: 'BROKER.RESET_WINDOW_OVERRUN' });
  });

  it('an outage that never touched a window uses the ladder; reset() starts a new outage', () => {
    const p = new ReconnectPolicy({ backoffMs: [100], maxAttempts: 1, jitter: () => 0.5, resetWindows: NIGHTLY, resetRetryMs: 60_000 });
    expect(p.next(ny('2026-03-04T14:00'))).to.deep.include({ kind: 'retry', delayMs: 100, quiet: false });
    expect(p.next(ny('2026-03-04T14:00'))).to.deep.include({ kind: 'escalate', code: 'BROKER.RECONNECT_EXHAUSTED' });
    p.reset();
    expect(p.next(ny('2026-03-04T14:01'))).to.deep.include({ kind: 'retry' });
    expect(p.overrun(ny('2026-03-04T14:02'))).to.equal(false);
    expect(p.overrun(ny('2026-03-04T23:45'))).to.equal(false); // inside: remembered
    expect(p.overrun(ny('2026-03-05T01:00'))).to.equal(true); // end is exclusive
  });
});

describe('TWS heartbeat (on the injected Clock)', () => {
  /** Probe outcomes are promises: let them settle after each clock step. */
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  it('declares the link dead after maxMisses consecutive unanswered probes, not before', async () => {
    const clock = new ManualClock(0);
    const timers = new TwsTimers(clock);
    let probes = 0;
    let dead = -1;
    const hb = new TwsHeartbeat({ intervalMs: 5, timeoutMs: 5, maxMisses: 2 }, timers, {
      probe: () => {
        probes++;
        return Promise.reject(new Error('timeout'));
      },
      beat: () => {
        throw new Error('no beat expected');
      },
      dead: (m) => {
        dead = m;
      },
    });
    hb.start();
    clock.advanceTo(4_999);
    await flush();
    expect(probes, 'no probe before the period has passed on the clock').to.equal(0);
    clock.advanceTo(5_000);
    await flush();
    expect(dead).to.equal(2);
    expect(probes).to.equal(2);
    expect(hb.running).to.equal(false);
    timers.dispose();
  });

  it('an answer clears a miss; stop() ends probing', async () => {
    const clock = new ManualClock(0);
    const timers = new TwsTimers(clock);
    let n = 0;
    const beats: number[] = [];
    let dead = false;
    const hb = new TwsHeartbeat({ intervalMs: 5, timeoutMs: 5, maxMisses: 2 }, timers, {
      probe: () => (++n % 2 === 1 ? Promise.reject(new Error('miss')) : Promise.resolve(1_700_000_000 + n)),
      beat: (s) => beats.push(s),
      dead: () => {
        dead = true;
      },
    });
    hb.start();
    for (let i = 0; i < 12; i++) {
      clock.advanceTo(clock.now() + 5_000);
      await flush();
    }
    hb.stop();
    const after = n;
    clock.advanceTo(clock.now() + 100_000);
    await flush();
    expect(dead).to.equal(false);
    expect(beats.length).to.be.greaterThan(1);
    expect(n).to.equal(after);
    expect(clock.pendingTimers(), 'stop() leaves no timer on the clock').to.equal(0);
  });

  it('timers run on the injected Clock, are cancellable, and are all cleared on dispose', () => {
    const clock = new ManualClock(0);
    const t = new TwsTimers(clock);
    const fired: string[] = [];
    t.after(10, () => fired.push('a'));
    const cancelB = t.after(10, () => fired.push('b'));
    t.after(20, () => fired.push('c'));
    expect(t.pending).to.equal(3);
    cancelB();
    cancelB(); // twice is harmless
    clock.advanceTo(10_000);
    expect(fired).to.deep.equal(['a']);
    t.dispose();
    expect(t.pending).to.equal(0);
    expect(clock.pendingTimers()).to.equal(0);
    t.after(1, () => fired.push('late'));
    clock.advanceTo(1_000_000);
    expect(t.pending).to.equal(0);
    expect(fired).to.deep.equal(['a']);
  });
});
