import { z } from 'zod';
import { positiveInt } from '../shared/policy-kit.js';

export const maxOpenPositionsParams = z
  .object({
    /** Symbols with a non-zero position at once (v1 trades one active symbol). */
    max: positiveInt().default(1),
  })
  .strict();

export type MaxOpenPositionsParams = z.output<typeof maxOpenPositionsParams>;
