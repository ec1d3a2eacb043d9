import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { reason, reject } from '../shared/policy-kit.js';
import type { MaxOpenPositionsParams } from './params.js';

/**
 * Refuses an entry that would open a position in a new symbol while `max` symbols are already held
 * (card RISK-03, docs/conformance-cards.md#risk-03). Adding to a held symbol opens nothing and is left to the size policies.
 */
export class MaxOpenPositionsPolicy implements RiskPolicy {
  readonly id = 'max-open-positions';

  constructor(private readonly params: Readonly<MaxOpenPositionsParams>) {}

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    if (intent.kind === 'exit') return ALLOW;
    if ((ctx.position(intent.symbol)?.quantity ?? 0) !== 0) return ALLOW;
    let open = 0;
    for (const p of ctx.positions) if (p.quantity !== 0) open++;
    if (open < this.params.max) return ALLOW;
    return reject(reason('RISK.MAX_OPEN_POSITIONS', 'max-open-positions.max', open, this.params.max));
  }
}
