import { Sfc32 } from '../../../core/domain/random.js';
import type { TrainingSample } from '../../../ports/learner.js';

/**
 * The kit's feature vector layout: docs/lmp.md#feature-snapshots families at T−3s, T−1s and the decision, and deltas between
 * them. Every column is known at decision time (prefixes tm3s/tm1s/dec/d3/d1, see ports/feature-spec.ts): a sample
 * set for take/skip learners must not carry anything observed after the decision (+5s, +15s, exit).
 */
export const KIT_FEATURE_NAMES: readonly string[] = Object.freeze([
  'tm3s.imbalance',
  'tm1s.imbalance',
  'dec.imbalance',
  'd3.imbalance',
  'dec.tapeImbalance',
  'd1.tapeImbalance',
  'dec.spreadTicks',
  'd1.mid',
  'd3.mid',
  'dec.bidSize1',
  'dec.bidSize2',
  'dec.bidSize3',
  'dec.askSize1',
  'dec.askSize2',
  'dec.askSize3',
  'dec.shelfSizeRatio',
  'dec.shelfDistanceTicks',
  'dec.volatilityTicks',
  'dec.impulseTicks',
  'tm1s.spreadTicks',
]);

/** Columns observed after the decision, used only by the look-ahead card (LRN-07, docs/conformance-cards.md#lrn-07). */
export const KIT_LATE_FEATURE_NAMES: readonly string[] = Object.freeze(['p5s.midRetTicks', 'p15s.tapeImbalance', 'exit.midRetTicks']);

/** Per-feature [lower, upper] bounds of the generated data (the kit's featureSchema default). */
export const KIT_FEATURE_BOUNDS: readonly (readonly [number, number])[] = Object.freeze(
  KIT_FEATURE_NAMES.map((full): readonly [number, number] => {
    const prefix = full.slice(0, full.indexOf('.'));
    const n = full.slice(full.indexOf('.') + 1);
    if (n.startsWith('imbalance') || n.startsWith('tape')) return prefix === 'dec' || prefix.startsWith('tm') ? [-1, 1] : [-2, 2];
    if (n.startsWith('spread')) return [1, 5];
    if (n.includes('Size')) return n.includes('Ratio') ? [0, 10] : [0, 5000];
    if (n === 'shelfDistanceTicks') return [0, 10];
    if (n === 'volatilityTicks') return [0, 5];
    return [-5, 5];
  }),
);

function vector(rng: Sfc32): number[] {
  return KIT_FEATURE_BOUNDS.map(([lo, hi]) => {
    // Rounded to 1e-4 so that the set serializes identically everywhere.
    const x = lo + (hi - lo) * rng.next();
    return Math.round(x * 10_000) / 10_000;
  });
}

function build(): { samples: readonly TrainingSample[]; vectors: readonly (readonly number[])[] } {
  const rng = new Sfc32(20260223);
  const samples: TrainingSample[] = [];
  for (let i = 0; i < 200; i++) {
    const f = vector(rng);
    const signal = f[2]! * 1.5 + f[4]! - f[6]! * 0.2 + (rng.next() - 0.5);
    const r = Math.round(signal * 1000) / 1000;
    samples.push({
      sampleId: `S${String(i + 1).padStart(4, '0')}`,
      tradeId: `T${String(i + 1).padStart(4, '0')}`,
      sessionId: 'kit',
      strategyId: 'kit',
      symbol: 'KIT',
      decidedAt: i * 60_000_000,
      closedAt: i * 60_000_000 + 30_000_000,
      synthetic: i % 4 === 3,
      weight: i % 4 === 3 ? 0.5 : 1,
      featureNames: KIT_FEATURE_NAMES,
      features: f,
      label: {
        r,
        mae: Math.min(0, r) - 0.1,
        mfe: Math.max(0, r) + 0.1,
        win: r > 0,
        timeInTrade: 5 + Math.floor(rng.next() * 85),
        exitReason: r > 0 ? 'take-profit' : 'stop',
        setupReason: 'kit',
        forced: null,
        capped: false,
      },
    });
  }
  const vectors: number[][] = [];
  for (let i = 0; i < 1000; i++) vectors.push(vector(rng));
  return { samples, vectors };
}

const built = build();
/** 200 closed-trade samples generated once from a fixed seed; treat as read-only. */
export const KIT_SAMPLES: readonly TrainingSample[] = built.samples;
/** 1,000 scoring vectors in the `KIT_FEATURE_NAMES` layout. */
export const KIT_VECTORS: readonly (readonly number[])[] = built.vectors;

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/**
 * The kit samples with post-decision columns appended: `late(sample, i)` gives their values. Two calls with
 * different `late` functions differ only in what is known after the decision.
 */
export function withLateColumns(
  samples: readonly TrainingSample[],
  late: (s: TrainingSample, i: number) => readonly number[],
): TrainingSample[] {
  return samples.map((s, i) => ({
    ...s,
    featureNames: [...s.featureNames, ...KIT_LATE_FEATURE_NAMES],
    features: [...s.features, ...late(s, i)],
    label: { ...s.label },
  }));
}

export function cloneSamples(samples: readonly TrainingSample[]): TrainingSample[] {
  return samples.map((s) => ({ ...s, featureNames: [...s.featureNames], features: [...s.features], label: { ...s.label } }));
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rng = new Sfc32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
