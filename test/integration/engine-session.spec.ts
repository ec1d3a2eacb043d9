import { expect } from 'chai';
import { z } from 'zod';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { sessionWindow } from '../../core/config/session-window.js';
import { createHarvester } from '../../core/di/container.js';
import type { DepthEvent, MarketEvent, TradeEvent } from '../../core/domain/market.js';
import type { VirtualClock } from '../../ports/clock.js';
import { defineAdapter, defineStrategy } from '../../plugins/sdk/define.js';
import noneLearner from '../../learners/none/index.js';
import { builtinRiskPolicies } from '../../plugins/risk-policies/index.js';
import type { Strategy } from '../../ports/strategy.js';
import { InstantBroker } from '../support/instant-broker.js';
import { MemoryJournal } from '../support/memory-journal.js';
import { InMemoryMemoryStore } from '../support/memory-store.js';
import { ScriptedFeed } from '../support/scripted-feed.js';

const WINDOW = sessionWindow('2024-03-14', 'America/New_York', '09:30', '09:40');
const S = 1_000_000;

function market(): MarketEvent[] {
  const out: MarketEvent[] = [];
  let seq = 0;
  for (let i = 0; i < 300; i++) {
    const t = WINDOW.start + i * S;
    const bid = 50_00_00 + (i % 7) * 100;
    const d = (side: 'bid' | 'ask', price: number, end: boolean): DepthEvent => ({
      kind: 'depth', symbol: 'TST', side, position: -1, operation: 'update', price, size: 500, marketMaker: '', endOfBatch: end, seq: ++seq, epoch: 1, recvTime: t, exchTime: t,
    });
    out.push(d('bid', bid, false), d('ask', bid + 100, true));
    const trade: TradeEvent = { kind: 'trade', symbol: 'TST', price: bid + 100, size: 100, aggressor: 'buy', aggressorSource: 'venue', seq: ++seq, epoch: 1, recvTime: t + 1, exchTime: t + 1 };
    out.push(trade);
  }
  return out;
}

async function runWith(strategy: (ctx: Parameters<Parameters<typeof defineStrategy>[0]['create']>[0]) => Strategy, risk: unknown[] = []) {
  const journal = new MemoryJournal();
  let broker!: InstantBroker;
  let clock!: VirtualClock;
  const feedAdapter = defineAdapter({
    id: 'scripted', apiVersion: 1, provides: ['market-data'], paramsSchema: z.object({}),
    create: (ctx) => { clock = ctx.clock as VirtualClock; return { feed: new ScriptedFeed(market(), clock, WINDOW.end) }; },
  });
  const brokerAdapter = defineAdapter({
    id: 'instant', apiVersion: 1, provides: ['broker'], paramsSchema: z.object({}),
    create: (ctx) => { broker = new InstantBroker(ctx.clock, (s) => ctx.market.book(s)?.bestAsk ?? 0); return { broker }; },
  });
  const storeAdapter = defineAdapter({
    id: 'memory', apiVersion: 1, provides: ['store'], paramsSchema: z.object({}),
    create: () => ({ journal, memory: new InMemoryMemoryStore() }),
  });
  const strat = defineStrategy({ id: 'probe', apiVersion: 1, paramsSchema: z.object({}), create: strategy });
  const resolved = await resolveConfig({
    session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '09:40' },
    marketData: { use: 'scripted' }, broker: { use: 'instant' }, store: { use: 'memory' },
    risk, strategies: [{ use: 'probe' }],
  }, { builtins: [feedAdapter, brokerAdapter, storeAdapter, strat, noneLearner, ...builtinRiskPolicies], baseDir: '.', env: {} });
  const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
  const runtime = await createHarvester(resolved, { sessionId: 'test-session', wallStartedAt: 'x', log: quiet });
  const result = await runtime.engine.run();
  await runtime.close();
  return { result, journal, broker: broker!, runtime };
}

describe('session engine (kernel end to end with in-test adapters)', () => {
  it('keeps running when a strategy throws, journals plugin.error, and ends with a final flush', async () => {
    let calls = 0;
    const { result, journal } = await runWith((ctx) => ({
      id: ctx.strategyId,
      subscriptions: () => [{ symbol: 'TST', streams: ['depth', 'tape'] }],
      onBook: () => { calls++; if (calls % 50 === 0) throw new Error('strategy bug'); },
    }));
    expect(calls).to.equal(300);
    expect(result.events).to.equal(900);
    expect(result.status).to.equal('completed');
    const errors = journal.all().filter((e) => e.type === 'plugin.error');
    expect(errors).to.have.length(6);
    expect(errors[0]!.data).to.include({ pluginId: 'probe', event: 'onBook' });
  });

  it('denies entries before the session data is fresh, then routes bracket entries with an approval record', async () => {
    let sent = 0;
    const { journal, broker } = await runWith((ctx) => ({
      id: ctx.strategyId,
      subscriptions: () => [{ symbol: 'TST', streams: ['depth', 'tape'] }],
      onBook: (book) => {
        if (sent > 0 || ctx.clock.now() < WINDOW.start + 30 * S) return;
        const r = ctx.submit({ symbol: 'TST', kind: 'entry', side: 'buy', type: 'limit', quantity: 10, limitPrice: book.bestAsk, stopLoss: book.bestBid - 500, takeProfit: book.bestAsk + 500, reason: 'probe' });
        if (r.status === 'sent') sent++;
      },
    }));
    expect(sent).to.equal(1);
    expect(broker.brackets).to.have.length(1);
    const types = journal.all().map((e) => e.type);
    expect(types).to.include('start-gates.passed');
    expect(types.indexOf('risk.approved')).to.be.lessThan(types.indexOf('order.requested'));
    // Session end flattens the open position: a flatten order follows, and the round trip closes.
    expect(types).to.include('flatten.order');
    expect(types).to.include('trade.closed');
  });

  it('on a halt breach, flattens every position and cancels working orders, journaling the transition', async () => {
    let entered = false;
    const { journal, broker, result } = await runWith((ctx) => ({
      id: ctx.strategyId,
      subscriptions: () => [{ symbol: 'TST', streams: ['depth', 'tape'] }],
      onBook: (book) => {
        if (entered || ctx.clock.now() < WINDOW.start + 10 * S) return;
        entered = ctx.submit({ symbol: 'TST', kind: 'entry', side: 'buy', type: 'limit', quantity: 200, limitPrice: book.bestAsk, stopLoss: book.bestBid - 500, takeProfit: book.bestAsk + 2000, reason: 'probe' }).status === 'sent';
      },
    }), [{ use: 'daily-loss', action: 'halt', params: { maxLossPct: 0.0001 } }]);
    const change = journal.all().find((e) => e.type === 'risk.state-changed');
    expect(change?.data).to.include({ to: 'HALT' });
    expect(journal.all().some((e) => e.type === 'flatten.all')).to.equal(true);
    expect(broker.cancels.length).to.be.greaterThan(0);
    expect(result.riskState).to.equal('HALT');
    expect(result.status).to.equal('halted');
  });
});
