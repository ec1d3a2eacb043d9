import { z } from 'zod';
import type { Price, Quantity } from '../../../core/domain/units.js';
import { toMoney } from '../../../core/domain/units.js';
import type { RiskCode } from '../../../core/domain/error-codes.js';
import { MAX_DOLLARS } from '../../../core/config/root-schema.js';
import type { OrderIntent, RiskContext, RiskDecision, RiskReason } from '../../../ports/risk-policy.js';

/**
 * Helpers shared by the built-in risk policies. Every policy:
 * - returns values (never throws on bad input; the gate would halt on a throw);
 * - never blocks an exit (`intent.kind === 'exit'`): whatever limits entries must not trap a position;
 * - works in integers: Price/Money ten-thousandths, shares, µs. Percent params become parts per million once.
 */

export function reason(code: RiskCode, limit: string, observed: number, threshold: number, message?: string): RiskReason {
  return message === undefined ? { code, limit, observed, threshold } : { code, limit, observed, threshold, message };
}

export function reject(...reasons: RiskReason[]): RiskDecision {
  return { action: 'reject', reasons, warnings: [] };
}

/** For limits whose breach means the day is over (daily loss, losing streak); the configured action still rules. */
export function halt(...reasons: RiskReason[]): RiskDecision {
  return { action: 'halt', reasons, warnings: [] };
}

/** Percent (e.g. 0.25) → integer parts per million (2 500), so that `equity × ppm / 1e6` is one integer division. */
export function pctToPpm(pct: number): number {
  return Math.round(pct * 10_000);
}

/** floor(amount × ppm / 10⁶) with integers; amounts up to ~$3.6 bn stay below 2^53 at 100 % (10⁶ ppm). */
export function ppmOf(amount: number, ppm: number): number {
  return Math.floor((amount * ppm) / 1_000_000);
}

/** Dollars in params (readable config) → Money units at creation time, never on the hot path. */
export function dollars(value: number): number {
  return toMoney(value);
}

/**
 * The price an entry is expected to trade at: its limit, else its trigger, else the touch it would cross
 * (ask for a buy, bid for a sell). Null when nothing is known: callers fail closed.
 */
export function referencePrice(intent: OrderIntent, ctx: RiskContext): Price | null {
  if (isPositivePrice(intent.limitPrice)) return intent.limitPrice;
  if (isPositivePrice(intent.triggerPrice)) return intent.triggerPrice;
  const q = ctx.quote(intent.symbol);
  if (q === null) return null;
  const p = intent.side === 'buy' ? q.ask : q.bid;
  return isPositivePrice(p) ? p : null;
}

export function isPositivePrice(p: unknown): p is Price {
  return typeof p === 'number' && Number.isSafeInteger(p) && p > 0;
}

export function isPositiveQuantity(q: unknown): q is Quantity {
  return typeof q === 'number' && Number.isSafeInteger(q) && q > 0;
}

/** Signed position after the intent fills completely. */
export function positionAfter(intent: OrderIntent, ctx: RiskContext): number {
  const current = ctx.position(intent.symbol)?.quantity ?? 0;
  return current + (intent.side === 'buy' ? intent.quantity : -intent.quantity);
}

/** Params helpers so every policy states its limits the same way. */
/** Shares and counts: a positive integer, at most 10 million (far above any intraday size, far below 2^53). */
export const MAX_COUNT = 10_000_000;
export const positiveInt = () => z.number().int().positive().max(MAX_COUNT, `at most ${MAX_COUNT}`);
/**
 * A dollar amount in params: positive and at most $1 billion, so it converts to an exact integer of
 * ten-thousandths (core/domain/units.ts) and its products with percents stay exact (ppmOf).
 */
export const dollarAmount = () => z.number().positive().max(MAX_DOLLARS, `at most ${MAX_DOLLARS} (1 billion)`);
export const percent = () => z.number().positive().max(100);
