import { z } from 'zod';
import { positiveInt } from '../shared/policy-kit.js';

export const maxOrdersDayParams = z
  .object({
    /** Orders sent per trading day (HV-014 max daily orders). */
    max: positiveInt().default(20),
  })
  .strict();

export type MaxOrdersDayParams = z.output<typeof maxOrdersDayParams>;
