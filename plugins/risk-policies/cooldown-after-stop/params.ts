import { z } from 'zod';

export const cooldownAfterStopParams = z
  .object({
    /** Quiet time after a stop-out in a symbol before a new entry in it (docs/lmp.md#lmp-8: 3 minutes). */
    seconds: z.number().int().positive().default(180),
  })
  .strict();

export type CooldownAfterStopParams = z.output<typeof cooldownAfterStopParams>;
