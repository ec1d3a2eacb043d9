import type { Micros } from '../domain/units.js';
import type { Journal } from '../../ports/journal.js';
import type { TrainingSample } from '../../ports/learner.js';
import type { MemoryStore } from '../../ports/memory-store.js';
import type { ClosedTrade, TriggerRecord } from '../../ports/strategy.js';
import type { ActiveMemory, LoopLearner } from './active-memory.js';
import type { LearningConfig } from './learning-config.js';
import { LearningPipeline } from './pipeline.js';
import { SAMPLE_ROW_TYPE, sampleFromRow } from './sample-row.js';
import { TradeSampleRecorder } from './trade-samples.js';

export interface LearningLoopDeps {
  sessionId: string;
  learners: readonly LoopLearner[];
  config: LearningConfig;
  seed: number;
  store: MemoryStore;
  journal: Journal;
  holder: { current: ActiveMemory | null };
  write(kind: 'event' | 'sample', type: string, data: Record<string, unknown>, keys?: { tradeId?: string; strategyId?: string; symbol?: string }): void;
  post(task: () => void): void;
  canPromote(): boolean;
  learningUnstable(reason: string): void;
  dailyLossLimit: number;
  now(): Micros;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Learning is on when a learner other than `none` is configured. */
export function learningEnabled(learners: readonly { id: string }[]): boolean {
  return learners.some((l) => l.id !== 'none');
}

/**
 * The session's learning loop: samples from triggers and closed trades, journaled, fed to the pipeline. The
 * engine calls `start` before the first event, `onTrigger`/`onTradeClosed` from the loop and `flush` at the end.
 */
export class LearningLoop {
  readonly pipeline: LearningPipeline;
  private readonly recorder: TradeSampleRecorder;

  constructor(private readonly d: LearningLoopDeps) {
    this.recorder = new TradeSampleRecorder(d.sessionId);
    this.pipeline = new LearningPipeline({
      learners: d.learners, config: d.config, seed: d.seed, store: d.store, holder: d.holder,
      journal: (type, data) => d.write('event', type, data), post: d.post, canPromote: d.canPromote,
      learningUnstable: d.learningUnstable, dailyLossLimit: d.dailyLossLimit, now: d.now, warn: d.warn,
    });
  }

  /** Earlier sessions' samples (the rolling window survives restarts and days), the stored memory, then go. */
  async start(): Promise<void> {
    const samples: TrainingSample[] = [];
    const sessions = await this.d.journal.sessions(50);
    for (const s of sessions) {
      if (s.sessionId === this.d.sessionId) continue;
      for (const row of await this.d.journal.entries(s.sessionId, { kind: 'sample' })) {
        const sample = sampleFromRow(row);
        if (sample !== null) samples.push(sample);
      }
    }
    samples.sort((a, b) => a.decidedAt - b.decidedAt || (a.sampleId < b.sampleId ? -1 : a.sampleId > b.sampleId ? 1 : 0));
    const latest = await this.d.store.loadLatest();
    const versions = await this.d.store.list();
    const highest = versions.reduce((m, v) => Math.max(m, v.version), 0);
    this.pipeline.start(
      samples.slice(-this.d.config.window.max),
      latest === null ? null : { version: latest.meta.version, checksum: latest.meta.checksum, createdAt: latest.meta.createdAt, content: latest.content },
      highest,
    );
  }

  onTrigger(strategyId: string, record: TriggerRecord): void {
    this.recorder.onTrigger(strategyId, record, this.d.now(), this.d.holder.current?.version ?? null);
  }

  onTradeClosed(t: ClosedTrade): void {
    const got = this.recorder.onClosed(t);
    if (got === null) return;
    this.d.write('sample', SAMPLE_ROW_TYPE, { ...got.sample, memoryVersion: got.memoryVersion }, { tradeId: t.tradeId, strategyId: t.strategyId, symbol: t.symbol });
    this.pipeline.onSample(got.sample, got.memoryVersion, t.netPnl);
  }

  flush(): Promise<void> {
    return this.pipeline.flush();
  }
}
