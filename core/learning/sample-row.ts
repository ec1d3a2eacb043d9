import type { TrainingSample } from '../../ports/learner.js';

/**
 * Training samples are journaled as rows of kind `sample`, type `training.sample` (the `sample` kind also holds the
 * strategies' `feature.snapshot` rows). Ghost triggers that never filled are journaled as `training.ghost-unfilled`
 * (no label, counted only).
 *
 * Sample ids do not contain the session id (which carries wall time): `<decidedAt, 17 digits>:<seed>:<strategy>:
 * <trigger>` is unique, sorts by decision time, and is the same in two identical replays — so journal digests and
 * memory checksums (which record sample ids) repeat run to run. The stored form also leaves out `sessionId` (the
 * row belongs to its session already); reading a row restores it.
 */
export const SAMPLE_ROW_TYPE = 'training.sample';
export const GHOST_UNFILLED_ROW_TYPE = 'training.ghost-unfilled';

/** Exit reason of a taken entry that never filled: its sample (r = 0) informs fill statistics, not outcomes. */
export const ENTRY_UNFILLED = 'entry-unfilled';

export type StoredSample = Omit<TrainingSample, 'sessionId'>;

export function sampleIdOf(decidedAt: number, seed: number, strategyId: string, triggerId: string): string {
  return `${String(decidedAt).padStart(17, '0')}:${seed}:${strategyId}:${triggerId}`;
}

export function toStoredSample(s: TrainingSample): StoredSample {
  const { sessionId: _sessionId, ...rest } = s;
  return rest;
}

/** The sample stored in a journal row's data, with its session restored, or null when the row is not a sample. */
export function sampleFromRow(row: { kind: string; type: string; data: unknown }, sessionId: string): TrainingSample | null {
  if (row.kind !== 'sample' || row.type !== SAMPLE_ROW_TYPE) return null;
  const stored = row.data as StoredSample;
  return { ...stored, sessionId };
}
