import type { TrainingSample } from '../../ports/learner.js';
import type { MemoryContent } from '../../ports/memory-store.js';
import { type LearningMemory, type LoopLearner, MEMORY_KIND, MEMORY_SCHEMA, activate, policyOf } from './active-memory.js';
import { evaluatePolicy } from './policy-eval.js';

/** The take/skip cut-offs the builder tries (on the training samples only). */
export const FILTER_GRID: readonly number[] = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6];

export interface BuildRefusal {
  id: string;
  code: string;
  reason: string;
}

export type BuildMemoryResult =
  | { ok: true; content: LearningMemory & MemoryContent; refusals: BuildRefusal[] }
  | { ok: false; code: string; reason: string; refusals: BuildRefusal[] };

const byId = (a: TrainingSample, b: TrainingSample): number => (a.sampleId < b.sampleId ? -1 : a.sampleId > b.sampleId ? 1 : 0);

/**
 * The one way strategy memory is built (roadmap §6.4, §6.8 "reproducible from stored samples"): the session's
 * pipeline, `harvester memory build` and `harvester memory rebuild` all call this, so a version the loop promoted is
 * re-derived byte for byte from its journaled samples. The content records its own provenance — the learners and
 * their params, the seed, the sample ids — and nothing that cannot be re-derived from those.
 *
 * Samples are sorted by id first, so the content depends on the set of samples, not on the order they arrived in.
 * Every learner builds on the same samples and seed; a take/skip learner's model acts through `filter`, whose cut-off
 * is the best expectancy per opportunity over FILTER_GRID on these samples, "no filter" included and preferred on
 * ties; the other learners contribute sections (thresholds, execution) that the strategy reads directly.
 */
export function buildMemory(learners: readonly LoopLearner[], samples: readonly TrainingSample[], seed: number): BuildMemoryResult {
  const train = [...samples].sort(byId);
  const refusals: BuildRefusal[] = [];
  if (train.length === 0) return { ok: false, code: 'LEARNER.TOO_FEW_SAMPLES', reason: 'no samples', refusals };
  const candidates: Record<string, string> = {};
  const sections: Record<string, unknown> = {};
  const provenance: { id: string; params: Readonly<Record<string, unknown>>; refused: string | null }[] = [];
  let filterLearner: string | null = null;
  for (const l of learners) {
    const r = l.instance.build(train, { seed });
    if (!r.ok) {
      refusals.push({ id: l.id, code: r.code, reason: r.reason });
      provenance.push({ id: l.id, params: l.params ?? {}, refused: r.code });
      continue;
    }
    provenance.push({ id: l.id, params: l.params ?? {}, refused: null });
    candidates[l.id] = l.instance.serialize(r.candidate);
    const section = l.instance.purpose === 'take-skip' ? undefined : l.instance.memory?.(r.candidate);
    if (section !== undefined) Object.assign(sections, section);
    if (l.instance.purpose === 'take-skip' && filterLearner === null) filterLearner = l.id;
  }
  if (Object.keys(candidates).length === 0) {
    return { ok: false, code: refusals[0]?.code ?? 'LEARNER.TOO_FEW_SAMPLES', reason: 'no learner built a candidate', refusals };
  }
  const last = train[train.length - 1]!;
  const base: Omit<LearningMemory, 'filter' | 'expectedR'> = {
    kind: MEMORY_KIND, schemaVersion: MEMORY_SCHEMA, featureNames: [...last.featureNames], candidates, sections,
    trainedOn: train.length, trainedThrough: last.sampleId,
    seed, learners: provenance,
    samples: { count: train.length, synthetic: train.filter((s) => s.synthetic).length, ids: train.map((s) => s.sampleId) },
  };
  let best: { filter: LearningMemory['filter']; e: number; takenR: number } = { filter: null, e: evaluatePolicy(() => ({ take: true, p: null }), train).expectancyR, takenR: 0 };
  best.takenR = best.e;
  if (filterLearner !== null) {
    for (const minScore of FILTER_GRID) {
      const trial = { ...base, filter: { learnerId: filterLearner, minScore }, expectedR: 0 };
      const f = evaluatePolicy(policyOf(activate(0, '', trial as unknown as MemoryContent, learners)), train);
      if (f.expectancyR > best.e + 1e-9) best = { filter: trial.filter, e: f.expectancyR, takenR: f.takenMeanR };
    }
  }
  const content = { ...base, filter: best.filter, expectedR: Math.round(best.takenR * 1e6) / 1e6 };
  return { ok: true, content: content as LearningMemory & MemoryContent, refusals };
}

/** Clock-time span of a memory's samples: sample ids begin with the 17-digit decision time (sample-row.ts). */
export function decisionSpan(memory: Pick<LearningMemory, 'samples'>): { from: number; to: number } {
  const times = memory.samples.ids.map((id) => Number(id.slice(0, id.indexOf(':'))));
  return { from: Math.min(...times), to: Math.max(...times) };
}
