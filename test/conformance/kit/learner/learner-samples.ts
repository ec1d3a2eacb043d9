import { Sfc32 } from '../../../../core/domain/random.js';
import type { TrainingSample } from '../../../../ports/learner.js';

/** The kit's feature vector layout: the roadmap's §6.2 families at T−3s, T−1s, entry and after. */
export const KIT_FEATURE_NAMES: readonly string[] = Object.freeze([
  'imbalance_tm3s', 'imbalance_tm1s', 'imbalance_entry', 'imbalance_p5s', 'tape_imbalance_entry', 'tape_imbalance_p15s',
  'spread_ticks_entry', 'mid_ret_p5s', 'mid_ret_p15s', 'bid_size_l1', 'bid_size_l2', 'bid_size_l3', 'ask_size_l1',
  'ask_size_l2', 'ask_size_l3', 'shelf_size', 'shelf_ticks', 'volatility', 'impulse', 'exit_ret',
]);

/** Per-feature [lower, upper] bounds of the generated data (the kit's featureSchema default). */
export const KIT_FEATURE_BOUNDS: readonly (readonly [number, number])[] = Object.freeze(KIT_FEATURE_NAMES.map((n): readonly [number, number] => {
  if (n.startsWith('imbalance') || n.startsWith('tape_')) return [-1, 1];
  if (n.startsWith('spread')) return [1, 5];
  if (n.includes('size')) return [0, 5000];
  if (n === 'shelf_ticks') return [0, 10];
  if (n === 'volatility') return [0, 5];
  return [-5, 5];
}));

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
      sampleId: `S${String(i + 1).padStart(4, '0')}`, tradeId: `T${String(i + 1).padStart(4, '0')}`, featureNames: KIT_FEATURE_NAMES, features: f,
      label: { r, mae: Math.min(0, r) - 0.1, mfe: Math.max(0, r) + 0.1, win: r > 0, timeInTrade: 5 + Math.floor(rng.next() * 85), exitReason: r > 0 ? 'take-profit' : 'stop', setupReason: 'kit' },
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
