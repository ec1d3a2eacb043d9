import { createHash } from 'node:crypto';
import type { ResolvedConfig } from '../../core/config/resolve-config.js';
import { Sfc32, seedFrom } from '../../core/domain/random.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { HarvesterError } from '../../core/errors/harvester-error.js';
import { type LearningMemory, type LoopLearner, isLearningMemory } from '../../core/learning/active-memory.js';
import { buildMemory, decisionSpan } from '../../core/learning/memory-builder.js';
import type { Journal } from '../../ports/journal.js';
import type { TrainingSample } from '../../ports/learner.js';
import type { MemoryContent } from '../../ports/memory-store.js';
import { canonicalJson } from '../persistence/canonical-json.js';
import { journaledSamples } from './commands/samples.command.js';
import { toStoredSample } from '../../core/learning/sample-row.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {} };

export const memoryChecksum = (content: unknown): string => createHash('sha256').update(canonicalJson(content)).digest('hex');

/** Create a learner plugin by id with given params, the way a session does (params through the plugin's schema). */
export function createLearner(resolved: ResolvedConfig, id: string, params: unknown): LoopLearner {
  const manifest = resolved.registry.get(id, 'learner', 'memory');
  const parsed = manifest.paramsSchema.safeParse(params);
  if (!parsed.success)
    throw new HarvesterError('PLUGIN.INVALID_PARAMS', `learner '${id}': stored params no longer validate: ${parsed.error.message}`);
  const seed = resolved.root.seed;
  const instance = manifest.create({
    pluginId: id,
    params: parsed.data as never,
    clock: new ManualClock(0),
    log: quiet,
    random: new Sfc32(seedFrom(seed, id)),
    mode: resolved.root.mode,
    seed,
  });
  return { id, params: parsed.data as Readonly<Record<string, unknown>>, instance };
}

/** The configured learners (`learning.learners`, or `learner:`), as specs for `buildMemory`. */
export function configuredLearners(resolved: ResolvedConfig): LoopLearner[] {
  return resolved.learners.map((l) => createLearner(resolved, l.manifest.id, l.params));
}

/** Samples of the given sessions, in journal order. */
export async function samplesOfSessions(journal: Journal, sessions: readonly string[]): Promise<TrainingSample[]> {
  const out: TrainingSample[] = [];
  for (const s of sessions) out.push(...(await journaledSamples(journal, s)));
  return out;
}

/**
 * Re-derive a memory version from the journal: the same samples (by id), the same learners and params, the same
 * seed, through the same builder the session's pipeline uses (core/learning/memory-builder.ts). Returns the rebuilt content and its checksum; the caller compares it with the stored version's.
 */
export async function rebuildMemory(
  resolved: ResolvedConfig,
  journal: Journal,
  content: MemoryContent,
): Promise<{ content: LearningMemory; checksum: string }> {
  if (
    !isLearningMemory(content) ||
    !Array.isArray(content.learners) ||
    typeof content.samples !== 'object' ||
    !Array.isArray(content.samples.ids)
  )
    throw new HarvesterError(
      'MEMORY.SCHEMA_UNSUPPORTED',
      'this version was not built by learners (no provenance): nothing to rebuild from',
    );
  const wanted = new Set(content.samples.ids);
  // Sample ids name no session: search the sessions that started before the last decision and at most a day before
  // the first. Identical replays hold identical samples under the same id; copies that disagree are a mismatch.
  const span = decisionSpan(content);
  const sessions = (await journal.sessions(100_000)).filter((s) => s.startedAt <= span.to && s.startedAt >= span.from - 86_400_000_000);
  const byId = new Map<string, TrainingSample>();
  for (const s of await samplesOfSessions(
    journal,
    sessions.map((x) => x.sessionId),
  )) {
    if (!wanted.has(s.sampleId)) continue;
    const seen = byId.get(s.sampleId);
    if (seen === undefined) byId.set(s.sampleId, s);
    else if (canonicalJson(toStoredSample(seen)) !== canonicalJson(toStoredSample(s))) {
      throw new HarvesterError(
        'MEMORY.REBUILD_MISMATCH',
        `sample ${s.sampleId} differs between sessions ${seen.sessionId} and ${s.sessionId}`,
      );
    }
  }
  // In the recorded order, duplicates included (a replayed day can put the same sample in the window twice).
  const samples = content.samples.ids.flatMap((id) => {
    const s = byId.get(id);
    return s === undefined ? [] : [s];
  });
  if (byId.size !== wanted.size) {
    const missing = content.samples.ids.filter((id) => !byId.has(id));
    throw new HarvesterError(
      'MEMORY.REBUILD_MISMATCH',
      `${missing.length} of its ${wanted.size} samples are not in the journal (first: ${missing[0]})`,
    );
  }
  const learners = content.learners.map((l) => createLearner(resolved, l.id, l.params));
  const built = buildMemory(learners, samples, content.seed, content.cutOffBounds);
  if (!built.ok) throw new HarvesterError('MEMORY.REBUILD_MISMATCH', `the learners refused the samples now: ${built.code} ${built.reason}`);
  return { content: built.content, checksum: memoryChecksum(built.content) };
}
