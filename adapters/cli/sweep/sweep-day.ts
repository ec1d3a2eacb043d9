import { DateTime } from 'luxon';
import { createHarvester } from '../../../core/di/container.js';
import { resolveConfig } from '../../../core/config/resolve-config.js';
import { sampleFromRow } from '../../../core/learning/sample-row.js';
import { builtinPlugins } from '../builtin-plugins.js';

export type Signal = 'planted' | 'none' | 'poisoned';

export interface SweepDayTask {
  /** Generator seed of the day and its index in the series (the calendar date advances with it). */
  seed: number;
  index: number;
  signal: Signal;
  /** Poisoned series: from this index on, the planted market's link is inverted. */
  flipAt: number;
  arm: 'learned' | 'static';
  /** SQLite file holding the arm's journal and memory (the learned arm keeps one across its days). */
  store: string;
  dataDir: string;
  baseDir: string;
  /** Extra `learning` settings (gate, monitor) for benches. */
  learning?: Record<string, unknown>;
}

export interface SweepTrade {
  r: number;
  mae: number;
  mfe: number;
  /** The decision-time shelf size ratio (for the hindsight oracle). */
  shelfSizeRatio: number | null;
}

export interface SweepDayResult {
  seed: number;
  index: number;
  arm: 'learned' | 'static';
  trades: SweepTrade[];
  promotions: number;
  rejections: number;
  evaluations: number;
  rollbacks: number;
  /** Every gate verdict of the day (version, pass, figures) for benches. */
  verdicts: Record<string, unknown>[];
  rollbackRows: Record<string, unknown>[];
  journalSha256: string;
}

const START_DATE = DateTime.fromISO('2024-03-04', { zone: 'America/New_York' });

/**
 * One generated day through the whole engine (replay feed, simulated broker, risk, LMP, SQLite journal), with the
 * learning loop on. The static arm runs the same loop with promotions off (maxPromotionsPerSession 0): it trades
 * exactly as static LMP (memory version 0 is no filter, no offsets) and still journals its samples, so both arms'
 * trades carry the same labels.
 */
export async function runSweepDay(t: SweepDayTask): Promise<SweepDayResult> {
  const date = START_DATE.plus({ days: t.index }).toISODate()!;
  const planted = t.signal !== 'none';
  const invert = t.signal === 'poisoned' && t.index >= t.flipAt;
  const monitor = { ...((t.learning?.monitor as Record<string, unknown>) ?? {}), ...(t.arm === 'static' ? { maxPromotionsPerSession: 0 } : {}) };
  const input = {
    mode: 'replay', seed: t.seed,
    session: { date, timeZone: 'America/New_York', start: '09:30', end: '11:15' },
    account: { currency: 'USD', startEquity: 100_000 },
    instruments: [{ symbol: 'HRVST', tick: 0.01 }],
    marketData: { use: 'replay', params: { generate: { symbol: 'HRVST', ...(planted ? { signal: 'planted', invert } : {}) } } },
    broker: { use: 'simulated', params: {} },
    store: { use: 'typeorm', params: { driver: 'sqlite', file: t.store } },
    learning: { learners: [{ use: 'meta-label' }], ...(t.learning ?? {}), monitor },
    risk: [
      { use: 'max-position', action: 'reject', params: { maxShares: 2_000, maxPositionValue: 50_000 } },
      { use: 'daily-loss', action: 'halt', params: {} },
    ],
    // More entries than the default 3 so a day yields enough labelled trades; both arms alike.
    strategies: [{ use: 'lmp', params: { symbol: 'HRVST', maxEntries: 8 } }],
    dataDir: t.dataDir,
  };
  const resolved = await resolveConfig(input, { builtins: await builtinPlugins(), baseDir: t.baseDir });
  const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
  const sessionId = `${t.arm}-${t.index}-s${t.seed}`;
  const runtime = await createHarvester(resolved, { sessionId, wallStartedAt: 'sweep', log: quiet });
  try {
    const result = await runtime.engine.run();
    const journal = runtime.journal;
    const trades: SweepTrade[] = [];
    for (const row of await journal.entries(sessionId, { kind: 'sample' })) {
      const s = sampleFromRow(row, sessionId);
      if (s === null || s.synthetic) continue;
      const i = s.featureNames.indexOf('dec.shelfSizeRatio');
      trades.push({ r: s.label.r, mae: s.label.mae, mfe: s.label.mfe, shelfSizeRatio: i < 0 ? null : s.features[i]! });
    }
    const events = await journal.entries(sessionId, { kind: 'event' });
    const verdicts = events.filter((e) => e.type === 'learning.gate').map((e) => ({ ...e.data }));
    const rollbackRows = events.filter((e) => e.type === 'learning.rollback').map((e) => ({ ...e.data }));
    return {
      seed: t.seed, index: t.index, arm: t.arm, trades,
      promotions: verdicts.filter((v) => v.promoted === true).length,
      rejections: verdicts.filter((v) => v.pass === false && v.forced !== true).length,
      evaluations: verdicts.length, rollbacks: rollbackRows.length, verdicts, rollbackRows,
      journalSha256: result.journalSha256,
    };
  } finally {
    await runtime.close();
  }
}

export default runSweepDay;
