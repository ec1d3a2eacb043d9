import { defineAdapter } from '../../plugins/sdk/define.js';
import { simulatedParams } from './params.js';
import { IBKR_FIXED, IBKR_TIERED } from './commission-model.js';
import { SimulatedBroker } from './simulated-broker.adapter.js';

export { SimulatedBroker } from './simulated-broker.adapter.js';
export { commissionFor, IBKR_FIXED, IBKR_TIERED } from './commission-model.js';

export default defineAdapter({
  id: 'simulated',
  apiVersion: 1,
  description: 'Simulated venue: seeded latency, book-walking fills, queue position for resting limits, OCA brackets, IBKR commissions.',
  provides: ['broker'],
  paramsSchema: simulatedParams,
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
