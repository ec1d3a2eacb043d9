import { expect } from 'chai';
import { DateTime } from 'luxon';
import { staticRiskContext, type RiskSnapshot } from '../../core/risk/static-risk-context.js';
import {
  builtinRiskPolicies,
  consecutiveLosses,
  cooldownAfterStop,
  dailyLoss,
  maxOpenPositions,
  maxOrderSize,
  maxOrdersDay,
  maxPosition,
  maxReentries,
  maxTradesDay,
  priceSanity,
  riskPerTrade,
  sessionWindow,
} from '../../plugins/risk-policies/index.js';
import type { PluginContext } from '../../plugins/sdk/contexts.js';
import type { RiskPolicyManifest } from '../../plugins/sdk/manifest.js';
import type { OrderIntent, RiskContext, RiskPolicy } from '../../ports/risk-policy.js';

function make<P>(m: RiskPolicyManifest<P>, params: unknown = {}): RiskPolicy {
  return m.create({ pluginId: m.id, params: m.paramsSchema.parse(params) } as PluginContext<P>);
}

// Conformance fixture: XYZ quote 123400 / 123500, equity 250,000,000, New York 10:00 on a trading day.
const TEN_NY = DateTime.fromISO('2026-03-10T10:00:00', { zone: 'America/New_York' }).toMillis() * 1000;
const QUOTE = { bid: 123_400, ask: 123_500, time: TEN_NY };
const base: Partial<RiskSnapshot> = { now: TEN_NY, equity: 250_000_000, startEquity: 250_000_000, quotes: { XYZ: QUOTE, ABC: QUOTE } };
const ctx = (p: Partial<RiskSnapshot> = {}): RiskContext => staticRiskContext({ ...base, ...p });
const long = (symbol: string, quantity: number) => ({ symbol, quantity, averagePrice: 123_500, realizedPnl: 0 });

const entry = (p: Partial<OrderIntent> = {}): OrderIntent => ({
  intentId: 'i',
  strategyId: 's',
  symbol: 'XYZ',
  kind: 'entry',
  side: 'buy',
  type: 'limit',
  quantity: 100,
  limitPrice: 123_500,
  stopLoss: 123_200,
  reason: 'test',
  ...p,
});
const exit = (p: Partial<OrderIntent> = {}): OrderIntent => entry({ kind: 'exit', side: 'sell', stopLoss: undefined, ...p });
const codes = (d: { reasons: readonly { code: string }[] }) => d.reasons.map((r) => r.code);

describe('risk policies', () => {
  it('exports every built-in with a unique kebab-case id and apiVersion 1', () => {
    const ids = builtinRiskPolicies.map((m) => m.id);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids).to.include.members(['risk-per-trade', 'max-position', 'daily-loss', 'session-window', 'price-sanity']);
    for (const m of builtinRiskPolicies) expect(m.apiVersion).to.equal(1);
  });

  it('every built-in allows an exit, even with every counter exhausted', () => {
    const bad = ctx({
      now: TEN_NY - 2 * 3600e6,
      dailyPnl: -10_000_000,
      consecutiveLosses: 9,
      tradesToday: 99,
      ordersToday: 999,
      openOrderCount: 9,
      entries: { XYZ: 9 },
      stopOuts: { XYZ: TEN_NY - 2 * 3600e6 },
      positions: [long('XYZ', 100), long('ABC', 5)],
      quotes: {},
    });
    const params: Record<string, unknown> = { 'max-position': { maxShares: 1 }, 'max-order-size': { maxQuantity: 1 } };
    for (const m of builtinRiskPolicies) {
      const d = make(m, params[m.id] ?? {}).evaluate(exit({ quantity: 100 }), bad);
      expect(d.action, m.id).to.equal('allow');
    }
  });

  describe('risk-per-trade (RISK-05)', () => {
    const p = make(riskPerTrade);
    it('sizes by r × equity / distance and allows within it', () => {
      const d = p.evaluate(entry({ quantity: 2083 }), ctx());
      expect(d.action).to.equal('allow');
      expect(d.maxQty).to.equal(2083);
    });
    it('rejects one share over the budget', () => {
      const d = p.evaluate(entry({ quantity: 2084 }), ctx());
      expect(codes(d)).to.deep.equal(['RISK.RISK_PER_TRADE']);
      expect(d.reasons[0]).to.include({ observed: 2084 * 300, threshold: 625_000 });
    });
    it('rejects a missing stop, a stop equal to the price and a long stop above the entry', () => {
      expect(codes(p.evaluate(entry({ stopLoss: undefined }), ctx()))).to.deep.equal(['RISK.INVALID_STOP']);
      expect(codes(p.evaluate(entry({ stopLoss: 123_500 }), ctx()))).to.deep.equal(['RISK.INVALID_STOP']);
      expect(codes(p.evaluate(entry({ stopLoss: 123_800 }), ctx()))).to.deep.equal(['RISK.INVALID_STOP']);
    });
    it('accepts a short whose stop is above, and prices a market order from the touch', () => {
      expect(p.evaluate(entry({ side: 'sell', stopLoss: 123_800 }), ctx()).action).to.equal('allow');
      const mkt = entry({ type: 'market', limitPrice: undefined, stopLoss: 123_200 });
      expect(p.evaluate(mkt, ctx()).maxQty).to.equal(Math.floor(625_000 / 300));
    });
  });

  describe('max-position (RISK-05)', () => {
    const p = make(maxPosition, { maxShares: 500, maxPositionValue: 5_000 });
    it('allows 404 shares with maxQty 404', () => {
      const d = p.evaluate(entry({ quantity: 404 }), ctx());
      expect(d.action).to.equal('allow');
      expect(d.maxQty).to.equal(404);
    });
    it('rejects 405 on value, and 501 listing both caps', () => {
      expect(codes(p.evaluate(entry({ quantity: 405 }), ctx()))).to.deep.equal(['RISK.MAX_POSITION_VALUE']);
      expect(codes(p.evaluate(entry({ quantity: 501 }), ctx()))).to.deep.equal(['RISK.MAX_SHARES', 'RISK.MAX_POSITION_VALUE']);
    });
    it('counts the position already held', () => {
      expect(codes(p.evaluate(entry({ quantity: 201 }), ctx({ positions: [long('XYZ', 300)] })))).to.include('RISK.MAX_SHARES');
    });
    it('needs at least one cap', () => {
      expect(maxPosition.paramsSchema.safeParse({}).success).to.equal(false);
    });
  });

  describe('daily-loss (RISK-02)', () => {
    const p = make(dailyLoss);
    it('allows one unit above the limit and halts at the boundary', () => {
      expect(p.evaluate(entry(), ctx({ dailyPnl: -2_499_999 })).action).to.equal('allow');
      expect(p.monitor!(ctx({ dailyPnl: -2_499_999 }))).to.equal(null);
      const d = p.evaluate(entry(), ctx({ dailyPnl: -2_500_000 }));
      expect(d.action).to.equal('halt');
      expect(d.reasons[0]).to.include({ code: 'RISK.DAILY_LOSS', observed: -2_500_000, threshold: -2_500_000 });
      expect(p.monitor!(ctx({ dailyPnl: -2_500_000 }))).to.deep.include({ to: 'HALT' });
    });
  });

  describe('consecutive-losses (RISK-07)', () => {
    const p = make(consecutiveLosses);
    it('halts at the third loss in a row', () => {
      expect(p.monitor!(ctx({ consecutiveLosses: 2 }))).to.equal(null);
      expect(p.monitor!(ctx({ consecutiveLosses: 3 }))!.reason.code).to.equal('RISK.CONSECUTIVE_LOSSES');
      expect(p.evaluate(entry(), ctx({ consecutiveLosses: 3 })).action).to.equal('halt');
    });
  });

  describe('counters', () => {
    it('max-trades-day: 5th allowed, 6th refused with observed 5 (RISK-04)', () => {
      const p = make(maxTradesDay);
      expect(p.evaluate(entry(), ctx({ tradesToday: 4 })).action).to.equal('allow');
      const d = p.evaluate(entry(), ctx({ tradesToday: 5 }));
      expect(d.reasons[0]).to.include({ code: 'RISK.MAX_TRADES_DAY', observed: 5, threshold: 5 });
    });
    it('max-reentries: second re-entry allowed, third refused (RISK-06)', () => {
      const p = make(maxReentries);
      expect(p.evaluate(entry(), ctx({ entries: { XYZ: 2 } })).action).to.equal('allow');
      expect(p.evaluate(entry(), ctx({ entries: { XYZ: 3 } })).reasons[0]).to.include({
        code: 'RISK.MAX_REENTRIES',
        observed: 2,
        threshold: 2,
      });
      expect(p.evaluate(entry({ symbol: 'ABC' }), ctx({ entries: { XYZ: 3 } })).action).to.equal('allow');
    });
    it('max-orders-day', () => {
      const p = make(maxOrdersDay, { max: 3 });
      expect(p.evaluate(entry(), ctx({ ordersToday: 2 })).action).to.equal('allow');
      expect(codes(p.evaluate(entry(), ctx({ ordersToday: 3 })))).to.deep.equal(['RISK.MAX_ORDERS_DAY']);
    });
    it('max-open-positions: a new symbol is refused, adding to the held one is not (RISK-03)', () => {
      const p = make(maxOpenPositions);
      const held = ctx({ positions: [long('XYZ', 100)] });
      expect(p.evaluate(entry({ symbol: 'ABC' }), held).reasons[0]).to.include({
        code: 'RISK.MAX_OPEN_POSITIONS',
        observed: 1,
        threshold: 1,
      });
      expect(p.evaluate(entry({ symbol: 'XYZ' }), held).action).to.equal('allow');
      expect(p.evaluate(entry({ symbol: 'ABC' }), ctx({ positions: [long('XYZ', 0)] })).action).to.equal('allow');
    });
  });

  describe('cooldown-after-stop (RISK-06)', () => {
    const p = make(cooldownAfterStop);
    const stopAt = TEN_NY;
    it('refuses at 179 s and allows at 180 s', () => {
      const d = p.evaluate(entry(), ctx({ now: stopAt + 179e6, stopOuts: { XYZ: stopAt } }));
      expect(d.reasons[0]).to.include({ code: 'RISK.COOLDOWN', observed: 179, threshold: 180 });
      expect(p.evaluate(entry(), ctx({ now: stopAt + 180e6, stopOuts: { XYZ: stopAt } })).action).to.equal('allow');
      expect(p.evaluate(entry({ symbol: 'ABC' }), ctx({ now: stopAt + 1, stopOuts: { XYZ: stopAt } })).action).to.equal('allow');
    });
  });

  describe('max-order-size', () => {
    const p = make(maxOrderSize, { maxQuantity: 200, maxNotional: 1_000 });
    it('lists both quantity and notional breaches', () => {
      expect(p.evaluate(entry({ quantity: 80 }), ctx()).action).to.equal('allow');
      expect(codes(p.evaluate(entry({ quantity: 81 }), ctx()))).to.deep.equal(['RISK.MAX_ORDER_NOTIONAL']);
      expect(codes(p.evaluate(entry({ quantity: 201 }), ctx()))).to.deep.equal(['RISK.MAX_ORDER_QUANTITY', 'RISK.MAX_ORDER_NOTIONAL']);
    });
  });

  describe('session-window (RISK-08)', () => {
    const p = make(sessionWindow);
    const ny = (iso: string) => DateTime.fromISO(iso, { zone: 'America/New_York' }).toMillis() * 1000;
    const at = (now: number) => p.evaluate(entry(), ctx({ now })).action;
    it('includes the start and excludes the end, to the millisecond', () => {
      expect(at(ny('2026-03-10T09:29:59.999'))).to.equal('reject');
      expect(at(ny('2026-03-10T09:30:00.000'))).to.equal('allow');
      expect(at(ny('2026-03-10T11:14:59.999'))).to.equal('allow');
      expect(at(ny('2026-03-10T11:15:00.000'))).to.equal('reject');
    });
    it('follows DST: EST before the switch, EDT after', () => {
      expect(at(Date.parse('2026-03-06T14:29:59Z') * 1000)).to.equal('reject');
      expect(at(Date.parse('2026-03-09T13:30:00Z') * 1000)).to.equal('allow');
    });
    it('allows exits outside the window and honours a second window', () => {
      expect(p.evaluate(exit(), ctx({ now: ny('2026-03-10T11:20:00') })).action).to.equal('allow');
      const two = make(sessionWindow, { second: { start: '14:00', end: '15:30' } });
      expect(two.evaluate(entry(), ctx({ now: ny('2026-03-10T14:10:00') })).action).to.equal('allow');
      expect(codes(two.evaluate(entry(), ctx({ now: ny('2026-03-10T12:00:00') })))).to.deep.equal(['RISK.OUTSIDE_WINDOW']);
    });
    it('rejects an inverted window in params', () => {
      expect(sessionWindow.paramsSchema.safeParse({ start: '11:00', end: '10:00' }).success).to.equal(false);
    });
  });

  describe('price-sanity', () => {
    const p = make(priceSanity);
    it('allows a limit at the touch of a fresh, tight quote', () => {
      expect(p.evaluate(entry(), ctx()).action).to.equal('allow');
    });
    it('refuses a quote 5.001 s old with STALE_DATA in ms (RISK-09a)', () => {
      const d = p.evaluate(entry(), ctx({ now: TEN_NY + 5_001_000 }));
      expect(d.reasons[0]).to.include({ code: 'RISK.STALE_DATA', observed: 5001, threshold: 5000 });
      expect(p.evaluate(entry(), ctx({ now: TEN_NY + 5_000_000 })).action).to.equal('allow');
    });
    it('refuses a wide spread, a crossed book, a price far from the mid and a missing quote', () => {
      expect(codes(p.evaluate(entry(), ctx({ quotes: { XYZ: { bid: 120_000, ask: 123_500, time: TEN_NY } } })))).to.include('RISK.SPREAD');
      expect(codes(p.evaluate(entry(), ctx({ quotes: { XYZ: { bid: 123_500, ask: 123_400, time: TEN_NY } } })))).to.include(
        'RISK.PRICE_SANITY',
      );
      expect(codes(p.evaluate(entry({ limitPrice: 130_000, stopLoss: 129_000 }), ctx()))).to.deep.equal(['RISK.PRICE_SANITY']);
      expect(codes(p.evaluate(entry({ symbol: 'NOPE' }), ctx()))).to.deep.equal(['RISK.PRICE_SANITY']);
    });
  });

  it('policies do not mutate their inputs and are deterministic', () => {
    const i = Object.freeze(entry({ quantity: 3000 }));
    const c = ctx({ positions: Object.freeze([Object.freeze(long('XYZ', 10))]) });
    for (const m of builtinRiskPolicies) {
      const params: Record<string, unknown> = { 'max-position': { maxShares: 5 }, 'max-order-size': { maxQuantity: 5 } };
      const pol = make(m, params[m.id] ?? {});
      expect(pol.evaluate(i, c), m.id).to.deep.equal(pol.evaluate(i, c));
    }
  });
});
