import { z } from 'zod';
import { defineLearner } from '../../plugins/sdk/define.js';
import { MetaLabelLearner } from './meta-label.learner.js';

export const metaLabelParams = z
  .object({
    minSamples: z.number().int().min(1).default(30),
    minPerClass: z.number().int().min(1).default(5),
    l2: z.number().positive().default(1),
    iterations: z.number().int().min(1).max(50).default(8),
    zClip: z.number().positive().default(6),
    features: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

export default defineLearner({
  id: 'meta-label',
  apiVersion: 1,
  description:
    'Take/skip filter: P(R > 0) from the decision-time vector (standardiser + L2 logistic regression, deterministic Newton steps).',
  paramsSchema: metaLabelParams,
  create: (ctx) => new MetaLabelLearner(ctx.params),
});
