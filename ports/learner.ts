import { createToken } from './create-token.js';

/** Outcome of one closed trade, in R multiples and ticks so that samples compare across prices. */
export interface TradeLabel {
  /** Net result in R (risk units): PnL / initial risk. */
  r: number;
  /** Maximum adverse / favourable excursion, in R. */
  mae: number;
  mfe: number;
  win: boolean;
  /** Seconds in trade. */
  timeInTrade: number;
  exitReason: string;
  setupReason: string;
}

/**
 * One training sample: a fixed, ordered feature vector (names in `featureNames`) and its label.
 * Vectors from one strategy version share `featureNames`; a learner refuses a mismatch (`LEARNER.FEATURE_MISMATCH`).
 */
export interface TrainingSample {
  sampleId: string;
  tradeId: string;
  featureNames: readonly string[];
  features: readonly number[];
  label: TradeLabel;
}

export interface LearnerCandidate {
  learnerId: string;
  /** Bumped when the serialized payload changes shape. */
  formatVersion: number;
  featureNames: readonly string[];
  trainedOn: number;
  /** Learner-specific, JSON-serialisable. */
  payload: unknown;
}

export type BuildResult =
  | { readonly ok: true; readonly candidate: LearnerCandidate }
  | { readonly ok: false; readonly code: string; readonly reason: string };

export type ScoreResult =
  | { readonly ok: true; readonly score: number }
  | { readonly ok: false; readonly code: string; readonly reason: string };

export interface BuildOptions {
  seed: number;
  params?: Readonly<Record<string, unknown>>;
}

/**
 * Builds candidate models from training samples and scores feature vectors. A learner has no way to place orders:
 * it sees samples and vectors only, and its output passes shadow validation and risk before it matters.
 *
 * Invariants (cards LRN, L1–L3): deterministic from samples and seed (no wall time, no global randomness);
 * inputs are never mutated; every score is finite; `deserialize(serialize(c))` scores identically.
 */
export interface Learner {
  readonly id: string;
  build(samples: readonly TrainingSample[], options: BuildOptions): BuildResult;
  score(candidate: LearnerCandidate, featureNames: readonly string[], features: readonly number[]): ScoreResult;
  serialize(candidate: LearnerCandidate): string;
  deserialize(text: string): { ok: true; candidate: LearnerCandidate } | { ok: false; code: string; reason: string };
}

export const Learner = createToken<Learner>('Learner');
