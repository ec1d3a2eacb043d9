import type { MemoryView } from '../../ports/strategy.js';
import type { LmpParams } from './params.js';

/**
 * How LMP applies strategy memory (docs/lmp.md#lmp-10), and only within these bounds: a take/skip filter (skip known
 * failure patterns), gate thresholds nudged inside the roadmap's ranges, execution offsets (entry offset 0–1 tick,
 * stop buffer within LMP's own 1–3 ticks). Anything outside a bound is clamped; anything missing leaves the
 * roadmap default. Memory never sends anything: it only makes an entry less likely or changes its levels, and the
 * order still passes risk.
 */
export type TunedThreshold = 'minImbalance' | 'minRecoveredTape' | 'minRetracement';

/** The ranges the threshold-tuner learner documents (README "Learning"); LMP clamps to them again. */
export const THRESHOLD_BOUNDS: Readonly<Record<TunedThreshold, readonly [number, number]>> = Object.freeze({
  minImbalance: [0.2, 0.4],
  minRecoveredTape: [0, 0.2],
  minRetracement: [0.3, 0.45],
});

export interface MemoryAdvice {
  version: number;
  checksum: string;
  thresholds: Partial<Pick<LmpParams, TunedThreshold>>;
  entryOffsetTicks: number;
  /** null: LMP's volatility-scaled buffer. */
  stopBufferTicks: number | null;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function readAdvice(memory: MemoryView, p: LmpParams): MemoryAdvice {
  const sections = ((memory.content as { sections?: unknown }).sections ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const thresholds: MemoryAdvice['thresholds'] = {};
  for (const [name, [lo, hi]] of Object.entries(THRESHOLD_BOUNDS) as [keyof typeof THRESHOLD_BOUNDS, readonly [number, number]][]) {
    const v = num(sections.thresholds?.[name]);
    if (v !== null) thresholds[name] = clamp(v, lo, hi);
  }
  // minRetracement must stay below the (untuned) maxRetracement.
  if (thresholds.minRetracement !== undefined && thresholds.minRetracement >= p.maxRetracement) delete thresholds.minRetracement;
  // Flat execution advice only; exec-memory's per-bucket table (spread × volatility) is not read yet.
  const offset = num(sections.execution?.entryOffsetTicks);
  const buffer = num(sections.execution?.stopBufferTicks);
  return {
    version: memory.version,
    checksum: memory.checksum ?? '',
    thresholds,
    entryOffsetTicks: offset === null ? 0 : clamp(Math.round(offset), 0, 1),
    stopBufferTicks: buffer === null ? null : clamp(Math.round(buffer), p.stopBufferMinTicks, p.stopBufferMaxTicks),
  };
}
