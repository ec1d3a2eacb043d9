import { expect } from 'chai';
import fc from 'fast-check';
import { OrderRegistry, type TrackedOrder } from '../../core/engine/order-registry.js';
import type { Quantity } from '../../core/domain/units.js';

/** The registry's working-order queries against a plain filter over every order it was given, in the same order. */
describe('OrderRegistry working-order queries (property, against a full scan)', () => {
  const order = (i: number, strategy: number, symbol: number, role: TrackedOrder['role']): TrackedOrder => ({
    coid: `C${i}`,
    intentId: `I${i}`,
    strategyId: `s${strategy}`,
    symbol: `S${symbol}`,
    tradeId: role === 'entry' ? `t${i}` : null,
    role,
    reason: 'test',
    side: 'buy',
    type: 'limit',
    quantity: 100 as Quantity,
    filled: 0 as Quantity,
    terminal: false,
  });
  const step = fc.oneof(
    fc.record({
      op: fc.constant('add' as const),
      strategy: fc.integer({ min: 0, max: 2 }),
      symbol: fc.integer({ min: 0, max: 2 }),
      role: fc.constantFrom<TrackedOrder['role']>('entry', 'stop-loss', 'take-profit', 'exit'),
    }),
    fc.record({ op: fc.constant('terminal' as const), pick: fc.nat() }),
  );

  it('working(), workingFor() and pendingEntryTrade() equal a scan of all non-terminal orders, in insertion order', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        const reg = new OrderRegistry();
        const all: TrackedOrder[] = [];
        for (const s of steps) {
          if (s.op === 'add') {
            const o = order(all.length, s.strategy, s.symbol, s.role);
            all.push(o);
            reg.add(o);
          } else if (all.length > 0) reg.markTerminal(all[s.pick % all.length]!);
          const open = all.filter((o) => !o.terminal);
          expect(reg.working()).to.deep.equal(open);
          expect(reg.workingOrderCount).to.equal(open.length);
          for (let st = 0; st < 3; st++)
            for (let sy = 0; sy < 3; sy++) {
              const mine = open.filter((o) => o.strategyId === `s${st}` && o.symbol === `S${sy}`);
              expect(reg.workingFor(`s${st}`, `S${sy}`)).to.deep.equal(mine);
              const entry = mine.find((o) => o.role === 'entry' && o.tradeId !== null);
              expect(reg.pendingEntryTrade(`s${st}`, `S${sy}`)).to.equal(entry?.tradeId ?? null);
            }
        }
      }),
      { numRuns: 200 },
    );
  });
});
