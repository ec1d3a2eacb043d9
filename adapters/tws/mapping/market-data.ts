import type { Micros, Price } from '../../../core/domain/units.js';
import { fromTws } from './price.js';

/**
 * TWS market-data values → core units. TWS speaks decimal prices, decimal sizes, −1 for "no quote on this side",
 * epoch seconds for tick-by-tick time, and numeric codes for depth side and operation. Everything that parses these
 * lives here; the feed only sees integers (or the sentinels below).
 */

/** reqMktData tick types (IB "Tick Types" table). Delayed variants (66–70) follow 10167 or reqMarketDataType(3). */
export const TICK = {
  BID_SIZE: 0,
  BID: 1,
  ASK: 2,
  ASK_SIZE: 3,
  DELAYED_BID: 66,
  DELAYED_ASK: 67,
  DELAYED_BID_SIZE: 69,
  DELAYED_ASK_SIZE: 70,
} as const;

/** A price the source marked as absent (IB sends −1, and 0 before the open): the side is missing, not malformed. */
export const MISSING_PRICE = 0;
/** A value that does not parse or cannot be a price/size: the caller counts it and drops the data it belongs to. */
export const MALFORMED = -1;

/** L1 price: a positive integer Price, MISSING_PRICE for −1/0, or MALFORMED (NaN, undefined, other negatives). */
export function quotePrice(value: unknown): Price {
  if (typeof value !== 'number' || !Number.isFinite(value)) return MALFORMED;
  if (value === -1 || value === 0) return MISSING_PRICE;
  if (value < 0) return MALFORMED;
  const p = fromTws(value);
  return p > 0 ? p : MALFORMED;
}

/** A print or depth-row price: positive, finite; MALFORMED otherwise (a zero-price print is not a trade). */
export function positivePrice(value: unknown): Price {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return MALFORMED;
  const p = fromTws(value);
  return p > 0 ? p : MALFORMED;
}

/**
 * A size in whole shares, or MALFORMED. TWS ≥ 10 sends sizes as decimals; a fractional or negative size cannot be a
 * Quantity. `undefined` (an empty field, or MAX_VALUE: "not set") is reported as null: no information, no anomaly.
 */
export function shareSize(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return MALFORMED;
  return value;
}

/** Tick-by-tick time (epoch seconds) → Micros, or null when the source gave none. */
export function twsTime(seconds: unknown): Micros | null {
  const s = typeof seconds === 'string' ? Number(seconds) : seconds;
  return typeof s === 'number' && Number.isFinite(s) && s > 0 ? Math.round(s * 1_000_000) : null;
}

/** IB depth side: 1 bid, 0 ask; anything else is malformed (−1). */
export function depthSide(side: unknown): 0 | 1 | -1 {
  return side === 1 ? 1 : side === 0 ? 0 : -1;
}
