import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { isPositivePrice, pctToPpm, ppmOf, reason, referencePrice, reject } from '../shared/policy-kit.js';
import type { RiskPerTradeParams } from './params.js';

/**
 * qty × |entry − stop| ≤ r × equity (docs/lmp.md#lmp-8). An entry without a valid protective stop (missing, equal to the
 * entry, or on the wrong side) is refused with RISK.INVALID_STOP: its risk cannot be bounded. Allowed entries carry
 * `maxQty = floor(r × equity / distance)`, the size the formula gives.
 */
export class RiskPerTradePolicy implements RiskPolicy {
  readonly id = 'risk-per-trade';
  private readonly ppm: number;

  constructor(private readonly params: Readonly<RiskPerTradeParams>) {
    this.ppm = pctToPpm(params.riskPct);
  }

  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision {
    if (intent.kind === 'exit') return ALLOW;
    const stop = intent.stopLoss;
    const entry = referencePrice(intent, ctx);
    if (!isPositivePrice(stop)) {
      return reject(
        reason('RISK.INVALID_STOP', 'risk-per-trade.stopLoss', typeof stop === 'number' ? stop : 0, 0, 'an entry needs a protective stop'),
      );
    }
    if (entry === null) {
      return reject(reason('RISK.RISK_PER_TRADE', 'risk-per-trade.entryPrice', 0, 0, 'no limit, trigger or quote to price the entry'));
    }
    const distance = intent.side === 'buy' ? entry - stop : stop - entry;
    if (distance <= 0) {
      return reject(
        reason('RISK.INVALID_STOP', 'risk-per-trade.stopLoss', stop, entry, `stop ${stop} is not on the protective side of entry ${entry}`),
      );
    }
    const equity = this.params.equity === 'start' ? ctx.startEquity : ctx.equity;
    const budget = ppmOf(Math.max(0, equity), this.ppm);
    const maxQty = Math.floor(budget / distance);
    const risk = intent.quantity * distance;
    if (risk > budget) return reject(reason('RISK.RISK_PER_TRADE', 'risk-per-trade.riskPct', risk, budget));
    return { action: 'allow', reasons: [], warnings: [], maxQty };
  }
}
