import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy, RiskReason } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { isPositivePrice, reason, reject } from '../shared/policy-kit.js';
import type { PriceSanityParams } from './params.js';

/**
 * An entry needs a sane, fresh quote: one exists, is not crossed or locked, is no older than maxQuoteAgeMs
 * (RISK.STALE_DATA, observed/threshold in ms), its spread is within maxSpreadBps (RISK.SPREAD), and the entry's
 * limit/trigger lies within maxDeviationBps of the mid (RISK.PRICE_SANITY). Basis points are compared in integers
 * scaled by the doubled mid, so no float enters the comparison of prices.
 */
export class PriceSanityPolicy implements RiskPolicy {
  readonly id = 'price-sanity';

  constructor(private readonly params: Readonly<PriceSanityParams>) {}

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    if (intent.kind === 'exit') return ALLOW;
    const p = this.params;
    const q = ctx.quote(intent.symbol);
    if (q === null || !isPositivePrice(q.bid) || !isPositivePrice(q.ask)) {
      return reject(reason('RISK.PRICE_SANITY', 'price-sanity.quote', 0, 1, `no quote for ${intent.symbol}`));
    }
    const reasons: RiskReason[] = [];
    const ageMs = Math.floor((ctx.now - q.time) / 1000);
    if (ageMs > p.maxQuoteAgeMs) reasons.push(reason('RISK.STALE_DATA', 'price-sanity.maxQuoteAgeMs', ageMs, p.maxQuoteAgeMs));
    if (q.bid >= q.ask) {
      reasons.push(reason('RISK.PRICE_SANITY', 'price-sanity.crossed', q.bid, q.ask, 'the book is crossed or locked'));
      return { action: 'reject', reasons, warnings: [] };
    }
    const twiceMid = q.bid + q.ask;
    const spread = q.ask - q.bid;
    // spread / mid × 10⁴ = spread × 2·10⁴ / (bid + ask)
    if (spread * 20_000 > p.maxSpreadBps * twiceMid) {
      reasons.push(reason('RISK.SPREAD', 'price-sanity.maxSpreadBps', Math.round((spread * 20_000) / twiceMid), p.maxSpreadBps));
    }
    const price = isPositivePrice(intent.limitPrice)
      ? intent.limitPrice
      : isPositivePrice(intent.triggerPrice)
        ? intent.triggerPrice
        : null;
    if (price !== null) {
      const dev = Math.abs(2 * price - twiceMid);
      if (dev * 10_000 > p.maxDeviationBps * twiceMid) {
        reasons.push(reason('RISK.PRICE_SANITY', 'price-sanity.maxDeviationBps', Math.round((dev * 10_000) / twiceMid), p.maxDeviationBps));
      }
    }
    return reasons.length === 0 ? ALLOW : { action: 'reject', reasons, warnings: [] };
  }
}
