import { z } from 'zod';
import { percent } from '../shared/policy-kit.js';

export const dailyLossParams = z
  .object({
    /** The day stops when net PnL (realized + unrealized − commissions) ≤ −maxLossPct % of start equity. */
    maxLossPct: percent().default(1.0),
  })
  .strict();

export type DailyLossParams = z.output<typeof dailyLossParams>;
