import type { BuildOptions, BuildResult, Learner, LearnerCandidate, ScoreResult, TrainingSample } from '../../ports/learner.js';
import { quantize } from '../shared/det-math.js';
import { checkSamples, checkVector, parseCandidate, sortedById } from '../shared/samples.js';

export const EXEC_MEMORY_FORMAT = 1;

/** Bucket keys, in their fixed order: spread tight (≤ 1 tick) / wide × volatility calm (< 1 tick/s) / normal (< 2) / fast. */
export const BUCKETS = ['tight-calm', 'tight-normal', 'tight-fast', 'wide-calm', 'wide-normal', 'wide-fast'] as const;
export type BucketKey = (typeof BUCKETS)[number];

/** Columns read: decision-time regime, and execution outcomes known at fill and 5 s after it. */
export const EXEC_COLUMNS = {
  spread: 'dec.spreadTicks',
  volatility: 'dec.volatilityTicks',
  filled: 'fill.filled',
  slippage: 'fill.slippageTicks',
  markout: 'p5s.markoutTicks',
} as const;

export interface ExecMemoryParams {
  /** Samples needed for a candidate (real ones then fill the buckets). */
  minSamples: number;
  /** Samples a bucket needs before it says anything (else it keeps LMP's own rule). */
  minBucket: number;
  /** Below this fill rate, with fills that pay off, the entry pays one tick more. */
  minFillRate: number;
  /** Mean 5 s markout (ticks, + = in our favour) that makes a missed fill costly enough to pay up for. */
  markoutForOffset: number;
}

export interface BucketStats {
  key: BucketKey;
  n: number;
  filled: number;
  fillRate: number;
  slippageTicks: number;
  markoutTicks: number;
  /** Entry limit offset (docs/lmp.md#lmp-5): 0 = min(ask, shelf + 1 tick), 1 = one tick more. Null: not enough data. */
  entryOffsetTicks: number | null;
  /** Stop buffer, 1–3 ticks (docs/lmp.md#lmp-6). Null: not enough data (LMP's volatility rule applies). */
  stopBufferTicks: number | null;
}

export interface ExecMemoryPayload {
  columns: { spread: number; volatility: number; filled: number; slippage: number; markout: number };
  buckets: BucketStats[];
}

function isPayload(p: unknown): p is ExecMemoryPayload {
  const x = p as ExecMemoryPayload;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.columns === 'object' &&
    x.columns !== null &&
    Array.isArray(x.buckets) &&
    x.buckets.length === BUCKETS.length
  );
}

export function bucketOf(spreadTicks: number, volatilityTicks: number): number {
  const wide = Math.round(spreadTicks) > 1 ? 3 : 0;
  const vol = volatilityTicks < 1 ? 0 : volatilityTicks < 2 ? 1 : 2;
  return wide + vol;
}

/**
 * Execution memory (docs/learning-data.md#learned-memory-and-its-files): slippage, fill probability and 5 s
 * markout per spread × volatility bucket, from real trades only (ghost brackets never fill anything real), turned into an entry offset of 0
 * or +1 tick (docs/lmp.md#lmp-5) and a stop buffer of 1–3 ticks (docs/lmp.md#lmp-6). Counts and sums in sample-id order; no transcendental
 * maths. Scores a vector with its bucket's mean slippage in ticks (0 without data).
 */
export class ExecMemoryLearner implements Learner {
  readonly id = 'exec-memory';
  readonly purpose = 'execution' as const;

  constructor(private readonly defaults: ExecMemoryParams) {}

  build(input: readonly TrainingSample[], options: BuildOptions): BuildResult {
    const p = { ...this.defaults, ...(options.params as Partial<ExecMemoryParams> | undefined) };
    const checked = checkSamples(input);
    if (!checked.ok) return checked;
    const names = checked.names;
    const col = (n: string): number => names.indexOf(n);
    const columns = {
      spread: col(EXEC_COLUMNS.spread),
      volatility: col(EXEC_COLUMNS.volatility),
      filled: col(EXEC_COLUMNS.filled),
      slippage: col(EXEC_COLUMNS.slippage),
      markout: col(EXEC_COLUMNS.markout),
    };
    if (columns.spread < 0 || columns.volatility < 0) {
      return {
        ok: false,
        code: 'LEARNER.FEATURE_MISMATCH',
        reason: `exec-memory needs ${EXEC_COLUMNS.spread} and ${EXEC_COLUMNS.volatility}`,
      };
    }
    if (input.length < p.minSamples)
      return { ok: false, code: 'LEARNER.TOO_FEW_SAMPLES', reason: `${input.length} samples, need ${p.minSamples}` };
    // Ghost brackets never met a real queue: execution statistics come from real trades only (buckets need minBucket).
    const real = sortedById(input).filter((s) => !s.synthetic);
    const n = new Array<number>(BUCKETS.length).fill(0);
    const filled = new Array<number>(BUCKETS.length).fill(0);
    const slip = new Array<number>(BUCKETS.length).fill(0);
    const mark = new Array<number>(BUCKETS.length).fill(0);
    for (const s of real) {
      const b = bucketOf(s.features[columns.spread]!, s.features[columns.volatility]!);
      n[b] = n[b]! + 1;
      const didFill = columns.filled < 0 || s.features[columns.filled]! > 0;
      if (!didFill) continue;
      filled[b] = filled[b]! + 1;
      if (columns.slippage >= 0) slip[b] = slip[b]! + s.features[columns.slippage]!;
      if (columns.markout >= 0) mark[b] = mark[b]! + s.features[columns.markout]!;
    }
    const buckets: BucketStats[] = BUCKETS.map((key, b) => {
      const fillRate = n[b]! > 0 ? filled[b]! / n[b]! : 0;
      const slippageTicks = filled[b]! > 0 ? slip[b]! / filled[b]! : 0;
      const markoutTicks = filled[b]! > 0 ? mark[b]! / filled[b]! : 0;
      const enough = n[b]! >= p.minBucket;
      const entryOffsetTicks = !enough ? null : fillRate < p.minFillRate && markoutTicks >= p.markoutForOffset ? 1 : 0;
      const adverse = markoutTicks < 0 ? -markoutTicks : 0;
      const stopBufferTicks = !enough || filled[b]! === 0 ? null : Math.min(3, Math.max(1, 1 + Math.ceil(adverse - 1e-9)));
      return {
        key,
        n: n[b]!,
        filled: filled[b]!,
        fillRate: quantize(fillRate),
        slippageTicks: quantize(slippageTicks),
        markoutTicks: quantize(markoutTicks),
        entryOffsetTicks,
        stopBufferTicks,
      };
    });
    return {
      ok: true,
      candidate: {
        learnerId: this.id,
        formatVersion: EXEC_MEMORY_FORMAT,
        featureNames: [...names],
        trainedOn: input.length,
        payload: { columns, buckets },
      },
    };
  }

  score(candidate: LearnerCandidate, featureNames: readonly string[], features: readonly number[]): ScoreResult {
    const v = checkVector(candidate.featureNames, featureNames, features);
    if (!v.ok) return v;
    const m = candidate.payload as ExecMemoryPayload;
    const b = m.buckets[bucketOf(features[m.columns.spread]!, features[m.columns.volatility]!)]!;
    return { ok: true, score: b.filled > 0 ? b.slippageTicks : 0 };
  }

  serialize(c: LearnerCandidate): string {
    const m = c.payload as ExecMemoryPayload;
    const columns = {
      spread: m.columns.spread,
      volatility: m.columns.volatility,
      filled: m.columns.filled,
      slippage: m.columns.slippage,
      markout: m.columns.markout,
    };
    const buckets = m.buckets.map((b) => ({
      key: b.key,
      n: b.n,
      filled: b.filled,
      fillRate: b.fillRate,
      slippageTicks: b.slippageTicks,
      markoutTicks: b.markoutTicks,
      entryOffsetTicks: b.entryOffsetTicks,
      stopBufferTicks: b.stopBufferTicks,
    }));
    return JSON.stringify({
      learnerId: c.learnerId,
      formatVersion: c.formatVersion,
      featureNames: c.featureNames,
      trainedOn: c.trainedOn,
      payload: { columns, buckets },
    });
  }

  deserialize(text: string): { ok: true; candidate: LearnerCandidate } | { ok: false; code: string; reason: string } {
    return parseCandidate(text, this.id, EXEC_MEMORY_FORMAT, isPayload);
  }

  /** `{ execution: { buckets: { 'tight-calm': { entryOffsetTicks, stopBufferTicks }, … } } }` (null: keep LMP's rule). */
  memory(c: LearnerCandidate): Readonly<Record<string, unknown>> {
    const out: Record<string, { entryOffsetTicks: number | null; stopBufferTicks: number | null; n: number }> = {};
    for (const b of (c.payload as ExecMemoryPayload).buckets)
      out[b.key] = { entryOffsetTicks: b.entryOffsetTicks, stopBufferTicks: b.stopBufferTicks, n: b.n };
    return { execution: { buckets: out } };
  }
}
