import type { Learner, LearnerCandidate, TrainingSample } from '../../ports/learner.js';
import type { MemoryContent } from '../../ports/memory-store.js';
import type { Policy } from './policy-eval.js';
import { knownAtOf } from '../../ports/feature-spec.js';

export const MEMORY_KIND = 'harvester.learning';
export const MEMORY_SCHEMA = 1;

/**
 * What the loop writes as strategy memory (docs/learning-data.md#learned-memory-and-its-files): the serialized candidates of every learner,
 * the take/skip filter's cut-off, the sections learners contribute (`thresholds`, `execution`, …), and the gate's
 * figures (the monitor's expectation). JSON only; the checksum is over its canonical form.
 */
export interface LearningMemory {
  kind: typeof MEMORY_KIND;
  schemaVersion: number;
  featureNames: readonly string[];
  candidates: Readonly<Record<string, string>>;
  filter: { learnerId: string; minScore: number } | null;
  sections: Readonly<Record<string, unknown>>;
  trainedOn: number;
  trainedThrough: string;
  /** Mean R the builder saw on the training trades this version takes (the monitor's reference). */
  expectedR: number;
  /** Provenance, so `harvester memory rebuild` can re-derive the content: the build seed, the learners with their params
   * (and the code of any that refused), and the ids of the samples it was built on (sorted). */
  seed: number;
  learners: readonly { id: string; params: Readonly<Record<string, unknown>>; refused: string | null }[];
  samples: { count: number; synthetic: number; ids: readonly string[] };
  /** The bound the filter's cut-off was chosen under (memory-builder.ts); absent: none. */
  cutOffBounds?: { maxVeto: number };
}

export interface LoopLearner {
  id: string;
  instance: Learner;
  /** The params it was created with (recorded in memory, so a rebuild can create it again). */
  params?: Readonly<Record<string, unknown>>;
}

/** The memory in force: version 0 is static LMP (no content), the pinned baseline. */
export interface ActiveMemory {
  version: number;
  checksum: string;
  content: MemoryContent;
  /** P(R > 0) of a decision-time feature record, or null when there is no filter or it cannot score it. */
  score(features: Readonly<Record<string, number>>): number | null;
  /** The filter's cut-off: a score below it means skip. */
  minScore: number | null;
}

export function isLearningMemory(content: MemoryContent | null | undefined): content is MemoryContent & LearningMemory {
  return content !== null && content !== undefined && (content as { kind?: unknown }).kind === MEMORY_KIND;
}

/**
 * A scorer for the filter of `content`, using the learner instances of this session (by id): the columns it reads
 * are the candidate's own (a learner may use a subset of the sample's columns).
 */
export function filterScorer(
  content: LearningMemory,
  learners: readonly LoopLearner[],
): { names: readonly string[]; score(values: readonly number[]): number | null } | null {
  if (content.filter === null) return null;
  const learner = learners.find((l) => l.id === content.filter!.learnerId)?.instance;
  const text = content.candidates[content.filter.learnerId];
  if (learner === undefined || text === undefined) return null;
  const parsed = learner.deserialize(text);
  if (!parsed.ok) return null;
  const candidate: LearnerCandidate = parsed.candidate;
  return {
    names: candidate.featureNames,
    score: (values) => {
      const r = learner.score(candidate, candidate.featureNames, values);
      return r.ok && Number.isFinite(r.score) ? r.score : null;
    },
  };
}

/** Builds the in-force view of a stored version (content null or foreign: static behaviour, no filter). */
export function activate(version: number, checksum: string, content: MemoryContent, learners: readonly LoopLearner[]): ActiveMemory {
  const mem = isLearningMemory(content) ? content : null;
  const scorer = mem === null ? null : filterScorer(mem, learners);
  const names = scorer?.names ?? [];
  const values = new Array<number>(names.length);
  // Samples carry outcome columns too (fill., +5s, exit.); a take/skip learner never reads them (LEARNER.LOOKAHEAD),
  // so at decision time they are filled with 0. A missing decision-time column means no opinion.
  const later = names.map((n) => knownAtOf(n) !== 'decision');
  return {
    version,
    checksum,
    content,
    minScore: scorer === null ? null : (mem?.filter?.minScore ?? null),
    score: (features) => {
      if (scorer === null) return null;
      for (let i = 0; i < names.length; i++) {
        const v = features[names[i]!];
        // A decision column the strategy did not provide: the filter has no opinion (never a guess).
        if (v === undefined && !later[i]) return null;
        values[i] = v ?? 0;
      }
      return scorer.score(values);
    },
  };
}

export const BASELINE: ActiveMemory = Object.freeze({
  version: 0,
  checksum: 'static',
  content: Object.freeze({}),
  score: () => null,
  minScore: null,
});

/** The memory as a policy over samples (for the shadow gate): skip when the filter scores below its cut-off. */
export function policyOf(memory: ActiveMemory): Policy {
  return (s: TrainingSample) => {
    if (memory.minScore === null) return { take: true, p: null };
    const rec: Record<string, number> = {};
    for (let i = 0; i < s.featureNames.length; i++) rec[s.featureNames[i]!] = s.features[i]!;
    const p = memory.score(rec);
    return p === null ? { take: true, p: null } : { take: p >= memory.minScore, p };
  };
}
