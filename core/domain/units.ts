/**
 * Units used everywhere inside core. Floats never cross into core: adapters convert at their edge.
 *
 * - {@link Price}: integer count of ten-thousandths of the quote currency ($12.3456 → 123456).
 * - {@link Money}: integer ten-thousandths of the account currency (PnL, commissions, equity).
 * - {@link Quantity}: integer shares; signed where a position is meant.
 * - {@link Micros}: integer microseconds since the Unix epoch (UTC). 2^53 µs spans ~285 years, so
 *   arithmetic stays exact; LOBSTER's nanosecond stamps are truncated to µs at import.
 */
export type Price = number;
export type Money = number;
export type Quantity = number;
export type Micros = number;

export const PRICE_SCALE = 10_000;
export const MICROS_PER_MILLI = 1_000;
export const MICROS_PER_SECOND = 1_000_000;

/** Decimal → integer ten-thousandths, rounding half away from zero (the only rounding that is symmetric for sells). */
export function toPrice(decimal: number): Price {
  if (!Number.isFinite(decimal)) throw new RangeError(`price is not finite: ${decimal}`);
  const scaled = decimal * PRICE_SCALE;
  return scaled < 0 ? -Math.round(-scaled) : Math.round(scaled);
}

/** Integer ten-thousandths → decimal, for display and for adapters that must speak decimals (TWS). */
export function fromPrice(price: Price): number {
  return price / PRICE_SCALE;
}

export function formatPrice(price: Price, decimals = 4): string {
  return fromPrice(price).toFixed(decimals);
}

/** Money is the same unit as Price; a separate name keeps intent visible in signatures. */
export const toMoney = toPrice;
export const fromMoney = fromPrice;
export const formatMoney = (money: Money): string => fromPrice(money).toFixed(2);

/** Integer price × integer quantity stays exact below 2^53 (≈ $9e11 notional), far above any intraday position. */
export function notional(price: Price, quantity: Quantity): Money {
  return price * quantity;
}

export function isIntegerUnit(value: number): boolean {
  return Number.isSafeInteger(value);
}

/** Rounds a price to the instrument's tick: down for bids/sells-protection, up for asks. */
export function roundToTick(price: Price, tick: Price, direction: 'down' | 'up' | 'nearest' = 'nearest'): Price {
  const q = price / tick;
  const n = direction === 'down' ? Math.floor(q) : direction === 'up' ? Math.ceil(q) : Math.round(q);
  return n * tick;
}
