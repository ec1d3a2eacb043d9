import { expect } from 'chai';
import fc from 'fast-check';
import type { OrderRequest } from '../../core/domain/orders.js';
import { simHarness } from '../support/sim-harness.js';

type Step =
  | { k: 'order'; side: 'buy' | 'sell'; type: 'market' | 'limit' | 'stop'; offset: number; qty: number; bracket: boolean }
  | { k: 'print'; offset: number; size: number; buy: boolean }
  | { k: 'level'; bid: boolean; offset: number; size: number }
  | { k: 'cancel'; n: number }
  | { k: 'wait'; us: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    k: fc.constant('order' as const),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    type: fc.constantFrom('market' as const, 'limit' as const, 'stop' as const),
    offset: fc.integer({ min: -3, max: 3 }),
    qty: fc.integer({ min: 1, max: 600 }),
    bracket: fc.boolean(),
  }),
  fc.record({
    k: fc.constant('print' as const),
    offset: fc.integer({ min: -4, max: 4 }),
    size: fc.integer({ min: 1, max: 500 }),
    buy: fc.boolean(),
  }),
  fc.record({
    k: fc.constant('level' as const),
    bid: fc.boolean(),
    offset: fc.integer({ min: 0, max: 4 }),
    size: fc.integer({ min: 0, max: 900 }),
  }),
  fc.record({ k: fc.constant('cancel' as const), n: fc.nat(20) }),
  fc.record({ k: fc.constant('wait' as const), us: fc.integer({ min: 0, max: 3000 }) }),
);

async function play(steps: Step[], seed: number) {
  const h = simHarness({ queueModel: 'probabilistic', seed });
  await h.broker.connect();
  for (let i = 0; i < 5; i++) {
    h.level('bid', 100_00 - i, 300, 'insert');
    h.level('ask', 100_01 + i, 300, 'insert');
  }
  const coids: string[] = [];
  let n = 0;
  for (const s of steps) {
    if (s.k === 'order') {
      const coid = `o${++n}`;
      const price = (s.side === 'buy' ? 100_00 : 100_01) + s.offset;
      const o: OrderRequest = {
        coid,
        symbol: 'X',
        side: s.side,
        type: s.type,
        quantity: s.qty,
        tif: 'day',
        orderRef: coid,
        ...(s.type === 'limit' ? { limitPrice: price } : {}),
        ...(s.type === 'stop' ? { triggerPrice: price } : {}),
      };
      if (s.bracket && s.type !== 'stop') {
        const exit = s.side === 'buy' ? 'sell' : 'buy';
        h.broker.submitBracket({
          bracketId: `b${n}`,
          parent: o,
          stopLoss: {
            ...o,
            coid: `${coid}.sl`,
            side: exit,
            type: 'stop',
            triggerPrice: price - (s.side === 'buy' ? 3 : -3),
            limitPrice: undefined,
            ocaGroup: `g${n}`,
          },
          takeProfit: {
            ...o,
            coid: `${coid}.tp`,
            side: exit,
            type: 'limit',
            limitPrice: price + (s.side === 'buy' ? 3 : -3),
            ocaGroup: `g${n}`,
          },
        });
        coids.push(coid, `${coid}.sl`, `${coid}.tp`);
      } else {
        h.broker.submit(o);
        coids.push(coid);
      }
    } else if (s.k === 'print') h.print(100_00 + s.offset, s.size, s.buy ? 'buy' : 'sell');
    else if (s.k === 'level') h.level(s.bid ? 'bid' : 'ask', s.bid ? 100_00 - s.offset : 100_01 + s.offset, s.size);
    else if (s.k === 'cancel' && coids.length > 0) h.broker.cancel(coids[s.n % coids.length]!);
    else if (s.k === 'wait') h.advance(s.us);
  }
  h.advance(10_000);
  return h;
}

describe('SimulatedBroker properties (fast-check)', () => {
  it('never overfills, cumQty is monotone and sums the fills, exec ids are unique, OCA children never both fill, one terminal state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), fc.nat(1000), async (steps, seed) => {
        const h = await play(steps, seed);
        const byCoid = new Map<string, number>();
        const execs = new Set<string>();
        for (const f of h.fills()) {
          expect(execs.has(f.execId)).to.equal(false);
          execs.add(f.execId);
          const cum = (byCoid.get(f.coid) ?? 0) + f.qty;
          expect(f.cumQty).to.equal(cum);
          byCoid.set(f.coid, cum);
          expect(f.leavesQty).to.be.at.least(0);
          expect(Number.isInteger(f.price) && Number.isInteger(f.commission)).to.equal(true);
        }
        for (const [coid] of byCoid) {
          if (coid.endsWith('.sl') && byCoid.has(coid.replace('.sl', '.tp'))) expect.fail(`both OCA legs of ${coid} filled`);
        }
        const terminal = new Map<string, number>();
        for (const e of h.events) {
          if (e.name === 'order.cancelled' || e.name === 'order.rejected' || (e.name === 'order.filled' && e.p.status === 'Filled')) {
            const coid = e.p.coid as string;
            terminal.set(coid, (terminal.get(coid) ?? 0) + 1);
          }
        }
        for (const [coid, count] of terminal) expect(count, coid).to.equal(1);
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic: the same stream and seed give identical fills', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 50 }), fc.nat(1000), async (steps, seed) => {
        const a = (await play(steps, seed)).fills();
        const b = (await play(steps, seed)).fills();
        expect(a).to.deep.equal(b);
      }),
      { numRuns: 60 },
    );
  });
});
