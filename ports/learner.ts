import type { Micros } from '../core/domain/units.js';
import { createToken } from './create-token.js';
import type { LearnerPurpose } from './feature-spec.js';

/** Why a trade ended outside the strategy's own exits; such labels are flagged and their |R| capped. */
export type ForcedExit = 'kill-switch' | 'session-end';

/** Outcome of one closed trade (or one ghost bracket), in R multiples so that samples compare across prices. */
export interface TradeLabel {
  /** Net result in R: net PnL / planned risk (|limit − stop| × filled quantity); capped to ±rCap when `forced`. */
  r: number;
  /** Maximum adverse / favourable excursion while in the trade, in R (mae ≤ 0 ≤ mfe). */
  mae: number;
  mfe: number;
  /** r > 0. */
  win: boolean;
  /** Seconds from entry fill to the last exit fill. */
  timeInTrade: number;
  exitReason: string;
  setupReason: string;
  /** Set when a kill switch or the session end closed the trade; the label is then less informative. */
  forced: ForcedExit | null;
  /** True when |r| was cut to the cap. */
  capped: boolean;
}

/**
 * One training sample: a fixed, ordered feature vector (names in `featureNames`, each prefixed with the time it
 * becomes known — see `ports/feature-spec.ts`) and its label.
 *
 * Invariants: vectors from one strategy version share `featureNames`; a learner refuses a mismatch
 * (`LEARNER.FEATURE_MISMATCH`). `synthetic` samples come from ghost brackets (triggers not taken): they carry a
 * weight below 1 and never feed execution statistics (slippage, fill rates). `sampleId` is unique and stable
 * (sessionId + trade or trigger id), so learners sort by it to be independent of input order.
 */
export interface TrainingSample {
  sampleId: string;
  tradeId: string;
  sessionId: string;
  strategyId: string;
  symbol: string;
  /** Clock time of the entry decision and of the label's end (exit), for purging overlapping windows. */
  decidedAt: Micros;
  closedAt: Micros;
  synthetic: boolean;
  /** Weight in training: 1 for real trades, below 1 for synthetic ones. */
  weight: number;
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
 * Invariants (cards LRN, L1–L3): deterministic from samples and seed (no wall time, no global randomness, no
 * Math.exp/log: only + − × ÷ √ in a fixed order, so candidates are byte-identical on every engine); samples are
 * sorted by `sampleId` inside `build`, so input order never matters; inputs are never mutated; every score is
 * finite; `deserialize(serialize(c))` scores identically. A learner whose `purpose` is `take-skip` refuses to read
 * any column known later than the decision (`LEARNER.LOOKAHEAD`, see `checkRequest` in `ports/feature-spec.ts`).
 */
export interface Learner {
  readonly id: string;
  /** What the candidate is for; bounds the columns it may read. */
  readonly purpose: LearnerPurpose;
  build(samples: readonly TrainingSample[], options: BuildOptions): BuildResult;
  score(candidate: LearnerCandidate, featureNames: readonly string[], features: readonly number[]): ScoreResult;
  serialize(candidate: LearnerCandidate): string;
  deserialize(text: string): { ok: true; candidate: LearnerCandidate } | { ok: false; code: string; reason: string };
  /**
   * The section of strategy memory this candidate contributes (e.g. `{ thresholds: {...} }`,
   * `{ execution: {...} }`, `{ filter: {...} }`), JSON-serialisable, every number finite and within the ranges the
   * learner documents. Optional: a learner without one contributes through `score` only.
   */
  memory?(candidate: LearnerCandidate): Readonly<Record<string, unknown>>;
}

export const Learner = createToken<Learner>('Learner');
