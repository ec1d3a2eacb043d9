import { EventName, type Contract, type Order } from '@stoqey/ib';
import { expect } from 'chai';
import { z } from 'zod';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import { env } from '../../core/config/env-ref.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { createHarvester } from '../../core/di/container.js';
import type { JournalEntry } from '../../ports/journal.js';
import type { IntentResult, StrategyContext } from '../../ports/strategy.js';
import { defineAdapter, defineStrategy } from '../../plugins/sdk/define.js';
import { FakeTwsServer, StepClock, syntheticMarket, type FakeTwsOptions } from '../../adapters/fake-tws/index.js';
import { IbHarness } from '../../adapters/fake-tws/ib-client-harness.js';
import { MemoryJournal } from '../support/memory-journal.js';
import { InMemoryMemoryStore } from '../support/memory-store.js';
import { until } from '../support/tws-adapter-harness.js';
import { sessionAround } from '../../core/config/session-window.js';

const ACCOUNT = 'DU0000001';
const DOLLAR = 10_000;

/** A strategy that trades only when the test says so: its context is handed out, its intents go through risk. */
function probe(holder: { ctx: StrategyContext<unknown> | null }) {
  return defineStrategy({
    id: 'probe',
    apiVersion: 1,
    paramsSchema: z.object({}),
    create: (ctx) => {
      holder.ctx = ctx;
      return { id: ctx.strategyId, subscriptions: () => [{ symbol: 'HRVST', streams: ['quote', 'depth', 'tape'], levels: 5 }] };
    },
  });
}

/** A buy limit below the synthetic market (it rests, never fills) with a stop 1.00 under it. */
const entry = (quantity: number) => ({
  symbol: 'HRVST',
  kind: 'entry' as const,
  side: 'buy' as const,
  type: 'limit' as const,
  quantity,
  limitPrice: 300_000,
  stopLoss: 290_000,
  reason: 'probe',
});
const codes = (r: IntentResult): string[] => (r.status === 'denied' ? r.decision.reasons.map((x) => x.code) : []);

/**
 * Account truth through the whole wired path: a paper session (config → container → engine) on the TWS adapter over
 * loopback against the fake TWS. Paper runs on the wall clock; the adapter's periods are short here so each case
 * settles in well under a second, and nothing below asserts on how long anything took.
 */
describe('paper session on the fake TWS: account truth, periodic reconciliation, clock skew, data checks (engine)', function () {
  this.timeout(60_000);
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  });

  async function session(o: {
    fake?: FakeTwsOptions;
    tws?: Record<string, unknown>;
    risk?: unknown[];
    startEquity?: number;
    setup?: (s: FakeTwsServer) => void;
    noBook?: boolean;
  }) {
    const server = await FakeTwsServer.start({
      clock: new StepClock(),
      accounts: [ACCOUNT],
      speed: 1,
      startingCash: 250_000,
      market: syntheticMarket({ symbol: 'HRVST', seed: 5, start: 0, steps: 4_000, mid: 325_000, tick: 100, interval: 20_000 }),
      ...o.fake,
    });
    closers.push(() => server.stop());
    o.setup?.(server);
    const journal = new MemoryJournal();
    const store = defineAdapter({
      id: 'memory',
      apiVersion: 1,
      provides: ['store'],
      paramsSchema: z.object({}),
      create: () => ({ journal, memory: new InMemoryMemoryStore() }),
    });
    const holder: { ctx: StrategyContext<unknown> | null } = { ctx: null };
    // The heartbeat would measure the fake's StepClock (months off the wall clock): its period is out of reach here
    // unless a case sets it, and the skew case gives the fake the wall clock.
    const tws = {
      port: server.port,
      clientId: 43,
      reconcileIntervalMs: 300,
      heartbeatIntervalMs: 3_600_000,
      entitlementDeadlineMs: 2_000,
      ...o.tws,
    };
    const resolved = await resolveConfig(
      {
        mode: 'paper',
        session: sessionAround(Date.now(), 1, 3),
        account: { id: env('HV_TEST_PAPER_ACCOUNT'), startEquity: o.startEquity ?? 100_000 },
        instruments: [{ symbol: 'HRVST', tick: 0.01 }],
        marketData: { use: 'tws', params: tws },
        broker: { use: 'tws', params: tws },
        store: { use: 'memory' },
        risk: o.risk ?? [],
        strategies: [{ use: 'probe' }],
      },
      { builtins: [...(await builtinPlugins()), store, probe(holder)], baseDir: process.cwd(), env: { HV_TEST_PAPER_ACCOUNT: ACCOUNT } },
    );
    const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
    const runtime = await createHarvester(resolved, {
      sessionId: `truth-${Math.random().toString(36).slice(2)}`,
      wallStartedAt: new Date().toISOString(),
      clock: new WallClock(),
      log: quiet,
    });
    const stop = new AbortController();
    const running = runtime.engine.run({ signal: stop.signal });
    closers.push(async () => {
      stop.abort();
      await running.catch(() => undefined);
      await runtime.close();
    });
    const rows = (type: string): JournalEntry[] => journal.all().filter((r) => r.type === type);
    // Ready: the strategy runs, data flowed (start gates see fresh data), the broker is Connected (reconciled; the
    // account summary is asked for in the same pass, so its figures are in by then).
    const connected = () => rows('connection.changed').some((r) => (r.data as { to: string }).to === 'Connected');
    await until(
      () => holder.ctx !== null && connected() && (o.noBook === true || (runtime.parts.router.book('HRVST')?.bestBid ?? 0) > 0),
      'session up: Connected, with data',
      10_000,
    );
    return { server, runtime, journal, rows, ctx: holder.ctx!, stop, running };
  }

  it("sizes from the broker: equity and start equity are the account's net liquidation, not the config's startEquity", async () => {
    // r = 1 % with a stop 1.00 away: 2,500 shares on 250,000 of net liquidation, 1,000 on the configured 100,000.
    const s = await session({ risk: [{ use: 'risk-per-trade', action: 'reject', params: { riskPct: 1 } }] });
    expect(s.ctx.equity()).to.equal(250_000 * DOLLAR);
    expect(s.runtime.engine.riskContext.equity).to.equal(250_000 * DOLLAR);
    expect(s.runtime.engine.riskContext.startEquity).to.equal(250_000 * DOLLAR);
    const sent = s.ctx.submit(entry(2_000));
    expect(sent.status, JSON.stringify(sent)).to.equal('sent');
    expect(codes(s.ctx.submit(entry(2_600)))).to.deep.equal(['RISK.RISK_PER_TRADE']);
    // 40,000 × 30.00 = 1.2 M against the broker's 1 M of buying power: refused before the venue would refuse it.
    // (the chain refuses its size too; the account gate adds its own reason after the chain's)
    expect(codes(s.ctx.submit(entry(40_000)))).to.include('RISK.BUYING_POWER');
    const updated = s.rows('account.updated')[0]!.data;
    expect(updated).to.include({ equity: 250_000 * DOLLAR, buyingPower: 1_000_000 * DOLLAR });
    expect(JSON.stringify(updated)).not.to.contain(ACCOUNT);
  });

  it('a position the kernel never traded: the periodic pass journals a discrepancy and entries wait until it is resolved', async () => {
    const s = await session({});
    expect(s.ctx.submit(entry(10)).status).to.equal('sent');
    const passes = () => s.rows('reconciliation.completed').length;
    const before = passes();
    // Someone buys 7 HRVST in TWS itself (another client id), and it fills.
    const manual = await IbHarness.connect(s.server.port, 98);
    manual.ib.placeOrder(
      9_000,
      { symbol: 'HRVST', secType: 'STK', exchange: 'SMART', currency: 'USD' } as Contract,
      {
        action: 'BUY',
        orderType: 'LMT',
        lmtPrice: 1,
        totalQuantity: 7,
        tif: 'DAY',
        transmit: true,
        account: ACCOUNT,
        orderRef: 'manual',
      } as Order,
    );
    await manual.waitFor(EventName.orderStatus);
    s.server.inject({ kind: 'fill', orderId: 9_000, price: 1 });
    await manual.waitFor(EventName.execDetails);
    manual.disconnect();
    await until(() => s.rows('account.discrepancy').length > 0, 'a discrepancy from a periodic pass', 5_000);
    expect(passes()).to.be.greaterThan(before);
    const started = s.rows('reconciliation.completed');
    expect(started.length).to.be.greaterThan(1);
    const d = s.rows('account.discrepancy')[0]!;
    expect(d.symbol).to.equal('HRVST');
    expect(d.data).to.include({ ledger: 0, broker: 7, tolerance: 0 });
    const denied = s.ctx.submit(entry(10));
    expect(codes(denied)).to.deep.equal(['RISK.ACCOUNT_DISCREPANCY']);
    expect(s.rows('account-truth.blocked').length).to.equal(1);
    // Exits are never blocked by it.
    expect(codes(s.ctx.submit({ ...entry(5), kind: 'exit', side: 'sell', limitPrice: 400_000, stopLoss: undefined }))).not.to.include(
      'RISK.ACCOUNT_DISCREPANCY',
    );
    // The shares are sold in TWS again: the next pass finds agreement and entries resume.
    const again = await IbHarness.connect(s.server.port, 97);
    again.ib.placeOrder(
      9_001,
      { symbol: 'HRVST', secType: 'STK', exchange: 'SMART', currency: 'USD' } as Contract,
      {
        action: 'SELL',
        orderType: 'LMT',
        lmtPrice: 1,
        totalQuantity: 7,
        tif: 'DAY',
        transmit: true,
        account: ACCOUNT,
        orderRef: 'manual',
      } as Order,
    );
    await again.waitFor(EventName.orderStatus);
    s.server.inject({ kind: 'fill', orderId: 9_001, price: 1 });
    await again.waitFor(EventName.execDetails);
    again.disconnect();
    await until(() => s.rows('account.reconciled').length > 0, 'agreement on a later pass', 5_000);
    expect(s.ctx.submit(entry(10)).status).to.equal('sent');
  });

  it('clock skew beyond clockSkewSafeModeMs: journaled, SAFE_MODE, and clear is refused while it holds', async () => {
    const wall = { nowMicros: () => Date.now() * 1_000, sleep: (us: number) => new Promise<void>((r) => setTimeout(r, us / 1_000)) };
    const s = await session({ fake: { clock: wall, clockSkewMs: 9_000 }, tws: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 2_000 } });
    await until(() => s.runtime.engine.gate.state === 'SAFE_MODE', 'SAFE_MODE from the skew', 5_000);
    const skew = s.rows('clock.skew').at(-1)!.data as { level: string; skewMs: number };
    expect(skew.level).to.equal('safe-mode');
    expect(skew.skewMs).to.be.within(7_000, 10_000);
    const change = s.rows('risk.state-changed').find((r) => (r.data as { to: string }).to === 'SAFE_MODE')!;
    expect((change.data as { reason: { code: string } }).reason.code).to.equal('RISK.CLOCK_SKEW');
    expect(codes(s.ctx.submit(entry(10)))).to.deep.equal(['RISK.SAFE_MODE']);
    const cleared = s.runtime.engine.gate.clear('operator', 'test', s.runtime.engine.riskContext);
    expect(cleared.ok).to.equal(false);
    expect(s.runtime.engine.gate.state).to.equal('SAFE_MODE');
  });

  it("354 on one symbol's depth fails only that line: entries in that symbol are blocked, the session keeps running", async () => {
    const s = await session({ noBook: true, setup: (server) => server.refusals.set('HRVST', { depth: 354 }) });
    await until(
      () => s.rows('feed.entitlement').some((r) => (r.data as { ibCode: number | null }).ibCode === 354),
      'the failed depth check',
      5_000,
    );
    const v = s
      .rows('feed.entitlement')
      .map((r) => r.data as { symbol: string; stream: string; verdict: string; ibCode: number | null })
      .find((x) => x.ibCode === 354)!;
    expect(v).to.include({ symbol: 'HRVST', stream: 'depth', verdict: 'failed' });
    expect(s.runtime.engine.gate.state, 'no halt on a per-line refusal').to.equal('RUNNING');
    expect(codes(s.ctx.submit(entry(10)))).to.include('RISK.DATA_PREREQUISITES');
  });

  // 10092 (deep data not available for this security): like 354, a refusal of one line that the kill switch does not
  // halt on; the data check blocks entries in the symbol.
  it('data checks: depth refused for the symbol (10092) and a depth budget above the account: journaled by feed and symbol, entries blocked', async () => {
    const s = await session({
      noBook: true,
      tws: { depthBudget: 4, accountDepth: 3 },
      setup: (server) => server.refusals.set('HRVST', { depth: 10_092 }),
    });
    await until(
      () => s.rows('feed.entitlement').filter((r) => (r.data as { verdict: string }).verdict === 'failed').length >= 2,
      'two failed checks',
      5_000,
    );
    const failed = s
      .rows('feed.entitlement')
      .map((r) => r.data as { symbol: string; stream: string; verdict: string; ibCode: number | null; reason: string })
      .filter((v) => v.verdict === 'failed');
    expect(failed.map((v) => [v.symbol, v.stream, v.ibCode])).to.deep.include.members([
      ['*', 'depth', null],
      ['HRVST', 'depth', 10_092],
    ]);
    expect(failed.find((v) => v.symbol === 'HRVST')!.reason).to.match(/depth \(L2\) for HRVST: IB 10092/);
    // Quotes and tape flow, so those checks pass.
    const ok = s.rows('feed.entitlement-ok').map((r) => (r.data as { stream: string }).stream);
    expect(ok).to.include('quote');
    const denied = s.ctx.submit(entry(10));
    // The trading gate's start gates answer too (no fresh book); the data check's own reason names the feed and budget.
    expect(new Set(codes(denied))).to.deep.equal(new Set(['RISK.DATA_PREREQUISITES']));
    const message =
      denied.status === 'denied' ? (denied.decision.reasons.map((r) => r.message ?? '').find((m) => m.includes('depth HRVST')) ?? '') : '';
    expect(message).to.contain('depth HRVST').and.to.contain('depthBudget 4');
  });
});
