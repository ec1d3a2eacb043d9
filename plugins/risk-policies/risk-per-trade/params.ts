import { z } from 'zod';
import { percent } from '../shared/policy-kit.js';

export const riskPerTradeParams = z
  .object({
    /** r: the most one trade may lose at its stop, in percent of equity (docs/lmp.md#lmp-8: 0.25 %). */
    riskPct: percent().default(0.25),
    /** Which equity r applies to: the current equity (default) or the session's start equity. */
    equity: z.enum(['current', 'start']).default('current'),
  })
  .strict();

export type RiskPerTradeParams = z.output<typeof riskPerTradeParams>;
