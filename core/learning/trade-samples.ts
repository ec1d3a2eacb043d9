import type { Micros } from '../domain/units.js';
import type { TrainingSample } from '../../ports/learner.js';
import type { ClosedTrade, TriggerRecord } from '../../ports/strategy.js';

interface Pending {
  record: TriggerRecord;
  decidedAt: Micros;
  memoryVersion: number | null;
}

/**
 * Interim sample source of the loop: a taken trigger joined with its closed trade gives one real TrainingSample,
 * R = net PnL / (|entry − stop| × quantity). Excursions (MAE/MFE) and ghost brackets for triggers not taken are
 * the sample assembler's (core/learning samples, branch learning-core); until it is wired here, MAE and MFE are 0
 * and the gate's MAE bound cannot bind.
 */
export class TradeSampleRecorder {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly sessionId: string) {}

  onTrigger(strategyId: string, record: TriggerRecord, now: Micros, memoryVersion: number | null): void {
    if (!record.taken) return;
    this.pending.set(`${strategyId}\u0000${record.triggerId}`, { record, decidedAt: now, memoryVersion });
  }

  /** The sample of a closed trade and the memory version its entry decision used, or null if it had no trigger. */
  onClosed(t: ClosedTrade): { sample: TrainingSample; memoryVersion: number | null } | null {
    const key = `${t.strategyId}\u0000${t.tradeId}`;
    const p = this.pending.get(key);
    if (p === undefined) return null;
    this.pending.delete(key);
    const riskPerShare = Math.abs(p.record.bracket.entry - p.record.bracket.stop);
    const risk = riskPerShare * t.quantity;
    const r = risk > 0 ? Math.round((t.netPnl / risk) * 1e6) / 1e6 : 0;
    const names = Object.keys(p.record.features).sort();
    const sample: TrainingSample = {
      sampleId: `${this.sessionId}:${t.tradeId}`, tradeId: t.tradeId, sessionId: this.sessionId, strategyId: t.strategyId, symbol: t.symbol,
      decidedAt: p.decidedAt, closedAt: t.exitTime, synthetic: false, weight: 1,
      featureNames: names, features: names.map((n) => p.record.features[n]!),
      label: {
        r, mae: 0, mfe: 0, win: r > 0, timeInTrade: (t.exitTime - t.entryTime) / 1_000_000, exitReason: t.exitReason,
        setupReason: p.record.setupReason, forced: t.exitReason === 'session-end' || t.exitReason.startsWith('kill-switch') ? (t.exitReason === 'session-end' ? 'session-end' : 'kill-switch') : null, capped: false,
      },
    };
    return { sample, memoryVersion: p.memoryVersion };
  }
}
