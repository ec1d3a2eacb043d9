import { z } from 'zod';

/** The `simulated` broker's params (zod): latency, commission schedule and queue model; every default is the venue the replay runs against. */
export const simulatedParams = z
  .object({
    /** Order-entry latency and its seeded jitter, µs. */
    latencyUs: z.number().int().nonnegative().default(2_000),
    latencyJitterUs: z.number().int().nonnegative().default(1_000),
    commission: z
      .object({
        model: z.enum(['fixed', 'tiered']).default('fixed'),
        perShare: z.number().nonnegative().optional(),
        minimum: z.number().nonnegative().optional(),
        maxFraction: z.number().nonnegative().optional(),
      })
      .strict()
      .default({ model: 'fixed' }),
    /** How cancels ahead of a resting order move it: never ('tail') or in proportion to the queue ahead. */
    queueModel: z.enum(['tail', 'probabilistic']).default('tail'),
  })
  .strict();

export type SimulatedParams = z.output<typeof simulatedParams>;
