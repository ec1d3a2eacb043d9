import { z } from 'zod';
import { defineLearner } from '../../plugins/sdk/define.js';
import { NoneLearner } from './none.learner.js';

export default defineLearner({
  id: 'none',
  apiVersion: 1,
  description: 'Learns nothing; every score is neutral (0).',
  paramsSchema: z.object({}).strict(),
  create: () => new NoneLearner(),
});
