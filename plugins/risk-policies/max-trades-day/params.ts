import { z } from 'zod';
import { positiveInt } from '../shared/policy-kit.js';

export const maxTradesDayParams = z
  .object({
    /** Entries per New York trading day (docs/lmp.md#lmp-8: 5). */
    max: positiveInt().default(5),
  })
  .strict();

export type MaxTradesDayParams = z.output<typeof maxTradesDayParams>;
