import { z } from 'zod';
import { defineAdapter } from '../../plugins/sdk/define.js';
import { IBKR_FIXED, IBKR_TIERED } from './commission-model.js';
import { SimulatedBroker } from './simulated-broker.adapter.js';

export { SimulatedBroker } from './simulated-broker.adapter.js';
export { commissionFor, IBKR_FIXED, IBKR_TIERED } from './commission-model.js';

const params = z
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

export default defineAdapter({
  id: 'simulated',
  apiVersion: 1,
  description: 'Simulated venue: seeded latency, book-walking fills, queue position for resting limits, OCA brackets, IBKR commissions.',
  provides: ['broker'],
  paramsSchema: params,
  create: (ctx) => {
    const p = ctx.params;
    const base = p.commission.model === 'tiered' ? IBKR_TIERED : IBKR_FIXED;
    const broker = new SimulatedBroker({
      clock: ctx.clock,
      market: ctx.market,
      random: ctx.random,
      latencyUs: p.latencyUs,
      jitterUs: p.latencyJitterUs,
      commission: { ...base, ...Object.fromEntries(Object.entries(p.commission).filter(([, v]) => v !== undefined)) } as typeof base,
      queueModel: p.queueModel,
      startEquity: ctx.account.startEquity,
      account: ctx.account.id ?? 'SIM',
      execPrefix: `sim${ctx.seed}`,
      tickOf: (symbol) => ctx.instrument(symbol)?.tick,
      lists: (symbol) => ctx.market.book(symbol) !== undefined || ctx.instrument(symbol) !== undefined,
    });
    return { broker, close: () => broker.dispose() };
  },
});
