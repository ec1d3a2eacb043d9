import { z } from 'zod';
import { positiveInt } from '../shared/policy-kit.js';

export const consecutiveLossesParams = z
  .object({
    /** Losing trades in a row that end the day (docs/lmp.md#lmp-8: 3). A win resets the count. */
    max: positiveInt().default(3),
  })
  .strict();

export type ConsecutiveLossesParams = z.output<typeof consecutiveLossesParams>;
