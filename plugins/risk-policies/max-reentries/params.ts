import { z } from 'zod';
import { positiveInt } from '../shared/policy-kit.js';

export const maxReentriesParams = z
  .object({
    /** Re-entries per symbol per day after the first entry (docs/lmp.md#lmp-8: 2). */
    max: positiveInt().default(2),
  })
  .strict();

export type MaxReentriesParams = z.output<typeof maxReentriesParams>;
