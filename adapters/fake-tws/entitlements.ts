import type { ScenarioName } from './scenarios.js';

/** The data feeds a subscription can be refused on, as the fake names them. */
export type FakeFeed = 'l1' | 'depth' | 'tape';

/**
 * Per-symbol market-data refusals: the IB code the fake answers a request with instead of data (e.g. 354 "not
 * subscribed", 10092 "deep data not supported", 10089 "needs an additional subscription"). Tests set entries on
 * `server.refusals` at any time; the `no-depth-subscription` scenario refuses every depth request with 354.
 */
export type Refusals = Map<string, Partial<Record<FakeFeed, number>>>;

export function refusalFor(refusals: Refusals, scenario: ScenarioName, symbol: string, feed: FakeFeed): number | null {
  if (scenario === 'no-depth-subscription' && feed === 'depth') return 354;
  return refusals.get(symbol)?.[feed] ?? refusals.get('*')?.[feed] ?? null;
}

/** The `clock-skew` scenario's offset of TWS's clock (ms) when no explicit `clockSkewMs` is given. */
export const SCENARIO_SKEW_MS = 30_000;

/** TWS's currentTime (epoch seconds, truncated as TWS does) for the fake's clock plus its skew. */
export function skewedSeconds(nowMicros: number, skewMs: number): number {
  return Math.floor((nowMicros + skewMs * 1_000) / 1_000_000);
}
