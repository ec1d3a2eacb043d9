import type { Learner, TrainingSample } from '../../ports/learner.js';
import type { MemoryContent } from '../../ports/memory-store.js';

export const LEARNED_MEMORY_FORMAT = 'harvester.learned-memory/1';

/** A learner as the memory records it: its id and the params it was created with (so a rebuild can recreate it). */
export interface LearnerSpec {
  id: string;
  params: Readonly<Record<string, unknown>>;
  instance: Learner;
}

/**
 * Strategy memory built by learners (docs/learning-data.md#learned-memory-and-its-files), with its provenance: which learners (and params),
 * which seed, which samples (ids, sorted). The content is the checksummed unit of the memory store, so it holds nothing that
 * cannot be re-derived from the journal: `rebuildMemory` must give the same bytes.
 */
export interface LearnedMemory {
  format: typeof LEARNED_MEMORY_FORMAT;
  seed: number;
  samples: { count: number; synthetic: number; ids: string[] };
  learners: { id: string; params: Readonly<Record<string, unknown>>; candidate: string | null; refused: { code: string; reason: string } | null }[];
  /** Every learner's `memory(candidate)` sections merged, in learner order (what a strategy reads). */
  sections: Record<string, unknown>;
}

export type BuildMemoryResult =
  | { ok: true; content: LearnedMemory }
  | { ok: false; code: string; reason: string; refusals: { id: string; code: string; reason: string }[] };

/**
 * Run every learner on the same samples and seed and assemble one memory content. A learner that refuses (too few
 * samples, look-ahead, …) is recorded with its code; if all refuse, no memory. Samples are sorted by id here as well,
 * so the recorded ids (and each learner's input) do not depend on the caller's order.
 */
export function buildMemory(learners: readonly LearnerSpec[], samples: readonly TrainingSample[], seed: number): BuildMemoryResult {
  const sorted = [...samples].sort((a, b) => (a.sampleId < b.sampleId ? -1 : a.sampleId > b.sampleId ? 1 : 0));
  const entries: LearnedMemory['learners'] = [];
  const sections: Record<string, unknown> = {};
  const refusals: { id: string; code: string; reason: string }[] = [];
  for (const l of learners) {
    const res = l.instance.build(sorted, { seed });
    if (!res.ok) {
      refusals.push({ id: l.id, code: res.code, reason: res.reason });
      entries.push({ id: l.id, params: l.params, candidate: null, refused: { code: res.code, reason: res.reason } });
      continue;
    }
    entries.push({ id: l.id, params: l.params, candidate: l.instance.serialize(res.candidate), refused: null });
    const part = l.instance.memory?.(res.candidate);
    if (part !== undefined) for (const [k, v] of Object.entries(part)) sections[k] = v;
  }
  if (entries.every((e) => e.candidate === null)) {
    return { ok: false, code: refusals[0]?.code ?? 'LEARNER.TOO_FEW_SAMPLES', reason: 'no learner built a candidate', refusals };
  }
  return {
    ok: true,
    content: {
      format: LEARNED_MEMORY_FORMAT, seed,
      samples: { count: sorted.length, synthetic: sorted.filter((s) => s.synthetic).length, ids: sorted.map((s) => s.sampleId) },
      learners: entries, sections,
    },
  };
}

export function isLearnedMemory(content: MemoryContent): content is MemoryContent & LearnedMemory {
  return content.format === LEARNED_MEMORY_FORMAT && Array.isArray(content.learners) && typeof content.samples === 'object';
}

/** Clock-time span of a learned memory's samples: sample ids begin with the 17-digit decision time (sample-row.ts). */
export function decisionSpan(memory: LearnedMemory): { from: number; to: number } {
  const times = memory.samples.ids.map((id) => Number(id.slice(0, id.indexOf(':'))));
  return { from: Math.min(...times), to: Math.max(...times) };
}
