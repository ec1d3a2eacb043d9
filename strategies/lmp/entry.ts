import type { Price } from '../../core/domain/units.js';

export interface EntryLevelsInput {
  bestAsk: Price;
  shelfPrice: Price;
  /** Lowest best bid since the impulse high (pullback swing low); 0 when unknown. */
  swingLow: Price;
  tick: Price;
  /** Mean |Δmid| per second in ticks over the last seconds; picks the stop buffer within [min, max]. */
  volatilityTicks: number;
  stopBufferMinTicks: number;
  stopBufferMaxTicks: number;
  tp1R: number;
  tp2R: number;
}

export interface EntryLevels {
  limit: Price;
  stop: Price;
  /** limit − stop, the R unit. */
  risk: Price;
  tp1: Price;
  tp2: Price;
  bufferTicks: number;
}

/**
 * Levels (docs/lmp.md#lmp-5, #lmp-6, #lmp-7). Limit = min(ask1, shelf + 1 tick). Stop = min(swing low, shelf) − buffer, buffer 1–3 ticks
 * scaled by volatility (rounded up to a whole tick). TP1 = limit + tp1R·R rounded up to a tick, TP2 likewise.
 * Invariants: all levels are tick multiples when inputs are; stop < limit < tp1 < tp2.
 */
export function entryLevels(i: EntryLevelsInput): EntryLevels {
  const limit = Math.min(i.bestAsk, i.shelfPrice + i.tick);
  const base = i.swingLow > 0 ? Math.min(i.swingLow, i.shelfPrice) : i.shelfPrice;
  const bufferTicks = Math.min(i.stopBufferMaxTicks, Math.max(i.stopBufferMinTicks, Math.ceil(i.volatilityTicks)));
  const stop = Math.min(base - bufferTicks * i.tick, limit - i.tick);
  const risk = limit - stop;
  const up = (x: number): Price => Math.ceil(x / i.tick - 1e-9) * i.tick;
  const tp1 = Math.max(up(limit + i.tp1R * risk), limit + i.tick);
  const tp2 = Math.max(up(limit + i.tp2R * risk), tp1 + i.tick);
  return { limit, stop, risk, tp1, tp2, bufferTicks };
}
