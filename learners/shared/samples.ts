import type { TrainingSample } from '../../ports/learner.js';
import { ENTRY_UNFILLED } from '../../core/learning/sample-row.js';

export { ENTRY_UNFILLED };

/** A copy sorted by sampleId (code-unit order, locale-free), so a build never depends on input order. */
export function sortedById(samples: readonly TrainingSample[]): TrainingSample[] {
  return [...samples].sort((a, b) => (a.sampleId < b.sampleId ? -1 : a.sampleId > b.sampleId ? 1 : 0));
}

/** Samples with an outcome (an entry that filled, real or ghost). */
export function withOutcome(samples: readonly TrainingSample[]): TrainingSample[] {
  return samples.filter((s) => s.label.exitReason !== ENTRY_UNFILLED);
}

export type Checked = { ok: true; names: readonly string[] } | { ok: false; code: string; reason: string };

/** Every sample has the first sample's names and finite features. */
export function checkSamples(samples: readonly TrainingSample[]): Checked {
  if (samples.length === 0) return { ok: false, code: 'LEARNER.TOO_FEW_SAMPLES', reason: 'no samples' };
  const names = samples[0]!.featureNames;
  for (const s of samples) {
    if (s.featureNames.length !== names.length || s.featureNames.some((n, i) => n !== names[i])) {
      return { ok: false, code: 'LEARNER.FEATURE_MISMATCH', reason: `sample ${s.sampleId} has different feature names` };
    }
    if (s.features.length !== names.length || s.features.some((v) => !Number.isFinite(v))) {
      return { ok: false, code: 'LEARNER.INVALID_FEATURE', reason: `sample ${s.sampleId} has a missing or non-finite feature` };
    }
    if (!Number.isFinite(s.label.r) || !Number.isFinite(s.weight) || s.weight < 0) {
      return { ok: false, code: 'LEARNER.INVALID_FEATURE', reason: `sample ${s.sampleId} has a non-finite label or weight` };
    }
  }
  return { ok: true, names };
}

/** Names equal to the candidate's, and a finite vector of the same length. */
export function checkVector(
  expected: readonly string[],
  names: readonly string[],
  features: readonly number[],
): { ok: true } | { ok: false; code: string; reason: string } {
  if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) {
    return { ok: false, code: 'LEARNER.FEATURE_MISMATCH', reason: 'feature names differ from the candidate' };
  }
  if (features.length !== names.length || features.some((v) => !Number.isFinite(v))) {
    return { ok: false, code: 'LEARNER.INVALID_FEATURE', reason: 'vector length or values invalid' };
  }
  return { ok: true };
}

/** Parse a serialized candidate of one learner id and format version. */
export function parseCandidate<T>(
  text: string,
  learnerId: string,
  formatVersion: number,
  valid: (payload: unknown) => payload is T,
):
  | { ok: true; candidate: { learnerId: string; formatVersion: number; featureNames: readonly string[]; trainedOn: number; payload: T } }
  | { ok: false; code: string; reason: string } {
  try {
    const c = JSON.parse(text) as {
      learnerId?: unknown;
      formatVersion?: unknown;
      featureNames?: unknown;
      trainedOn?: unknown;
      payload?: unknown;
    };
    if (
      c.learnerId !== learnerId ||
      c.formatVersion !== formatVersion ||
      !Array.isArray(c.featureNames) ||
      typeof c.trainedOn !== 'number' ||
      !valid(c.payload)
    ) {
      return { ok: false, code: 'LEARNER.FORMAT_UNSUPPORTED', reason: `not a ${learnerId} candidate of format ${formatVersion}` };
    }
    return {
      ok: true,
      candidate: { learnerId, formatVersion, featureNames: c.featureNames as string[], trainedOn: c.trainedOn, payload: c.payload },
    };
  } catch (error) {
    return { ok: false, code: 'LEARNER.FORMAT_UNSUPPORTED', reason: (error as Error).message };
  }
}
