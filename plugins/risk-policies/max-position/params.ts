import { z } from 'zod';
import { dollarAmount, positiveInt } from '../shared/policy-kit.js';

export const maxPositionParams = z
  .object({
    /** Largest position value after the entry fills, in account currency (dollars). */
    maxPositionValue: dollarAmount().optional(),
    /** Largest absolute position after the entry fills, in shares. */
    maxShares: positiveInt().optional(),
  })
  .strict()
  .refine((p) => p.maxPositionValue !== undefined || p.maxShares !== undefined, {
    message: 'set maxPositionValue and/or maxShares',
  });

export type MaxPositionParams = z.output<typeof maxPositionParams>;
