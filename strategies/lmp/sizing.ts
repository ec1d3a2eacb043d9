import type { Money, Price, Quantity } from '../../core/domain/units.js';

export interface SizingInput {
  equity: Money;
  /** Fraction of equity risked per trade (0.0025 = 0.25 %). */
  riskFraction: number;
  entry: Price;
  stop: Price;
  maxPositionValue: Money;
  maxShares: Quantity;
}

export interface Sizing {
  shares: Quantity;
  riskBudget: Money;
  stopDistance: Price;
  /** Which bound set the size. */
  boundBy: 'risk' | 'maxPositionValue' | 'maxShares' | 'invalid';
}

/**
 * Shares (docs/lmp.md#lmp-8) = floor(equity · r / stop distance), capped by max position value and max shares.
 * Invariants: integer result ≥ 0; 0 (boundBy 'invalid') when the stop is not below the entry or inputs are not
 * positive; shares · entry ≤ maxPositionValue and shares ≤ maxShares; shares · stopDistance ≤ equity · r.
 * Equity and prices share the same unit (ten-thousandths), so the ratio is unit-free.
 */
export function positionSize(i: SizingInput): Sizing {
  const stopDistance = i.entry - i.stop;
  const riskBudget = Math.floor(i.equity * i.riskFraction);
  if (!(stopDistance > 0) || !(i.entry > 0) || !(riskBudget > 0)) return { shares: 0, riskBudget, stopDistance, boundBy: 'invalid' };
  let shares = Math.floor(riskBudget / stopDistance);
  let boundBy: Sizing['boundBy'] = 'risk';
  const byValue = Math.floor(i.maxPositionValue / i.entry);
  if (byValue < shares) {
    shares = byValue;
    boundBy = 'maxPositionValue';
  }
  if (i.maxShares < shares) {
    shares = i.maxShares;
    boundBy = 'maxShares';
  }
  return { shares: Math.max(0, shares), riskBudget, stopDistance, boundBy };
}
