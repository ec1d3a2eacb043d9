import type { TrainingSample } from '../../ports/learner.js';

/**
 * Training samples are journaled as rows of kind `sample`, type `training.sample` (the `sample` kind also holds the
 * strategies' `feature.snapshot` rows). Ghost triggers that never filled are journaled as `training.ghost-unfilled`
 * (no label, counted only).
 *
 * The stored form leaves out the session id (the row belongs to its session already) and keeps the local id (the
 * trigger id) as `sampleId`: journal digests must not depend on the session id, which carries wall time.
 */
export const SAMPLE_ROW_TYPE = 'training.sample';
export const GHOST_UNFILLED_ROW_TYPE = 'training.ghost-unfilled';

/** Exit reason of a taken entry that never filled: its sample (r = 0) informs fill statistics, not outcomes. */
export const ENTRY_UNFILLED = 'entry-unfilled';

export type StoredSample = Omit<TrainingSample, 'sessionId'>;

/** The session-wide id of a sample: `<sessionId>:<triggerId>` (session ids sort chronologically). */
export function sampleIdOf(sessionId: string, triggerId: string): string {
  return `${sessionId}:${triggerId}`;
}

export function toStoredSample(s: TrainingSample): StoredSample {
  const { sessionId: _sessionId, ...rest } = s;
  return { ...rest, sampleId: s.tradeId };
}

/** The sample stored in a journal row's data, with its session restored, or null when the row is not a sample. */
export function sampleFromRow(row: { kind: string; type: string; data: unknown }, sessionId: string): TrainingSample | null {
  if (row.kind !== 'sample' || row.type !== SAMPLE_ROW_TYPE) return null;
  const stored = row.data as StoredSample;
  return { ...stored, sessionId, sampleId: sampleIdOf(sessionId, stored.tradeId) };
}
