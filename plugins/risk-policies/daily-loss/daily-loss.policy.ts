import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy, RiskReason, TradingState } from '../../../ports/risk-policy.js';
import { ALLOW } from '../../../ports/risk-policy.js';
import { halt, pctToPpm, ppmOf, reason } from '../shared/policy-kit.js';
import type { DailyLossParams } from './params.js';

/**
 * Daily loss limit (docs/lmp.md#lmp-8, card RISK-02; docs/conformance-cards.md#risk-02): breached when dailyPnl ≤ −maxLossPct % ×
 * startEquity (the boundary itself breaches). `monitor` reports it at the price update that crosses it, not at the next intent.
 */
export class DailyLossPolicy implements RiskPolicy {
  readonly id = 'daily-loss';
  private readonly ppm: number;

  constructor(params: Readonly<DailyLossParams>) {
    this.ppm = pctToPpm(params.maxLossPct);
  }

  private breach(ctx: RiskContext): RiskReason | null {
    const threshold = -ppmOf(Math.max(0, ctx.startEquity), this.ppm);
    return ctx.dailyPnl <= threshold ? reason('RISK.DAILY_LOSS', 'daily-loss.maxLossPct', ctx.dailyPnl, threshold) : null;
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
