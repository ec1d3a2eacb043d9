import type { BookView } from '../../core/domain/book-view.js';
import type { RiskReason, TradingState } from '../../ports/risk-policy.js';
import { EventBus } from '../../core/events/event-bus.js';
import { EventLoop } from '../../core/engine/event-loop.js';
import { JournalWriter } from '../../core/engine/journal-writer.js';
import { Ledger } from '../../core/engine/ledger.js';
import { OrderManager, type RiskGateLike } from '../../core/engine/order-manager.js';
import { RiskContextView } from '../../core/risk/risk-context.js';
import { TradeTracker } from '../../core/engine/trade-tracker.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { MemoryJournal } from './memory-journal.js';
import { RecordingBroker } from './recording-broker.js';

const ALLOW_ALL: RiskGateLike = { state: 'RUNNING', evaluate: () => ({ action: 'allow', reasons: [], warnings: [] }), monitor: () => {} };

/** An OrderManager on a recording broker (which never answers on its own), an in-memory journal and a manual clock. */
export function orderManagerHarness(gate: RiskGateLike = ALLOW_ALL, quote: { bid: number; ask: number } | null = null) {
  const clock = new ManualClock(1_000);
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
  const book = quote === null ? undefined : ({ bestBid: quote.bid, bestAsk: quote.ask, lastRecvTime: 0 } as unknown as BookView);
  const risk = new RiskContextView({
    clock,
    ledger,
    tracker,
    state: () => 'RUNNING',
    book: () => book,
    openOrderCount: () => 0,
    ordersToday: () => 0,
    pausedSymbols: new Set(),
  });
  const escalations: Array<{ to: TradingState; reason: RiskReason }> = [];
  const alerts: unknown[] = [];
  bus.on('flatten.escalated', (e) => alerts.push(e));
  const orders = new OrderManager({
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
    escalate: (to, reason) => {
      escalations.push({ to, reason });
    },
  });
  orders.attach();
  let exec = 0;
  /** The venue's fill of `coid` on symbol X at 10.0000, as the broker would report it. */
  const fill = (coid: string, side: 'buy' | 'sell', qty: number, cumQty: number, leavesQty: number): void =>
    broker.emit('order.filled', {
      coid,
      execId: `x${++exec}`,
      symbol: 'X',
      side,
      qty,
      price: 100_000,
      cumQty,
      leavesQty,
      status: leavesQty === 0 ? 'Filled' : 'PartiallyFilled',
      commission: 0,
      orderRef: '',
      at: clock.now(),
    });
  /** A bracket entry of strategy s1: buy X at 10.01, stop 9.90, target 10.20; its parent, stop and target coids. */
  const bracketEntry = (quantity: number): { parent: string; stop: string; target: string } => {
    const r = orders.submitIntent('s1', {
      symbol: 'X',
      kind: 'entry',
      side: 'buy',
      type: 'limit',
      quantity,
      limitPrice: 100_100,
      stopLoss: 99_000,
      takeProfit: 102_000,
      reason: 't',
    });
    if (r.status !== 'sent') throw new Error('setup');
    const [parent, stop, target] = r.coids as [string, string, string];
    return { parent, stop, target };
  };
  return { clock, loop, orders, broker, journal, ledger, tracker, escalations, alerts, fill, bracketEntry };
}
