import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { reason, reject } from '../shared/policy-kit.js';
import type { MaxOrdersDayParams } from './params.js';

/** Refuses an entry once `max` orders were sent today (HV-014), a guard against a runaway strategy. */
export class MaxOrdersDayPolicy implements RiskPolicy {
  readonly id = 'max-orders-day';

  constructor(private readonly params: Readonly<MaxOrdersDayParams>) {}

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    if (intent.kind === 'exit') return ALLOW;
    const observed = ctx.ordersToday;
    if (observed < this.params.max) return ALLOW;
    return reject(reason('RISK.MAX_ORDERS_DAY', 'max-orders-day.max', observed, this.params.max));
  }
}
