import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { reason, reject } from '../shared/policy-kit.js';
import type { MaxTradesDayParams } from './params.js';

/**
 * Refuses an entry once `max` trades were entered today (card RISK-04, docs/conformance-cards.md#risk-04); the kernel resets
 * the count at the New York day.
 */
export class MaxTradesDayPolicy implements RiskPolicy {
  readonly id = 'max-trades-day';

  constructor(private readonly params: Readonly<MaxTradesDayParams>) {}

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    if (intent.kind === 'exit') return ALLOW;
    const observed = ctx.tradesToday;
    if (observed < this.params.max) return ALLOW;
    return reject(reason('RISK.MAX_TRADES_DAY', 'max-trades-day.max', observed, this.params.max));
  }
}
