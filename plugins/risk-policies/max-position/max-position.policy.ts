import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy, RiskReason } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { dollars, positionAfter, reason, referencePrice } from '../shared/policy-kit.js';
import type { MaxPositionParams } from './params.js';

/**
 * Caps the position an entry leaves behind: |position after| ≤ maxShares and |position after| × price ≤
 * maxPositionValue. Every failing cap is listed. Allowed entries carry the largest quantity both caps admit.
 */
export class MaxPositionPolicy implements RiskPolicy {
  readonly id = 'max-position';
  private readonly maxValue: number | undefined;

  constructor(private readonly params: Readonly<MaxPositionParams>) {
    this.maxValue = params.maxPositionValue === undefined ? undefined : dollars(params.maxPositionValue);
  }

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    if (intent.kind === 'exit') return ALLOW;
    const current = Math.abs(ctx.position(intent.symbol)?.quantity ?? 0);
    const after = Math.abs(positionAfter(intent, ctx));
    const reasons: RiskReason[] = [];
    let maxQty = Number.MAX_SAFE_INTEGER;
    const { maxShares } = this.params;
    if (maxShares !== undefined) {
      if (after > maxShares) reasons.push(reason('RISK.MAX_SHARES', 'max-position.maxShares', after, maxShares));
      maxQty = Math.min(maxQty, Math.max(0, maxShares - current));
    }
    if (this.maxValue !== undefined) {
      const price = referencePrice(intent, ctx);
      if (price === null) {
        reasons.push(
          reason('RISK.MAX_POSITION_VALUE', 'max-position.maxPositionValue', 0, this.maxValue, 'no price to value the position'),
        );
      } else {
        const value = after * price;
        if (value > this.maxValue) reasons.push(reason('RISK.MAX_POSITION_VALUE', 'max-position.maxPositionValue', value, this.maxValue));
        maxQty = Math.min(maxQty, Math.max(0, Math.floor(this.maxValue / price) - current));
      }
    }
    if (reasons.length > 0) return { action: 'reject', reasons, warnings: [] };
    return { action: 'allow', reasons: [], warnings: [], maxQty };
  }
}
