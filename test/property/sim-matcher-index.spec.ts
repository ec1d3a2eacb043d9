import { expect } from 'chai';
import fc from 'fast-check';
import type { OrderRequest } from '../../core/domain/orders.js';
import type { BrokerEventName } from '../../ports/broker-adapter.js';
import { simHarness } from '../support/sim-harness.js';
import { ScanningSimMatcher } from '../support/scanning-sim-matcher.js';

const SYMBOLS = ['X', 'Y'] as const;
/**
 * Each symbol's mid. Orders, rows and prints all fall on a few ticks either side of it, so limits meet rows at, through
 * and short of them: the boundaries the index must judge as the scan does.
 */
const MID = { X: 100_00, Y: 50_00 } as const;

type Sym = (typeof SYMBOLS)[number];
type Step =
  | {
      k: 'order';
      sym: Sym;
      side: 'buy' | 'sell';
      type: 'market' | 'limit' | 'stop' | 'stop-limit';
      offset: number;
      qty: number;
      bracket: boolean;
    }
  | { k: 'print'; sym: Sym; offset: number; size: number; buy: boolean }
  | { k: 'level'; sym: Sym; bid: boolean; offset: number; size: number; op: 'insert' | 'update' | 'delete' }
  | { k: 'cancel'; n: number }
  | { k: 'modify'; n: number; limit: number | null; trigger: number | null; qty: number | null }
  | { k: 'wait'; us: number };

const sym = fc.constantFrom(...SYMBOLS);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('order' as const),
      sym,
      side: fc.constantFrom('buy' as const, 'sell' as const),
      type: fc.constantFrom('market' as const, 'limit' as const, 'stop' as const, 'stop-limit' as const),
      offset: fc.integer({ min: -4, max: 4 }),
      qty: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1000, max: 3000 })),
      bracket: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('print' as const),
      sym,
      offset: fc.integer({ min: -5, max: 5 }),
      size: fc.integer({ min: 1, max: 500 }),
      buy: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('level' as const),
      sym,
      bid: fc.boolean(),
      offset: fc.integer({ min: -5, max: 5 }),
      size: fc.integer({ min: 0, max: 900 }),
      op: fc.constantFrom('insert' as const, 'update' as const, 'delete' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cancel' as const), n: fc.nat(30) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('modify' as const),
      n: fc.nat(30),
      limit: fc.option(fc.integer({ min: -4, max: 4 })),
      trigger: fc.option(fc.integer({ min: -4, max: 4 })),
      qty: fc.option(fc.integer({ min: 1, max: 800 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('wait' as const), us: fc.integer({ min: 0, max: 3000 }) }) },
);

const ALL_EVENTS: BrokerEventName[] = [
  'order.submitted',
  'order.accepted',
  'order.triggered',
  'order.filled',
  'order.cancel-requested',
  'order.cancelled',
  'order.cancel-rejected',
  'order.modify-requested',
  'order.modified',
  'order.modify-rejected',
  'order.rejected',
  'bracket.failed',
  'position.changed',
];

/** Plays `steps` on a simulated venue with the given matcher; returns everything it said, in order, with the step kind that made it say it. */
async function play(steps: Step[], seed: number, queueModel: 'tail' | 'probabilistic', scanning: boolean) {
  const h = simHarness({ queueModel, seed, symbols: [...SYMBOLS], ...(scanning ? { Matcher: ScanningSimMatcher } : {}) });
  const said: [BrokerEventName, unknown, Step['k'] | 'setup'][] = [];
  let now: Step['k'] | 'setup' = 'setup';
  for (const name of ALL_EVENTS) h.broker.on(name, (p) => said.push([name, p, now]));
  await h.broker.connect();
  for (const s of SYMBOLS) {
    for (let i = 0; i < 5; i++) {
      h.level('bid', MID[s] - 1 - i, 300, 'insert', s);
      h.level('ask', MID[s] + 1 + i, 300, 'insert', s);
    }
  }
  const coids: string[] = [];
  let n = 0;
  for (const s of steps) {
    now = s.k;
    if (s.k === 'order') {
      const coid = `o${++n}`;
      const price = MID[s.sym] + s.offset;
      const o: OrderRequest = {
        coid,
        symbol: s.sym,
        side: s.side,
        type: s.type,
        quantity: s.qty,
        tif: 'day',
        orderRef: coid,
        ...(s.type === 'limit' || s.type === 'stop-limit' ? { limitPrice: price } : {}),
        ...(s.type === 'stop' || s.type === 'stop-limit' ? { triggerPrice: price } : {}),
      };
      if (s.bracket && (s.type === 'limit' || s.type === 'market')) {
        const exit = s.side === 'buy' ? 'sell' : 'buy';
        const away = s.side === 'buy' ? 3 : -3;
        h.broker.submitBracket({
          bracketId: `b${n}`,
          parent: o,
          stopLoss: {
            ...o,
            coid: `${coid}.sl`,
            side: exit,
            type: 'stop',
            triggerPrice: price - away,
            limitPrice: undefined,
            ocaGroup: `g${n}`,
          },
          takeProfit: { ...o, coid: `${coid}.tp`, side: exit, type: 'limit', limitPrice: price + away, ocaGroup: `g${n}` },
        });
        coids.push(coid, `${coid}.sl`, `${coid}.tp`);
      } else {
        h.broker.submit(o);
        coids.push(coid);
      }
    } else if (s.k === 'print') h.print(MID[s.sym] + s.offset, s.size, s.buy ? 'buy' : 'sell', s.sym);
    else if (s.k === 'level') h.level(s.bid ? 'bid' : 'ask', MID[s.sym] + s.offset, s.op === 'delete' ? 0 : s.size, s.op, s.sym);
    else if (s.k === 'cancel' && coids.length > 0) h.broker.cancel(coids[s.n % coids.length]!);
    else if (s.k === 'modify') {
      // An open order, mostly: a modify of a finished one is refused before it reaches the matcher.
      const open = h.broker.openOrders();
      const target = open.length > 0 ? open[s.n % open.length]! : undefined;
      if (target === undefined) continue;
      const base = MID[target.symbol as Sym];
      h.broker.modify(target.coid, {
        ...(s.limit === null ? {} : { limitPrice: base + s.limit }),
        ...(s.trigger === null ? {} : { triggerPrice: base + s.trigger }),
        ...(s.qty === null ? {} : { quantity: s.qty }),
      });
    } else if (s.k === 'wait') h.advance(s.us);
  }
  now = 'wait';
  h.advance(10_000);
  return { said, executions: h.broker.executions(), positions: h.broker.positions(), open: h.broker.openOrders() };
}

const buy = (offset: number, qty = 100): Step => ({ k: 'order', sym: 'X', side: 'buy', type: 'limit', offset, qty, bracket: false });
const wait: Step = { k: 'wait', us: 2000 };
const far: Step = { k: 'level', sym: 'X', bid: false, offset: 5, size: 200, op: 'update' };
/** Cases random runs reach too seldom to be sure of: each failed a deliberately broken index. */
const EXAMPLES: [Step[], number, 'tail' | 'probabilistic'][] = [
  // A reprice moves the order to another level and a nearer limit: a row at the new limit fills it.
  // (A row between arrival and the modify has the order indexed at its old terms.)
  [
    [
      buy(-3),
      wait,
      far,
      { k: 'modify', n: 0, limit: -1, trigger: null, qty: null },
      wait,
      { k: 'level', sym: 'X', bid: false, offset: -1, size: 50, op: 'insert' },
    ],
    1,
    'tail',
  ],
  // Two orders at one level both see the size cancelled ahead of them, and both advance on the print.
  [
    [
      buy(-1),
      buy(-1),
      wait,
      { k: 'level', sym: 'X', bid: true, offset: -1, size: 100, op: 'update' },
      { k: 'print', sym: 'X', offset: -1, size: 150, buy: false },
    ],
    1,
    'probabilistic',
  ],
];

describe('SimMatcher price-level index (fast-check)', () => {
  it('fills, triggers, cancels and draws exactly like the matcher that scans every working order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 100, size: 'max' }),
        fc.nat(1000),
        fc.constantFrom('tail' as const, 'probabilistic' as const),
        async (steps, seed, queueModel) => {
          const indexed = await play(steps, seed, queueModel, false);
          const scanning = await play(steps, seed, queueModel, true);
          expect(indexed).to.deep.equal(scanning);
        },
      ),
      { numRuns: 300, examples: EXAMPLES },
    );
  });

  it('has something to compare: rows fill resting orders, prints trigger stops, modifies reach working orders', async () => {
    // Guards the property above against a generator that never reaches the index (runs without any would pass it).
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 40, maxLength: 100, size: 'max' }), fc.nat(1000), async (steps, seed) => {
        for (const [name, , cause] of (await play(steps, seed, 'probabilistic', false)).said) seen.add(`${name} on ${cause}`);
      }),
      { numRuns: 40 },
    );
    for (const what of ['order.filled on level', 'order.filled on print', 'order.triggered on print', 'order.modified on wait'])
      expect([...seen]).to.include(what);
  });
});
