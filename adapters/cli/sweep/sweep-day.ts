import { DateTime } from 'luxon';
import { createHarvester } from '../../../core/di/container.js';
import { type ResolvedConfig, resolveConfig } from '../../../core/config/resolve-config.js';
import { sampleFromRow } from '../../../core/learning/sample-row.js';
import { builtinPlugins } from '../builtin-plugins.js';
import type { PlantedVersion } from '../../replay/generator/planted.js';

/** `null`: the null market (no observable carries the outcome); `none`: the v2 default market. */
export type Signal = 'planted' | 'none' | 'poisoned' | 'null';

export interface SweepDayTask {
  /** Generator seed of the day and its index in the series (the calendar date advances with it). */
  seed: number;
  index: number;
  signal: Signal;
  /** Planted and poisoned only: the planted market's version (absent: the generator's default). */
  plantedVersion?: PlantedVersion;
  /** Poisoned series: from this index on, the planted market's link is inverted. */
  flipAt: number;
  arm: 'learned' | 'static';
  /** SQLite file holding the arm's journal and memory (the learned arm keeps one across its days). */
  store: string;
  dataDir: string;
  baseDir: string;
  /** Extra `learning` settings (gate, monitor) for benches. */
  learning?: Record<string, unknown>;
  /** Benches: play this recording instead of a generated day, on this session, with these extra LMP params. */
  recording?: string;
  session?: { date: string; start: string; end: string };
  lmp?: Record<string, unknown>;
  symbol?: string;
}

export interface SweepTrade {
  r: number;
  mae: number;
  mfe: number;
  /** The decision-time shelf size ratio (for the hindsight oracle). */
  shelfSizeRatio: number | null;
  /** The label's exit reason (stop, tp2, time-stop, …), for benches that explain a market's R. */
  exit: string;
  /** When the entry was decided (Clock µs), to place a trade between a promotion and a rollback. */
  decidedAt: number;
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
  /** The re-judgement of the stored version at startup, if any. */
  loadRows: Record<string, unknown>[];
  /** Memory version in force at the start, and the one the first entry decision named. */
  startVersion: number | null;
  firstEntryMemoryVersion: number | null | undefined;
  /** Every memory-filter score the day's entry decisions recorded. */
  filterScores: number[];
  journalSha256: string;
}

/**
 * The sweep's filter: meta-label on every decision-time column (the learner's default: all `tm3s.`/`tm1s.`/`dec.`
 * columns, standardised — no hand-picked subset), with a strong L2 penalty. About 45 columns against the 50–200
 * samples of the window overfit at the default penalty (holdout Brier 0.36 against 0.23 for the base rate, measured
 * on 14 planted days); 30 is the curvature ~120 samples put on one standardised weight (n · p(1 − p) ≈ n / 4), so
 * no single column moves the score unless the window agrees on it.
 */
export const SWEEP_META_LABEL = { l2: 30, minSamples: 20 };

const START_DATE = DateTime.fromISO('2024-03-04', { zone: 'America/New_York' });

/**
 * One generated day through the whole engine (replay feed, simulated broker, risk, LMP, SQLite journal), with the
 * learning loop on. The static arm runs the same loop with promotions off (maxPromotionsPerSession 0): it trades
 * exactly as static LMP (memory version 0 is no filter, no offsets) and still journals its samples, so both arms'
 * trades carry the same labels.
 */
export async function runSweepDay(t: SweepDayTask): Promise<SweepDayResult> {
  const resolved = await resolveSweepDay(t);
  const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
  const sessionId = `${t.arm}-${t.index}-s${t.seed}`;
  const runtime = await createHarvester(resolved, { sessionId, wallStartedAt: 'sweep', log: quiet });
  try {
    return await collect(t, sessionId, runtime);
  } finally {
    await runtime.close();
  }
}

/** The resolved config of one sweep day (also what `memory rebuild` needs to recreate the day's learners). */
export async function resolveSweepDay(t: SweepDayTask): Promise<ResolvedConfig> {
  const date = START_DATE.plus({ days: t.index }).toISODate()!;
  const planted = t.signal === 'planted' || t.signal === 'poisoned';
  const invert = t.signal === 'poisoned' && t.index >= t.flipAt;
  const monitor = {
    ...((t.learning?.monitor as Record<string, unknown>) ?? {}),
    ...(t.arm === 'static' ? { maxPromotionsPerSession: 0 } : {}),
  };
  const input = {
    mode: 'replay',
    seed: t.seed,
    session: {
      date: t.session?.date ?? date,
      timeZone: 'America/New_York',
      start: t.session?.start ?? '09:30',
      end: t.session?.end ?? '11:15',
    },
    account: { currency: 'USD', startEquity: 100_000 },
    instruments: [{ symbol: t.symbol ?? 'HRVST', tick: 0.01 }],
    marketData: {
      use: 'replay',
      params:
        t.recording !== undefined
          ? { recording: t.recording }
          : {
              generate: {
                symbol: 'HRVST',
                ...(planted
                  ? { signal: 'planted', invert, ...(t.plantedVersion === undefined ? {} : { plantedVersion: t.plantedVersion }) }
                  : t.signal === 'null'
                    ? { signal: 'null' }
                    : {}),
              },
            },
    },
    broker: { use: 'simulated', params: {} },
    store: { use: 'typeorm', params: { driver: 'sqlite', file: t.store } },
    learning: { learners: [{ use: 'meta-label', params: SWEEP_META_LABEL }], ...(t.learning ?? {}), monitor },
    risk: [
      { use: 'max-position', action: 'reject', params: { maxShares: 2_000, maxPositionValue: 50_000 } },
      { use: 'daily-loss', action: 'halt', params: {} },
    ],
    // More entries than the default 3 so a day yields enough labelled trades; both arms alike.
    strategies: [{ use: 'lmp', params: { symbol: t.symbol ?? 'HRVST', maxEntries: 8, ...(t.lmp ?? {}) } }],
    dataDir: t.dataDir,
  };
  return resolveConfig(input, { builtins: await builtinPlugins(), baseDir: t.baseDir });
}

async function collect(t: SweepDayTask, sessionId: string, runtime: Awaited<ReturnType<typeof createHarvester>>): Promise<SweepDayResult> {
  {
    const result = await runtime.engine.run();
    const journal = runtime.journal;
    const trades: SweepTrade[] = [];
    for (const row of await journal.entries(sessionId, { kind: 'sample' })) {
      const s = sampleFromRow(row, sessionId);
      if (s === null || s.synthetic) continue;
      const i = s.featureNames.indexOf('dec.shelfSizeRatio');
      trades.push({
        r: s.label.r,
        mae: s.label.mae,
        mfe: s.label.mfe,
        shelfSizeRatio: i < 0 ? null : s.features[i]!,
        exit: s.label.exitReason,
        decidedAt: s.decidedAt,
      });
    }
    const events = await journal.entries(sessionId, { kind: 'event' });
    const verdicts = events.filter((e) => e.type === 'learning.gate').map((e): Record<string, unknown> => ({ ...e.data, at: e.time }));
    const rollbackRows = events
      .filter((e) => e.type === 'learning.rollback')
      .map((e): Record<string, unknown> => ({ ...e.data, at: e.time }));
    const started = events.find((e) => e.type === 'learning.started');
    const entries = (await journal.entries(sessionId, { kind: 'decision' })).filter((e) => e.type === 'decision.entry');
    const filterScores = entries
      .map((e) => (e.data.gates as Record<string, { value: unknown }> | undefined)?.memoryFilter?.value)
      .filter((v): v is number => typeof v === 'number');
    return {
      seed: t.seed,
      index: t.index,
      arm: t.arm,
      trades,
      promotions: verdicts.filter((v) => v.promoted === true).length,
      rejections: verdicts.filter((v) => v.pass === false && v.forced !== true).length,
      evaluations: verdicts.length,
      rollbacks: rollbackRows.length,
      verdicts,
      rollbackRows,
      loadRows: events.filter((e) => e.type === 'learning.gate-on-load').map((e): Record<string, unknown> => ({ ...e.data, at: e.time })),
      startVersion: (started?.data.version as number | undefined) ?? null,
      firstEntryMemoryVersion: entries[0]?.data.memoryVersion as number | null | undefined,
      filterScores,
      journalSha256: result.journalSha256,
    };
  }
}

export default runSweepDay;
