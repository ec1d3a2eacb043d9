import type { Micros } from '../../core/domain/units.js';
import type { PlannedBracket, StrategyContext } from '../../ports/strategy.js';
import { type EntryLevels, entryLevels } from './entry.js';
import { GhostArm } from './ghost-arm.js';
import { decisionFeatures } from './learning-features.js';
import type { LmpMetrics } from './metrics.js';
import type { LmpConfig, LmpParams } from './params.js';
import { positionSize } from './sizing.js';

/**
 * What the strategy tells the learner about its triggers (`ctx.trigger`): the planned bracket of every trigger,
 * taken or not, and the shadow path that keeps labelling triggers while the entry cap or a cooldown blocks the real
 * one (ghost brackets, docs/lmp.md#lmp). Separate from lmp.strategy.ts because none of it gates, sends or manages an
 * order: it only reports, so the trading phases can be read without the labelling beside them.
 */
export class LmpTriggerReports {
  private readonly ghostArm = new GhostArm();
  private ghostSeq = 0;

  constructor(
    private readonly ctx: StrategyContext<LmpParams>,
    private readonly id: string,
    private readonly config: LmpConfig,
    private readonly metrics: LmpMetrics,
  ) {}

  /** The real path armed: the shadow path starts over when it is blocked again. */
  resetShadow(): void {
    this.ghostArm.reset();
  }

  /** While the cap or a cooldown blocks the real path, a trigger of the shadow path is reported, not taken. */
  shadow(now: Micros, why: 'maxEntries' | 'cooldown'): void {
    const s = this.metrics.state;
    const c = this.config;
    const p = c.p;
    if (!this.ghostArm.step(now, s, c, this.metrics.impulseLow, this.metrics.impulseHigh)) return;
    const lv = entryLevels({
      bestAsk: s.bestAsk,
      shelfPrice: s.shelfPrice,
      swingLow: this.ghostArm.swingLow,
      tick: p.tick,
      volatilityTicks: s.volatilityTicks,
      stopBufferMinTicks: p.stopBufferMinTicks,
      stopBufferMaxTicks: p.stopBufferMaxTicks,
      tp1R: p.tp1R,
      tp2R: p.tp2R,
    });
    const size = positionSize({
      equity: this.ctx.equity(),
      riskFraction: p.riskFraction,
      entry: lv.limit,
      stop: lv.stop,
      maxPositionValue: c.maxPositionValue,
      maxShares: p.maxShares,
    });
    this.ghost(
      why,
      lv,
      Math.max(0, size.shares),
      decisionFeatures(this.metrics.history, this.metrics.live, now, p.topN, p.tick, lv, s.bestAsk),
    );
  }

  /** A trigger not taken (skipped by a filter or the size, or a shadow one), under a fresh ghost id. */
  ghost(outcome: string, lv: EntryLevels, quantity: number, features: Record<string, number>): void {
    this.report(this.ghostId(), false, outcome, lv, quantity, features);
  }

  report(triggerId: string, taken: boolean, outcome: string, lv: EntryLevels, quantity: number, features: Record<string, number>): void {
    const p = this.config.p;
    const bracket: PlannedBracket = {
      side: 'long',
      entry: lv.limit,
      stop: lv.stop,
      tp1: lv.tp1,
      tp2: lv.tp2,
      tp1Fraction: p.tp1Fraction,
      breakEven: lv.limit + p.breakEvenBufferTicks * p.tick,
      timeStop: this.config.timeStop,
      timeStopR: p.timeStopR,
      maxWait: this.config.entryMaxWait,
      quantity,
      tick: p.tick,
    };
    this.ctx.trigger({ symbol: p.symbol, triggerId, taken, outcome, setupReason: 'lmp-pullback', bracket, features });
  }

  private ghostId(): string {
    this.ghostSeq++;
    return `${this.id}-${this.config.p.symbol}-g${this.ghostSeq}`;
  }
}
