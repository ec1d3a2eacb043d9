import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { MICROS_PER_SECOND } from '../../../core/domain/units.js';
import { reason, reject } from '../shared/policy-kit.js';
import type { CooldownAfterStopParams } from './params.js';

/**
 * No entry in a symbol within `seconds` of its last stop-out
 * (card RISK-06: 179 s refused, 180 s allowed; docs/conformance-cards.md#risk-06). Only a stop starts a cooldown; the tracker's
 * `lastStopOutAt` ignores take-profit exits. Observed/threshold are seconds.
 */
export class CooldownAfterStopPolicy implements RiskPolicy {
  readonly id = 'cooldown-after-stop';
  private readonly cooldown: number;

  constructor(private readonly params: Readonly<CooldownAfterStopParams>) {
    this.cooldown = params.seconds * MICROS_PER_SECOND;
  }

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    if (intent.kind === 'exit') return ALLOW;
    const at = ctx.lastStopOutAt(intent.symbol);
    if (at === null) return ALLOW;
    const elapsed = ctx.now - at;
    if (elapsed >= this.cooldown) return ALLOW;
    return reject(reason('RISK.COOLDOWN', 'cooldown-after-stop.seconds', Math.floor(elapsed / MICROS_PER_SECOND), this.params.seconds));
  }
}
