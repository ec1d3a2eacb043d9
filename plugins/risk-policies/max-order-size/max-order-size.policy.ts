import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy, RiskReason } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { dollars, reason, referencePrice } from '../shared/policy-kit.js';
import type { MaxOrderSizeParams } from './params.js';

/** Fat-finger guard on one entry order (HV-014): quantity and notional caps; both failures are listed. */
export class MaxOrderSizePolicy implements RiskPolicy {
  readonly id = 'max-order-size';
  private readonly maxNotional: number | undefined;

  constructor(private readonly params: Readonly<MaxOrderSizeParams>) {
    this.maxNotional = params.maxNotional === undefined ? undefined : dollars(params.maxNotional);
  }

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    if (intent.kind === 'exit') return ALLOW;
    const reasons: RiskReason[] = [];
    const { maxQuantity } = this.params;
    if (maxQuantity !== undefined && intent.quantity > maxQuantity) {
      reasons.push(reason('RISK.MAX_ORDER_QUANTITY', 'max-order-size.maxQuantity', intent.quantity, maxQuantity));
    }
    if (this.maxNotional !== undefined) {
      const price = referencePrice(intent, ctx);
      if (price === null) {
        reasons.push(reason('RISK.MAX_ORDER_NOTIONAL', 'max-order-size.maxNotional', 0, this.maxNotional, 'no price to value the order'));
      } else if (price * intent.quantity > this.maxNotional) {
        reasons.push(reason('RISK.MAX_ORDER_NOTIONAL', 'max-order-size.maxNotional', price * intent.quantity, this.maxNotional));
      }
    }
    return reasons.length === 0 ? ALLOW : { action: 'reject', reasons, warnings: [] };
  }
}
