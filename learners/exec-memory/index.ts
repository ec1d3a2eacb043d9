import { z } from 'zod';
import { defineLearner } from '../../plugins/sdk/define.js';
import { ExecMemoryLearner } from './exec-memory.learner.js';

export const execMemoryParams = z
  .object({
    minSamples: z.number().int().min(1).default(20),
    minBucket: z.number().int().min(1).default(10),
    minFillRate: z.number().min(0).max(1).default(0.6),
    markoutForOffset: z.number().default(1),
  })
  .strict();

export default defineLearner({
  id: 'exec-memory',
  apiVersion: 1,
  description: 'Slippage, fill rate and markout per spread × volatility bucket → entry offset (0/+1 tick) and stop buffer (1–3 ticks).',
  paramsSchema: execMemoryParams,
  create: (ctx) => new ExecMemoryLearner(ctx.params),
});
