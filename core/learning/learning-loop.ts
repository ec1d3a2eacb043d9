import type { Micros } from '../domain/units.js';
import type { Journal } from '../../ports/journal.js';
import type { TrainingSample } from '../../ports/learner.js';
import type { MemoryStore } from '../../ports/memory-store.js';
import type { ClosedTrade } from '../../ports/strategy.js';
import type { Disposer } from '../../ports/create-token.js';
import type { ActiveMemory, LoopLearner } from './active-memory.js';
import type { LearningConfig } from './learning-config.js';
import { LearningPipeline } from './pipeline.js';
import { sampleFromRow } from './sample-row.js';
import type { LearningRowType } from '../domain/journal-rows.js';

export interface LearningLoopDeps {
  sessionId: string;
  learners: readonly LoopLearner[];
  config: LearningConfig;
  seed: number;
  store: MemoryStore;
  journal: Journal;
  holder: { current: ActiveMemory | null };
  /** The session's sample recorder (core/learning/sample-recorder.ts): real trades and ghost brackets. */
  samples: { onSample(listener: (s: TrainingSample) => void): Disposer };
  write(
    kind: 'event',
    type: LearningRowType,
    data: Record<string, unknown>,
    keys?: { tradeId?: string; strategyId?: string; symbol?: string },
  ): void;
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
 * The session's learning loop: the recorder's samples (already journaled there) feed the pipeline. The engine calls
 * `start` before the first event, `onTradeClosed` from the loop (before the recorder turns the trade into a sample,
 * so its net PnL is known to the monitor) and `flush` at the end.
 */
export class LearningLoop {
  readonly pipeline: LearningPipeline;
  private readonly pnl = new Map<string, number>();
  private detach: Disposer | null = null;

  constructor(private readonly d: LearningLoopDeps) {
    this.pipeline = new LearningPipeline({
      learners: d.learners,
      config: d.config,
      seed: d.seed,
      store: d.store,
      holder: d.holder,
      journal: (type, data) => d.write('event', type, data),
      post: d.post,
      canPromote: d.canPromote,
      learningUnstable: d.learningUnstable,
      dailyLossLimit: d.dailyLossLimit,
      now: d.now,
      warn: d.warn,
    });
  }

  /** Earlier sessions' samples (the rolling window survives restarts and days), the stored memory, then go. */
  async start(): Promise<void> {
    const samples: TrainingSample[] = [];
    const denied: string[] = [];
    /** Version → Clock time of the gate verdict that promoted it (the monitor's fresh samples start there). */
    const promotedAt = new Map<number, number>();
    const sessions = await this.d.journal.sessions(50);
    for (const s of sessions) {
      if (s.sessionId === this.d.sessionId) continue;
      for (const row of await this.d.journal.entries(s.sessionId, { kind: 'sample' })) {
        const sample = sampleFromRow(row, s.sessionId);
        if (sample !== null) samples.push(sample);
      }
      // The deny-list outlives the session: a version rolled back once is never in force again.
      for (const row of await this.d.journal.entries(s.sessionId, { kind: 'event' })) {
        if (row.type === 'learning.rollback' && typeof row.data.fromChecksum === 'string') denied.push(row.data.fromChecksum);
        if (row.type === 'learning.gate' && row.data.promoted === true && typeof row.data.version === 'number')
          promotedAt.set(row.data.version, row.time);
      }
    }
    samples.sort((a, b) => a.decidedAt - b.decidedAt || (a.sampleId < b.sampleId ? -1 : a.sampleId > b.sampleId ? 1 : 0));
    const latest = await this.d.store.loadLatest();
    const versions = await this.d.store.list();
    const highest = versions.reduce((m, v) => Math.max(m, v.version), 0);
    // The promoted version before the one in force: where a rollback returns to.
    const before = latest === null ? undefined : versions.find((v) => v.status === 'promoted' && v.version < latest.meta.version);
    const got = before === undefined ? null : await this.d.store.get(before.version);
    this.pipeline.start(
      samples.slice(-this.d.config.window.max),
      latest === null
        ? null
        : { version: latest.meta.version, checksum: latest.meta.checksum, createdAt: latest.meta.createdAt, content: latest.content },
      highest,
      got === null || !got.ok
        ? null
        : {
            version: got.value.meta.version,
            checksum: got.value.meta.checksum,
            createdAt: got.value.meta.createdAt,
            content: got.value.content,
          },
      denied.sort(),
      promotedAt,
    );
    this.detach = this.d.samples.onSample((sample) => {
      const netPnl = this.pnl.get(sample.tradeId) ?? 0;
      this.pnl.delete(sample.tradeId);
      this.pipeline.onSample(sample, netPnl);
    });
  }

  onTradeClosed(t: ClosedTrade): void {
    this.pnl.set(t.tradeId, t.netPnl);
  }

  flush(): Promise<void> {
    this.detach?.();
    return this.pipeline.flush();
  }
}
