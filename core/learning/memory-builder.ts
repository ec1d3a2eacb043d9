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

/**
 * The most a filter may veto of the samples it was built on (`cutOffBounds` of the content, so a rebuild applies
 * the same bound). The gate refuses a candidate whose veto rate moves by more than `maxVetoShift` or whose coverage
 * falls below `minCoverage`; the out-of-sample best cut-off on the planted market v5 vetoed 40–55 % of the holdout,
 * so every such candidate was refused however strong its evidence (docs/learning.md). Choosing among the cut-offs
 * the gate could accept lets a filter take its first, bounded step.
 */
export interface CutOffBounds {
  maxVeto: number;
}

/** The bound a pipeline with these gate params builds under: no cut-off the gate would refuse from static LMP. */
export function cutOffBoundsOf(gate: { maxVetoShift: number; minCoverage: number }): CutOffBounds {
  return { maxVeto: Math.min(gate.maxVetoShift, Math.round((1 - gate.minCoverage) * 1e6) / 1e6) };
}

const byId = (a: TrainingSample, b: TrainingSample): number => (a.sampleId < b.sampleId ? -1 : a.sampleId > b.sampleId ? 1 : 0);

/**
 * The one way strategy memory is built (docs/learning-data.md#learned-memory-and-its-files; "reproducible from stored samples", docs/learning.md): the session's
 * pipeline, `harvester memory build` and `harvester memory rebuild` all call this, so a version the loop promoted is
 * re-derived byte for byte from its journaled samples. The content records its own provenance — the learners and
 * their params, the seed, the sample ids — and nothing that cannot be re-derived from those.
 *
 * Samples are sorted by id first, so the content depends on the set of samples, not on the order they arrived in.
 * Every learner builds on the same samples and seed; a take/skip learner's model acts through `filter`, whose cut-off
 * is chosen out of sample within these samples (chooseCutOff); the other learners contribute sections (thresholds, execution) that the strategy reads directly.
 */
export function buildMemory(
  learners: readonly LoopLearner[],
  samples: readonly TrainingSample[],
  seed: number,
  bounds?: CutOffBounds,
): BuildMemoryResult {
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
    kind: MEMORY_KIND,
    schemaVersion: MEMORY_SCHEMA,
    featureNames: [...last.featureNames],
    candidates,
    sections,
    trainedOn: train.length,
    trainedThrough: last.sampleId,
    seed,
    learners: provenance,
    samples: { count: train.length, synthetic: train.filter((s) => s.synthetic).length, ids: train.map((s) => s.sampleId) },
    // Only when given: a version built without a bound keeps the content (and checksum) it always had.
    ...(bounds === undefined ? {} : { cutOffBounds: { maxVeto: bounds.maxVeto } }),
  };
  const filter = filterLearner === null ? null : chooseCutOff(learners.find((l) => l.id === filterLearner)!, train, seed, base, bounds);
  const taken = evaluatePolicy(
    filter === null
      ? () => ({ take: true, p: null })
      : policyOf(activate(0, '', { ...base, filter, expectedR: 0 } as unknown as MemoryContent, learners)),
    train,
  );
  const content = { ...base, filter, expectedR: Math.round(taken.takenMeanR * 1e6) / 1e6 };
  return { ok: true, content: content as LearningMemory & MemoryContent, refusals };
}

/** Share of the (id-ordered, so time-ordered) training samples the cut-off is validated on. */
const VALIDATION_SHARE = 0.3;

/**
 * The take/skip cut-off, chosen out of sample: the learner is fitted on the older 70 % of the training samples and
 * each cut-off of FILTER_GRID scored on the newer 30 % (expectancy per opportunity); "no filter" wins ties. Picking the
 * cut-off on the samples the model was fitted on rewards its in-sample optimism — it vetoed 35–45 % of the planted
 * market's holdout trades, most of them still profitable (docs/learning.md). Too few samples to split: no filter.
 * With `bounds`, a cut-off under which the model that will be in force (fitted on all of `train`) vetoes more than
 * `maxVeto` of `train` is not a choice: a veto rate needs no labels, and the validation part alone (a few samples
 * on a small window) would misjudge it.
 */
function chooseCutOff(
  learner: LoopLearner,
  train: readonly TrainingSample[],
  seed: number,
  base: Omit<LearningMemory, 'filter' | 'expectedR'>,
  bounds: CutOffBounds | undefined,
): LearningMemory['filter'] {
  const cut = Math.floor(train.length * (1 - VALIDATION_SHARE));
  const fit = train.slice(0, cut);
  const check = train.slice(cut);
  if (fit.length === 0 || check.length === 0) return null;
  const inner = learner.instance.build(fit, { seed });
  if (!inner.ok) return null;
  const probe = { ...base, candidates: { ...base.candidates, [learner.id]: learner.instance.serialize(inner.candidate) } };
  let best: { filter: LearningMemory['filter']; e: number } = {
    filter: null,
    e: evaluatePolicy(() => ({ take: true, p: null }), check).expectancyR,
  };
  for (const minScore of FILTER_GRID) {
    const trial = { ...probe, filter: { learnerId: learner.id, minScore }, expectedR: 0 };
    const f = evaluatePolicy(policyOf(activate(0, '', trial as unknown as MemoryContent, [learner])), check);
    if (bounds !== undefined && vetoRateOf(learner, base, trial.filter, train) > bounds.maxVeto + 1e-9) continue;
    if (f.expectancyR > best.e + 1e-9) best = { filter: trial.filter, e: f.expectancyR };
  }
  return best.filter;
}

/** Share of `samples` the memory's own model (base.candidates) skips at this cut-off. */
function vetoRateOf(
  learner: LoopLearner,
  base: Omit<LearningMemory, 'filter' | 'expectedR'>,
  filter: LearningMemory['filter'],
  samples: readonly TrainingSample[],
): number {
  const memory = { ...base, filter, expectedR: 0 } as unknown as MemoryContent;
  return evaluatePolicy(policyOf(activate(0, '', memory, [learner])), samples).vetoRate;
}

/** Clock-time span of a memory's samples: sample ids begin with the 17-digit decision time (sample-row.ts). */
export function decisionSpan(memory: Pick<LearningMemory, 'samples'>): { from: number; to: number } {
  const times = memory.samples.ids.map((id) => Number(id.slice(0, id.indexOf(':'))));
  return { from: Math.min(...times), to: Math.max(...times) };
}
