import type { MonitorParams } from './learning-params.js';

export type MonitorTrigger = 'cusum' | 'drawdown' | 'daily-loss-share';

export interface MonitorReading {
  trades: number;
  cumulativeR: number;
  cusum: number;
  lossSincePromotion: number;
}

/**
 * Watches realised R after a promotion (docs/trading-safety.md#learning-guardrails "auto-rollback on rapid PnL deterioration"). Three
 * triggers: Page-Hinkley on R (a sustained drop of the running mean: m_t = Σ(x − mean_t + δ), trigger when max(m) − m_t > λ),
 * a cumulative R at or below −drawdownR within the first drawdownTrades trades, and a loss since promotion of at
 * least a share of the daily loss limit. Counts only trades decided under the promoted version.
 *
 * The drift test is the one-sided CUSUM in Page-Hinkley form against what the builder saw of the version
 * (`expectedR`: its mean R on the training samples it takes, memory-builder.ts — part of the content, so a rebuild
 * re-derives it; the holdout is not): m = max(0, m + expected − r − δ), trigger when m > λ. Being in-sample, the
 * reference is if anything optimistic, which makes the CUSUM fire sooner, not later (docs/learning.md). A detector
 * against the stream's own running mean would miss a version that is bad from its first trade on. The pipeline
 * adds a fourth trigger, the filter's score–outcome relation (core/learning/score-relation.ts).
 */
export class PostPromotionMonitor {
  private n = 0;
  private m = 0;
  private cumR = 0;
  private loss = 0;

  constructor(
    private readonly p: MonitorParams,
    private readonly dailyLossLimit: number,
    private readonly expectedR: number,
  ) {}

  /** One closed trade: its R and net PnL (Money units). Returns the trigger that fired, if any. */
  observe(r: number, netPnl: number): MonitorTrigger | null {
    this.n++;
    this.m = Math.max(0, this.m + this.expectedR - r - this.p.deltaR);
    this.cumR += r;
    this.loss -= netPnl;
    if (this.m > this.p.lambdaR) return 'cusum';
    if (this.n <= this.p.drawdownTrades && this.cumR <= -this.p.drawdownR) return 'drawdown';
    if (this.dailyLossLimit > 0 && this.loss >= this.p.dailyLossShare * this.dailyLossLimit) return 'daily-loss-share';
    return null;
  }

  reading(): MonitorReading {
    return { trades: this.n, cumulativeR: this.cumR, cusum: this.m, lossSincePromotion: this.loss };
  }
}
