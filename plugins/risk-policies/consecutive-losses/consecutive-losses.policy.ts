import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy, RiskReason, TradingState } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { halt, reason } from '../shared/policy-kit.js';
import type { ConsecutiveLossesParams } from './params.js';

/**
 * Ends the day after `max` losing trades in a row (card RISK-07, docs/conformance-cards.md#risk-07); `monitor` fires at the losing close
 * itself.
 */
export class ConsecutiveLossesPolicy implements RiskPolicy {
  readonly id = 'consecutive-losses';

  constructor(private readonly params: Readonly<ConsecutiveLossesParams>) {}

  private breach(ctx: RiskContext): RiskReason | null {
    const n = ctx.consecutiveLosses;
    return n >= this.params.max ? reason('RISK.CONSECUTIVE_LOSSES', 'consecutive-losses.max', n, this.params.max) : null;
  }

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    if (intent.kind === 'exit') return ALLOW;
    const r = this.breach(ctx);
    return r === null ? ALLOW : halt(r);
  }

  monitor(ctx: RiskContext): { to: TradingState; reason: RiskReason } | null {
    const r = this.breach(ctx);
    return r === null ? null : { to: 'HALT', reason: r };
  }
}
