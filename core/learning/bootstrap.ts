import { Sfc32 } from '../domain/random.js';

export interface BootstrapInterval {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * Percentile bootstrap of a mean, seeded (core/domain/random.ts), so a gate verdict is reproducible: the same
 * values and seed give the same interval on every run. For a paired comparison pass the per-sample differences
 * (candidate − champion on the same samples). `confidence` is two-sided: 0.9 gives the 5 % and 95 % quantiles.
 *
 * Hand-written because the maths is ten lines and must use the project's seeded stream (no npm bootstrap takes one).
 */
export function bootstrapMean(
  values: readonly number[],
  options: { seed: number; iterations?: number; confidence?: number },
): BootstrapInterval {
  const n = values.length;
  if (n === 0) return { mean: 0, lo: 0, hi: 0, n: 0 };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  const iterations = options.iterations ?? 2000;
  const rng = new Sfc32(options.seed);
  const means = new Float64Array(iterations);
  for (let b = 0; b < iterations; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(rng.next() * n)]!;
    means[b] = s / n;
  }
  means.sort();
  const tail = (1 - (options.confidence ?? 0.9)) / 2;
  const at = (q: number): number => means[Math.min(iterations - 1, Math.max(0, Math.floor(q * iterations)))]!;
  return { mean, lo: at(tail), hi: at(1 - tail), n };
}
