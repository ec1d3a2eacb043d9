import type { TrainingSample } from '../../ports/learner.js';

/**
 * Training samples are journaled as rows of kind `sample`, type `training.sample`, `data` = the TrainingSample
 * (the `sample` kind also holds the strategies' `feature.snapshot` rows). Ghost triggers that never filled are
 * journaled as `training.ghost-unfilled` (no label, counted only).
 */
export const SAMPLE_ROW_TYPE = 'training.sample';
export const GHOST_UNFILLED_ROW_TYPE = 'training.ghost-unfilled';

/** The sample stored in a journal row's data, or null when the row is not a training sample. */
export function sampleFromRow(row: { kind: string; type: string; data: unknown }): TrainingSample | null {
  if (row.kind !== 'sample' || row.type !== SAMPLE_ROW_TYPE) return null;
  return row.data as TrainingSample;
}
