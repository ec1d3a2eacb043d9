import { expect } from 'chai';
import { TwsEntitlementWatch } from '../../adapters/tws/market-data/entitlement-watch.js';
import { skewLevel } from '../../adapters/tws/connection/skew-watch.js';
import { DataEntitlements } from '../../core/engine/data-entitlements.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import type { FeedEvents } from '../../ports/market-data-feed.js';

type Verdict = FeedEvents['feed.entitlement'];
const S = 1_000_000;

describe("TWS data checks (entitlement watch) and the kernel's entry blocks", () => {
  function watch(deadlineMs = 10_000, allowance = { accountLines: 100, accountDepth: 3 }) {
    const clock = new ManualClock(0);
    const out: Array<Verdict | (FeedEvents['feed.entitlement-ok'] & { verdict: 'ok' })> = [];
    const w = new TwsEntitlementWatch(
      clock,
      { deadlineMs, ...allowance },
      (v) => out.push(v),
      (v) => out.push({ ...v, verdict: 'ok' }),
    );
    return { clock, out, w };
  }

  it('a line that stays silent past the deadline fails naming its feed and symbol; data later turns it ok', () => {
    const { clock, out, w } = watch();
    w.requested('AAA', 'tape');
    clock.advanceTo(10 * S - 1);
    expect(out).to.deep.equal([]);
    clock.advanceTo(10 * S);
    expect(out.map((v) => [v.symbol, v.stream, v.verdict])).to.deep.equal([['AAA', 'tape', 'failed']]);
    expect(out[0]!.reason).to.equal('no tape (tick-by-tick) data for AAA within 10000 ms');
    w.data('AAA', 'tape');
    expect(out.map((v) => v.verdict)).to.deep.equal(['failed', 'ok']);
  });

  it('maps the IB codes: refusals fail and stay failed, 10090 and 2152 are warnings', () => {
    const { out, w } = watch();
    for (const [symbol, stream] of [
      ['A', 'depth'],
      ['B', 'quote'],
      ['C', 'quote'],
      ['D', 'depth'],
      ['E', 'quote'],
    ] as const)
      w.requested(symbol, stream);
    w.code('A', 'depth', 354, 'Requested market data is not subscribed.');
    w.code('B', 'quote', 10167, 'Displaying delayed market data.');
    w.code('C', 'quote', 10090, 'Part of requested market data is not subscribed.');
    w.code('E', 'quote', 10089, 'Requested market data requires additional subscription for API.');
    w.systemCode(2152, 'Exchanges - Depth: ISLAND; Top: BYX');
    w.data('A', 'depth'); // a refused line never turns ok
    w.data('B', 'quote'); // delayed data flowing is still not real-time data
    expect(out.map((v) => [v.symbol, v.stream, v.verdict, 'ibCode' in v ? v.ibCode : null])).to.deep.equal([
      ['A', 'depth', 'failed', 354],
      ['B', 'quote', 'failed', 10167],
      ['C', 'quote', 'warning', 10090],
      ['E', 'quote', 'failed', 10089],
      ['A', 'depth', 'warning', 2152],
      ['D', 'depth', 'warning', 2152],
    ]);
    expect(out[0]!.reason).to.match(/^depth \(L2\) for A: IB 354 not subscribed/);
  });

  it('configured budgets above what the account allows fail for every symbol; within it, nothing', () => {
    const over = watch(10_000, { accountLines: 50, accountDepth: 1 });
    over.w.checkBudgets({ lines: 100, depth: 3 });
    over.w.checkBudgets({ lines: 100, depth: 3 }); // once per feed
    expect(over.out.map((v) => [v.symbol, v.stream, v.verdict, 'code' in v ? v.code : null])).to.deep.equal([
      ['*', 'quote', 'failed', 'FEED.LINE_BUDGET_EXCEEDED'],
      ['*', 'depth', 'failed', 'FEED.LINE_BUDGET_EXCEEDED'],
    ]);
    const fits = watch();
    fits.w.checkBudgets({ lines: 100, depth: 3 });
    expect(fits.out).to.deep.equal([]);
  });

  it('the kernel blocks entries only in a failed symbol (or every symbol for *), until the line flows', () => {
    const d = new DataEntitlements();
    const v = (symbol: string, stream: Verdict['stream'], verdict: Verdict['verdict']): Verdict => ({
      symbol,
      stream,
      verdict,
      code: 'FEED.NOT_ENTITLED',
      ibCode: null,
      reason: `${stream} ${symbol} r`,
    });
    d.record(v('AAA', 'depth', 'failed'));
    d.record(v('BBB', 'quote', 'warning'));
    expect(d.entryBlock('AAA')).to.include({ code: 'RISK.DATA_PREREQUISITES', message: 'depth AAA: depth AAA r' });
    expect(d.entryBlock('BBB')).to.equal(null);
    d.passed({ symbol: 'AAA', stream: 'depth', reason: 'flowing' });
    expect(d.entryBlock('AAA')).to.equal(null);
    d.record(v('*', 'depth', 'failed'));
    expect(d.entryBlock('ZZZ')?.message).to.equal('depth *: depth * r');
  });

  it('clock skew bands: whole-second noise is ok, then warn, then safe-mode (either sign)', () => {
    const t = { warnMs: 2_000, safeModeMs: 5_000 };
    expect([-999, 0, 2_000, 2_001, -4_000, 5_000, 5_001, -6_000].map((ms) => skewLevel(ms, t))).to.deep.equal([
      'ok',
      'ok',
      'ok',
      'warn',
      'warn',
      'warn',
      'safe-mode',
      'safe-mode',
    ]);
  });
});
