import { z } from 'zod';

export const priceSanityParams = z
  .object({
    /** Widest spread accepted, in basis points of the mid. */
    maxSpreadBps: z.number().positive().default(50),
    /** How far an entry's limit/trigger may sit from the mid, in basis points (fat-finger band). */
    maxDeviationBps: z.number().positive().default(100),
    /** Oldest quote accepted, in milliseconds of Clock time (kit T_stale: 5 s). */
    maxQuoteAgeMs: z.number().int().positive().default(5000),
  })
  .strict();

export type PriceSanityParams = z.output<typeof priceSanityParams>;
