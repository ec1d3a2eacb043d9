import type { Micros, Price } from '../../core/domain/units.js';
import type { StrategyContext } from '../../ports/strategy.js';
import { type FeatureHistory, TRADE_FEATURES, featureNames } from './features.js';

export const SNAPSHOT_LABELS = ['T-3s', 'T-1s', 'entry', '+5s', '+15s', 'exit'] as const;
export type SnapshotLabel = (typeof SNAPSHOT_LABELS)[number];

/** Levels of the trade a snapshot belongs to (docs/lmp.md#feature-snapshots "entry/stop/TP levels, slippage and fill quality"). */
export interface TradeLevels {
  tradeId: string;
  decidedAt: Micros;
  limit: Price;
  stop: Price;
  tp1: Price;
  tp2: Price;
  /** Average fill price, 0 before the first fill. */
  fillPrice: Price;
  filledAt: Micros;
}

/**
 * Emits the feature snapshots of one trade through `ctx.snapshot`. T-3s and T-1s are read from the sampled
 * history relative to the entry decision; entry/+5s/+15s/exit are the live vector at that moment. Allocation
 * happens here only (six records per trade), never on the per-event path.
 */
export class SnapshotWriter {
  private readonly names: string[];
  /** +5s/+15s snapshots scheduled and not yet written: they read the live vector later, outside any book event. */
  pending = 0;

  constructor(
    private readonly ctx: StrategyContext<unknown>,
    private readonly history: FeatureHistory,
    topN: number,
    private readonly tick: Price,
  ) {
    this.names = featureNames(topN).slice(0, history.width);
  }

  /** Writes the pre-entry snapshots (T-3s, T-1s) and the entry snapshot; schedules +5s and +15s. */
  onEntryFill(levels: TradeLevels, live: Float64Array): void {
    for (const [label, back] of [
      ['T-3s', 3_000_000],
      ['T-1s', 1_000_000],
    ] as const) {
      const slot = this.history.slotAt(levels.decidedAt - back);
      if (slot < 0) continue;
      const rec: Record<string, number> = {};
      this.history.readInto(slot, this.names, rec);
      this.emit(label, levels, rec);
    }
    this.emitLive('entry', levels, live);
    const snap = { ...levels };
    this.pending += 2;
    this.ctx.clock.setTimeout(5_000_000, () => this.emitLater('+5s', snap, live), `lmp.snapshot+5s.${levels.tradeId}`);
    this.ctx.clock.setTimeout(15_000_000, () => this.emitLater('+15s', snap, live), `lmp.snapshot+15s.${levels.tradeId}`);
  }

  private emitLater(label: SnapshotLabel, levels: TradeLevels, live: Float64Array): void {
    this.pending--;
    this.emitLive(label, levels, live);
  }

  emitLive(label: SnapshotLabel, levels: TradeLevels, live: Float64Array): void {
    const rec: Record<string, number> = {};
    for (let c = 0; c < this.names.length; c++) rec[this.names[c]!] = live[c]!;
    this.emit(label, levels, rec);
  }

  private emit(label: SnapshotLabel, l: TradeLevels, rec: Record<string, number>): void {
    const [entryPrice, stopPrice, tp1Price, tp2Price, slippageTicks, fillDelaySec] = TRADE_FEATURES;
    rec[entryPrice] = l.limit;
    rec[stopPrice] = l.stop;
    rec[tp1Price] = l.tp1;
    rec[tp2Price] = l.tp2;
    // Positive slippage = paid above the limit's plan; for a buy limit it is ≤ 0 unless price improved the other way.
    rec[slippageTicks] = l.fillPrice > 0 ? (l.fillPrice - l.limit) / this.tick : 0;
    rec[fillDelaySec] = l.fillPrice > 0 ? (l.filledAt - l.decidedAt) / 1_000_000 : 0;
    this.ctx.snapshot(l.tradeId, label, rec);
  }
}
