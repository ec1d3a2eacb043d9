import { z } from 'zod';
import { dollarAmount, positiveInt } from '../shared/policy-kit.js';

export const maxOrderSizeParams = z
  .object({
    /** Largest notional of one order, in account currency (dollars). */
    maxNotional: dollarAmount().optional(),
    /** Largest quantity of one order, in shares. */
    maxQuantity: positiveInt().optional(),
  })
  .strict()
  .refine((p) => p.maxNotional !== undefined || p.maxQuantity !== undefined, { message: 'set maxNotional and/or maxQuantity' });

export type MaxOrderSizeParams = z.output<typeof maxOrderSizeParams>;
