import { z } from 'zod';

/** Prices in the strategy are integer ten-thousandths; `tick` 100 = $0.01. */
export const imbalanceTickParams = z
  .object({
    symbol: z.string().min(1),
    tick: z.number().int().positive().default(100),
    quantity: z.number().int().positive().default(100),
    minImbalance: z.number().min(-1).max(1).default(0.4),
    maxSpreadTicks: z.number().positive().default(2),
    stopTicks: z.number().int().positive().default(4),
    targetTicks: z.number().int().positive().default(6),
    cooldownSeconds: z.number().nonnegative().default(60),
    maxHoldSeconds: z.number().positive().default(120),
  })
  .strict();

export type ImbalanceTickParams = z.output<typeof imbalanceTickParams>;
