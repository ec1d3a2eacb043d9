import type { Money, Price, Quantity } from './units.js';

/**
 * One symbol's position at average cost, in integers: the signed open quantity, its exact cost basis
 * (Σ price × signed qty, so negative for a short) and the realized PnL of the reductions so far.
 * The kernel's ledger, the simulated venue's account and the TWS adapter's holdings all keep this shape and move it
 * only through {@link applyFillToCost}, so the three can be reconciled to the unit.
 */
export interface CostBasis {
  quantity: Quantity;
  cost: Money;
  realized: Money;
}

export function emptyCostBasis(): CostBasis {
  return { quantity: 0, cost: 0, realized: 0 };
}

/**
 * `x` rounded to the nearest integer, halves away from zero (2.5 → 3, −2.5 → −3).
 * The one rounding rule for position maths (docs/position-cost.md): a short is the mirror image of the same long,
 * so its removed cost, realized PnL and average price are the long's with the sign flipped. `Math.round` rounds
 * −2.5 to −2 and would make a short's realized PnL differ by one unit from its mirrored long.
 */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * `n / d` for integers (d > 0), rounded half away from zero, exact whenever `n` is a safe integer: the remainder is
 * taken in integers, so a quotient near a half is never misjudged by a float division.
 */
export function divRoundHalfAway(n: number, d: number): number {
  let q = Math.trunc(n / d);
  let r = n - q * d;
  // The float quotient can miss by one when n / d lands within an ulp of an integer: bring r into (−d, d) with n's sign.
  if (n >= 0) {
    while (r < 0) {
      q--;
      r += d;
    }
    while (r >= d) {
      q++;
      r -= d;
    }
  } else {
    while (r > 0) {
      q++;
      r -= d;
    }
    while (r <= -d) {
      q--;
      r += d;
    }
  }
  return 2 * Math.abs(r) >= d ? q + (n < 0 ? -1 : 1) : q;
}

/** Average price of the open quantity (0 when flat), by the same rounding rule. */
export function averageCostPrice(b: CostBasis): Price {
  return b.quantity === 0 ? 0 : divRoundHalfAway(Math.sign(b.quantity) * b.cost, Math.abs(b.quantity));
}

/**
 * Applies a fill of `signed` units (buy > 0, sell < 0) at `price` to `b`; returns the realized PnL it produced.
 * Adding to (or opening) a position adds `price × signed` to the cost. Reducing removes the closed share of the cost,
 * rounded half away from zero, and realizes proceeds − removed cost (for a short, removed cost − proceeds);
 * what goes through flat opens a new position at this price.
 */
export function applyFillToCost(b: CostBasis, signed: Quantity, price: Price): Money {
  if (signed === 0) return 0;
  if (b.quantity === 0 || b.quantity > 0 === signed > 0) {
    b.quantity += signed;
    b.cost += price * signed;
    return 0;
  }
  const held = Math.abs(b.quantity);
  const qty = Math.abs(signed);
  const closing = Math.min(qty, held);
  const removed = divRoundHalfAway(b.cost * closing, held);
  const realized = Math.sign(b.quantity) * price * closing - removed;
  b.realized += realized;
  b.cost -= removed;
  b.quantity += signed;
  if (b.quantity === 0) b.cost = 0;
  const opening = qty - closing;
  if (opening > 0) b.cost = price * Math.sign(signed) * opening;
  return realized;
}
