import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { reason, reject } from '../shared/policy-kit.js';
import type { MaxReentriesParams } from './params.js';

/**
 * Refuses an entry in a symbol already re-entered `max` times today; the first entry is not a re-entry
 * (card RISK-06, docs/conformance-cards.md#risk-06).
 */
export class MaxReentriesPolicy implements RiskPolicy {
  readonly id = 'max-reentries';

  constructor(private readonly params: Readonly<MaxReentriesParams>) {}

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    if (intent.kind === 'exit') return ALLOW;
    const observed = Math.max(0, ctx.entriesToday(intent.symbol) - 1);
    if (observed < this.params.max) return ALLOW;
    return reject(reason('RISK.MAX_REENTRIES', 'max-reentries.max', observed, this.params.max));
  }
}
