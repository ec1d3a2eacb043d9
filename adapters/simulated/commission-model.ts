import type { Money, Price, Quantity } from '../../core/domain/units.js';

export interface CommissionParams {
  model: 'fixed' | 'tiered';
  /** Dollars per share. */
  perShare: number;
  /** Minimum and maximum per order execution; the maximum is a fraction of trade value. */
  minimum: number;
  maxFraction: number;
}

/** IBKR Pro US stocks (published schedule): fixed $0.005/share, min $1.00, max 1 % of trade value. */
export const IBKR_FIXED: CommissionParams = { model: 'fixed', perShare: 0.005, minimum: 1, maxFraction: 0.01 };
/** IBKR Pro tiered, lowest-volume tier ($0.0035/share, min $0.35), exchange and clearing fees folded in roughly. */
export const IBKR_TIERED: CommissionParams = { model: 'tiered', perShare: 0.0035 + 0.0003 + 0.0002, minimum: 0.35, maxFraction: 0.01 };

/** Commission of one execution in Money units (integer ten-thousandths), rounded half up. */
export function commissionFor(p: CommissionParams, quantity: Quantity, price: Price): Money {
  const perShare = Math.round(p.perShare * 10_000);
  const raw = perShare * quantity;
  const min = Math.round(p.minimum * 10_000);
  const max = Math.round(p.maxFraction * price * quantity);
  return Math.min(Math.max(raw, min), Math.max(max, 1));
}
