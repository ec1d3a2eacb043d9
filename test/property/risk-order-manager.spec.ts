import { expect } from 'chai';
import fc from 'fast-check';
import type { BookView } from '../../core/domain/book-view.js';
import { EventLoop } from '../../core/engine/event-loop.js';
import { JournalWriter } from '../../core/engine/journal-writer.js';
import { Ledger } from '../../core/engine/ledger.js';
import { OrderManager } from '../../core/engine/order-manager.js';
import { RiskContextView } from '../../core/risk/risk-context.js';
import { TradeTracker } from '../../core/engine/trade-tracker.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { EventBus } from '../../core/events/event-bus.js';
import { RiskGate } from '../../core/risk/risk-gate.js';
import { builtinRiskPolicies } from '../../plugins/risk-policies/index.js';
import type { PluginContext } from '../../plugins/sdk/contexts.js';
import type { BreachAction, OrderIntent, TradingState } from '../../ports/risk-policy.js';
import { MemoryJournal } from '../support/memory-journal.js';
import { RecordingBroker } from '../support/recording-broker.js';

const TEN_NY = Date.parse('2026-03-10T14:00:00Z') * 1000; // 10:00 New York (EDT)
const PARAMS: Record<string, unknown> = { 'max-position': { maxShares: 800 }, 'max-order-size': { maxQuantity: 1000 } };

function engine(actions: readonly BreachAction[]) {
  const clock = new ManualClock(TEN_NY);
  const loop = new EventLoop();
  const bus = new EventBus(() => clock.now());
  const journal = new MemoryJournal();
  void journal.openSession({
    sessionId: 's',
    mode: 'replay',
    strategy: 'x',
    learner: 'none',
    seed: 1,
    config: {},
    startedAt: 0,
    wallStartedAt: '',
  });
  const writer = new JournalWriter(journal, 's', loop, clock);
  const ledger = new Ledger(1_000_000_000);
  const tracker = new TradeTracker();
  const broker = new RecordingBroker();
  const book = {
    get bestBid() {
      return 99_990;
    },
    get bestAsk() {
      return 100_000;
    },
    get lastRecvTime() {
      return clock.now();
    },
  } as unknown as BookView;
  const chain = builtinRiskPolicies.map((m, k) => ({
    pluginId: m.id,
    action: actions[k % actions.length]!,
    policy: m.create({ pluginId: m.id, params: m.paramsSchema.parse(PARAMS[m.id] ?? {}) } as PluginContext<unknown>),
  }));
  let orders: OrderManager | undefined;
  const gate = new RiskGate(chain, {
    stateChanged: (e) => {
      if (e.to === 'HALT') orders?.flattenAll(`kill-switch: ${e.reason.code}`);
    },
  });
  const risk = new RiskContextView({
    clock,
    ledger,
    tracker,
    state: () => gate.state,
    book: () => book,
    openOrderCount: () => 0,
    ordersToday: () => orders?.ordersSent ?? 0,
    pausedSymbols: new Set(),
  });
  orders = new OrderManager({
    broker,
    gate,
    risk,
    clock,
    bus,
    ledger,
    tracker,
    journal: writer,
    notify: () => {},
    sessionTag: 'tag',
    post: (t) => loop.post(t),
  });
  orders.attach();
  return { clock, gate, orders, broker, journal, risk };
}

type Step =
  | { op: 'intent'; kind: 'entry' | 'exit'; side: 'buy' | 'sell'; qty: number; stopOffset: number | null; bracket: boolean }
  | { op: 'escalate'; to: TradingState }
  | { op: 'clear' }
  | { op: 'advance'; seconds: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('intent' as const),
      kind: fc.constantFrom('entry' as const, 'exit' as const),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      qty: fc.integer({ min: 1, max: 1500 }),
      stopOffset: fc.option(fc.integer({ min: -500, max: 500 }), { nil: null }),
      bracket: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('escalate' as const), to: fc.constantFrom<TradingState>('SAFE_MODE', 'HALT') }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 600 }) }) },
);

describe('property: no order reaches the broker without the risk gate', () => {
  it('every strategy order has an earlier approval; nothing routes in HALT; no entry routes in SAFE_MODE', () => {
    let routed = 0;
    let flattened = 0;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<BreachAction>('warn', 'reject', 'halt'), { minLength: 1, maxLength: 3 }),
        fc.array(stepArb, { maxLength: 40 }),
        (actions, steps) => {
          const e = engine(actions);
          const sentIn = new Map<string, { state: TradingState; kind: string }>();
          let n = 0;
          for (const s of steps) {
            if (s.op === 'escalate') e.gate.escalate(s.to, { code: 'RISK.OUTAGE', limit: 'test', observed: 1, threshold: 0 }, 'auto');
            else if (s.op === 'clear') e.gate.clear('op', 'test', e.risk);
            else if (s.op === 'advance') e.clock.advanceTo(e.clock.now() + s.seconds * 1_000_000);
            else {
              const state = e.gate.state;
              const intentId = `p-i${++n}`;
              const limitPrice = 100_000;
              const input: Omit<OrderIntent, 'strategyId' | 'intentId'> & { intentId: string } = {
                intentId,
                symbol: 'XYZ',
                kind: s.kind,
                side: s.side,
                type: 'limit',
                quantity: s.qty,
                limitPrice,
                reason: 'p',
              };
              if (s.stopOffset !== null) input.stopLoss = limitPrice + s.stopOffset;
              if (s.bracket) input.takeProfit = s.side === 'buy' ? limitPrice + 300 : limitPrice - 300;
              const r = e.orders.submitIntent('p', input);
              if (r.status === 'sent') sentIn.set(intentId, { state, kind: s.kind });
            }
          }
          const journal = e.journal.all();
          const approvedAt = new Map<string, number>();
          journal.forEach((j, idx) => {
            if (j.type === 'risk.approved') approvedAt.set((j.data.intent as OrderIntent).intentId, idx);
          });
          for (const o of e.broker.submitted) {
            if (/-k\d+$/.test(o.coid)) {
              flattened++;
              continue;
            } // kill-switch flatten orders are the gate's own reaction to HALT
            const intentId = o.coid.slice(0, o.coid.lastIndexOf('.'));
            expect(approvedAt.has(intentId), `order ${o.coid} without approval`).to.equal(true);
            const at = sentIn.get(intentId);
            expect(at, `order ${o.coid} from an intent that was not sent`).to.not.equal(undefined);
            expect(at!.state).to.not.equal('HALT');
            if (at!.kind === 'entry') expect(at!.state).to.equal('RUNNING');
            routed++;
          }
        },
      ),
      { numRuns: 300, seed: 5 },
    );
    // Not vacuous: many intents were approved and routed. (No fills here, so flatten sends cancels only.)
    expect(routed).to.be.greaterThan(100);
    expect(flattened).to.equal(0);
  });

  it('an approved intent reaches the broker after one commit holding its approval and its order requests', () => {
    for (const bracket of [false, true]) {
      const e = engine(['warn']);
      const before = e.journal.commits;
      const rowsBefore = e.journal.all().length;
      let atSubmit: { commits: number; rows: string[] } | null = null;
      const journal = e.journal;
      const submit = (): void => {
        atSubmit = {
          commits: journal.commits - before,
          rows: journal
            .all()
            .slice(rowsBefore)
            .map((j) => j.type),
        };
      };
      const broker = e.broker as unknown as { submit: (o: unknown) => unknown; submitBracket: (b: unknown) => unknown };
      const plain = broker.submit.bind(broker);
      const brk = broker.submitBracket.bind(broker);
      broker.submit = (o) => (submit(), plain(o));
      broker.submitBracket = (b) => (submit(), brk(b));
      const r = e.orders.submitIntent('p', {
        symbol: 'XYZ',
        kind: 'entry',
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice: 100_000,
        stopLoss: 99_000,
        ...(bracket ? { takeProfit: 100_300 } : {}),
        reason: 'one commit',
      });
      expect(r.status).to.equal('sent');
      // Before the broker call: exactly one commit, and it covered the approval and every order request.
      expect(atSubmit).to.deep.equal({
        commits: 1,
        rows: ['risk.approved', ...Array(bracket ? 3 : 1).fill('order.requested')],
      });
      expect(e.journal.commits - before).to.equal(1);
    }
  });
});
