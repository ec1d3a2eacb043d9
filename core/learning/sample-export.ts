import type { TrainingSample } from '../../ports/learner.js';
import { csvCell } from '../domain/csv-cell.js';

export type SampleFormat = 'csv' | 'jsonl';

const LABEL_FIELDS = ['r', 'mae', 'mfe', 'win', 'timeInTrade', 'exitReason', 'setupReason', 'forced', 'capped'] as const;
const META_FIELDS = ['sampleId', 'tradeId', 'sessionId', 'strategyId', 'symbol', 'decidedAt', 'closedAt', 'synthetic', 'weight'] as const;

/**
 * Samples as JSON lines (one sample per line, as the learners see them) or CSV (meta, label.*, then one column per
 * feature in first-seen order; a sample without a column leaves it empty). Deterministic for the same samples.
 */
export function exportSamples(samples: readonly TrainingSample[], format: SampleFormat): string {
  if (format === 'jsonl') return samples.map((s) => `${JSON.stringify(s)}\n`).join('');
  const features: string[] = [];
  const seen = new Set<string>();
  for (const s of samples)
    for (const n of s.featureNames)
      if (!seen.has(n)) {
        seen.add(n);
        features.push(n);
      }
  const header = [...META_FIELDS, ...LABEL_FIELDS.map((f) => `label.${f}`), ...features];
  const lines = [header.map(csvCell).join(',')];
  for (const s of samples) {
    const byName = new Map(s.featureNames.map((n, i) => [n, s.features[i]]));
    lines.push(
      [...META_FIELDS.map((f) => s[f]), ...LABEL_FIELDS.map((f) => s.label[f]), ...features.map((n) => byName.get(n))]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
