import { z } from 'zod';
import type { AnyPluginManifest } from '../../plugins/sdk/manifest.js';

const pluginRef = z.union([
  z.string().min(1),
  z.custom<AnyPluginManifest>((v) => typeof v === 'object' && v !== null && typeof (v as { create?: unknown }).create === 'function', {
    message: 'expected a learner manifest (from defineLearner)',
  }),
]);

export const learnerSelection = z.object({ use: pluginRef, params: z.record(z.string(), z.unknown()).default({}) }).strict();

/**
 * `learning:` in harvester.config.ts (docs/learning-data.md, roadmap §6.1, §6.3): which learners build candidates, how
 * often (every K real closed trades) and on how many samples (a rolling window of 50–200), how synthetic ghost-bracket
 * samples are weighted, and the shadow gate and post-promotion monitor settings (their fields belong to the pipeline
 * that reads them). `learner:` at the root stays as the one-learner shorthand: with no `learning.learners`, it is the
 * list.
 */
export const learningSchema = z
  .object({
    learners: z.array(learnerSelection).default([]),
    everyTrades: z.number().int().min(1).max(1000).default(5),
    window: z
      .object({ min: z.number().int().min(1).default(50), max: z.number().int().min(1).default(200) })
      .strict()
      .refine((w) => w.min <= w.max, { message: 'window.min must be ≤ window.max', path: ['min'] })
      .default({ min: 50, max: 200 }),
    /** Labels of ghost brackets (triggers not taken) count this much against a real trade's 1. */
    syntheticWeight: z.number().min(0).max(1).default(0.5),
    /** |R| cap applied to labels of trades closed by a kill switch or the session end. */
    forcedExitRCap: z.number().positive().max(20).default(2),
    gate: z.record(z.string(), z.unknown()).default({}),
    monitor: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type LearningConfig = z.output<typeof learningSchema>;

export const DEFAULT_LEARNING: LearningConfig = learningSchema.parse({});
