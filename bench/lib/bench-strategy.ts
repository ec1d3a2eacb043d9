import { z } from 'zod';
import { defineStrategy } from '../../plugins/sdk/define.js';
import type { Strategy, StrategyContext } from '../../ports/strategy.js';
import { L2Arithmetic } from './l2-arithmetic.js';

const params = z
  .object({ symbol: z.string(), tick: z.number().int().positive().default(100), everySec: z.number().positive().default(300) })
  .strict();

/** The benchmark's L2 strategy: the shared arithmetic on every event, and a bracket entry now and then. */
export const benchStrategy = defineStrategy({
  id: 'bench-l2',
  apiVersion: 1,
  paramsSchema: params,
  create: (ctx: StrategyContext<z.output<typeof params>>): Strategy => {
    const a = new L2Arithmetic();
    let next = 0;
    return {
      id: ctx.strategyId,
      subscriptions: () => [{ symbol: ctx.params.symbol, streams: ['depth', 'tape'], levels: 10 }],
      onTrade: (t) => a.onTrade(t.recvTime, t.size, t.aggressor === 'unknown' ? null : t.aggressor === 'buy'),
      onBook: (book) => {
        a.onBatch(book);
        const now = ctx.clock.now();
        if (now < next || book.bestBid === 0 || book.bestAsk === 0 || a.imbalance < 0.3 || a.tapeImbalance() < 0) return;
        if ((ctx.position(ctx.params.symbol)?.quantity ?? 0) !== 0) return;
        next = now + ctx.params.everySec * 1_000_000;
        const r = ctx.submit({
          symbol: ctx.params.symbol,
          kind: 'entry',
          side: 'buy',
          type: 'limit',
          quantity: 10,
          limitPrice: book.bestAsk,
          stopLoss: book.bestBid - 10 * ctx.params.tick,
          takeProfit: book.bestAsk + 10 * ctx.params.tick,
          reason: 'bench',
        });
        ctx.decide({
          symbol: ctx.params.symbol,
          stage: 'entry',
          outcome: r.status,
          intentId: r.intentId,
          gates: { imbalance: { value: a.imbalance, threshold: 0.3, pass: true }, shelf: { value: a.shelfRatio, pass: true } },
        });
      },
    };
  },
});
