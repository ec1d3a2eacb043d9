import { z } from 'zod';
import { defineLearner } from '../../plugins/sdk/define.js';
import { ThresholdTunerLearner } from './threshold-tuner.learner.js';

const name = z.enum(['minImbalance', 'minRecoveredTape', 'minRetracement']);

export const thresholdTunerParams = z
  .object({
    minSamples: z.number().int().min(1).default(30),
    tune: z.array(name).min(1).max(3).default(['minImbalance', 'minRecoveredTape', 'minRetracement']),
    shrink: z.number().nonnegative().default(10),
    margin: z.number().nonnegative().default(0.02),
    current: z.object({ minImbalance: z.number(), minRecoveredTape: z.number(), minRetracement: z.number() }).partial().strict().optional(),
  })
  .strict();

export default defineLearner({
  id: 'threshold-tuner',
  apiVersion: 1,
  description:
    'Moves up to three LMP gate thresholds one bounded step per promotion within the roadmap ranges, shrunk toward the defaults.',
  paramsSchema: thresholdTunerParams,
  create: (ctx) => new ThresholdTunerLearner(ctx.params),
});
