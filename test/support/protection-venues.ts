import { IBKR_FIXED } from '../../adapters/simulated/commission-model.js';
import { SimulatedBroker } from '../../adapters/simulated/simulated-broker.adapter.js';
import type { BookView } from '../../core/domain/book-view.js';
import type { DepthEvent, MarketEvent, TradeEvent } from '../../core/domain/market.js';
import { Sfc32 } from '../../core/domain/random.js';
import { EventLoop } from '../../core/engine/event-loop.js';
import { JournalWriter } from '../../core/engine/journal-writer.js';
import { Ledger } from '../../core/engine/ledger.js';
import { MarketRouter } from '../../core/engine/market-router.js';
import { OrderManager, type RiskGateLike } from '../../core/engine/order-manager.js';
import { RiskContextView } from '../../core/risk/risk-context.js';
import { TradeTracker } from '../../core/engine/trade-tracker.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { EventBus } from '../../core/events/event-bus.js';
import type { IBrokerAdapter } from '../../ports/broker-adapter.js';
import type { Clock } from '../../ports/clock.js';
import type { RiskReason, TradingState } from '../../ports/risk-policy.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import { BrokerBackedMatcher, FakeMarketView, FakeTwsServer, wallClock } from '../../adapters/fake-tws/index.js';
import { MemoryJournal } from './memory-journal.js';
import { TEST_ACCOUNT, createTwsAdapter, sleep, until } from './tws-adapter-harness.js';

export const SYMBOL = 'PROT';
export const TICK = 100;
export const BASE = 1_000_000;

/** The venue a protection run trades on: the simulated broker in process, or the TWS adapter on the fake TWS. */
export interface ProtectionVenue {
  readonly broker: IBrokerAdapter;
  readonly clock: Clock;
  /** Publish one market event to the venue (and, for the kernel's quotes, to `book`). */
  publish(e: MarketEvent): void;
  /** Let everything in flight be answered (latency timers, sockets). */
  settle(): Promise<void>;
  /** The venue refuses the next order that reaches it. */
  rejectNext(): void;
  /** The API link drops (orders keep working at the venue) and comes back, reconciled. */
  drop(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

const ALLOW: RiskGateLike = { state: 'RUNNING', evaluate: () => ({ action: 'allow', reasons: [], warnings: [] }), monitor: () => {} };

/** The kernel's order path (order manager, ledger, tracker, journal) on a venue; `book` gives it quotes. */
export function protectionKernel(venue: ProtectionVenue, book: () => BookView | undefined) {
  const clock = venue.clock;
  const loop = new EventLoop();
  const bus = new EventBus(() => clock.now());
  const journal = new MemoryJournal();
  void journal.openSession({
    sessionId: 'p',
    mode: 'replay',
    strategy: 'x',
    learner: 'none',
    seed: 1,
    config: {},
    startedAt: 0,
    wallStartedAt: '',
  });
  const writer = new JournalWriter(journal, 'p', loop, clock);
  const ledger = new Ledger(1_000_000_000);
  const tracker = new TradeTracker();
  const escalations: Array<{ to: TradingState; reason: RiskReason }> = [];
  const risk = new RiskContextView({
    clock,
    ledger,
    tracker,
    state: () => 'RUNNING',
    book,
    openOrderCount: () => 0,
    ordersToday: () => 0,
    pausedSymbols: new Set(),
  });
  const orders = new OrderManager({
    broker: venue.broker,
    gate: ALLOW,
    risk,
    clock,
    bus,
    ledger,
    tracker,
    journal: writer,
    notify: () => {},
    sessionTag: 'pt',
    post: (t) => loop.post(t),
    escalate: (to, reason) => {
      escalations.push({ to, reason });
    },
  });
  const detach = orders.attach();
  return { orders, journal, ledger, tracker, escalations, bus, detach };
}

/** The simulated broker in process, on a manual clock; its market is a kernel router. */
export function simVenue(): ProtectionVenue & { router: MarketRouter } {
  const clock = new ManualClock(1_700_000_000_000_000);
  const router = new MarketRouter(new EventLoop(), new EventBus(), new Ledger(0), 5);
  router.addSymbol(SYMBOL, 10);
  const broker = new SimulatedBroker({
    clock,
    market: router,
    random: new Sfc32(5),
    latencyUs: 1_000,
    jitterUs: 500,
    commission: IBKR_FIXED,
    queueModel: 'tail',
    startEquity: 1_000_000_000,
    account: 'SIM',
    execPrefix: 'pv',
  });
  return {
    broker,
    clock,
    router,
    publish: (e) => {
      if (e.kind === 'depth') router.handleDepth(e);
      else if (e.kind === 'trade') router.handleTrade(e);
    },
    settle: async () => {
      clock.advanceTo(clock.now() + 5_000);
    },
    rejectNext: () => broker.rejectNext('no liquidity'),
    drop: () => broker.disconnect(),
    restore: () => broker.connect(),
    close: () => broker.dispose(),
  };
}

/** A two-sided market moved one step at a time: top of book replaced, with prints at the touch. */
export class SteppedMarket {
  bid = BASE;
  private seq = 0;
  constructor(private readonly venue: ProtectionVenue) {}

  private depth(side: 'bid' | 'ask', price: number, size: number, operation: DepthEvent['operation'], end: boolean): DepthEvent {
    const t = this.venue.clock.now();
    return {
      kind: 'depth',
      symbol: SYMBOL,
      side,
      position: -1,
      operation,
      price,
      size,
      marketMaker: '',
      endOfBatch: end,
      seq: ++this.seq,
      epoch: 1,
      recvTime: t,
      exchTime: t,
    };
  }

  open(askSize: number): void {
    this.venue.publish(this.depth('bid', this.bid, 1_000, 'insert', false));
    this.venue.publish(this.depth('ask', this.bid + TICK, askSize, 'insert', true));
  }

  /** Move the touch by `ticks` (the new levels show `askSize` offered and 1,000 bid). */
  move(ticks: number, askSize: number): void {
    const before = this.bid;
    this.bid = Math.max(BASE - 20 * TICK, before + ticks * TICK);
    this.venue.publish(this.depth('bid', before, 0, 'delete', false));
    this.venue.publish(this.depth('ask', before + TICK, 0, 'delete', false));
    this.venue.publish(this.depth('bid', this.bid, 1_000, 'insert', false));
    this.venue.publish(this.depth('ask', this.bid + TICK, askSize, 'insert', true));
  }

  print(atBid: boolean, size: number): void {
    const t = this.venue.clock.now();
    const e: TradeEvent = {
      kind: 'trade',
      symbol: SYMBOL,
      price: atBid ? this.bid : this.bid + TICK,
      size,
      aggressor: atBid ? 'sell' : 'buy',
      aggressorSource: 'venue',
      seq: ++this.seq,
      epoch: 1,
      recvTime: t,
      exchTime: t,
    };
    this.venue.publish(e);
  }
}

/**
 * The TWS adapter (unmodified @stoqey/ib over a loopback socket) against the fake TWS, which matches with a
 * simulated broker fed the same market; the kernel runs on the wall clock. A drop closes the socket from the fake's
 * side: the adapter's reconnect ladder brings the link back and reconciles; `restore` waits for that.
 */
export async function twsVenue(): Promise<ProtectionVenue & { view: FakeMarketView }> {
  const view = new FakeMarketView();
  const matcherBroker = new SimulatedBroker({
    clock: new WallClock(),
    market: view,
    random: new Sfc32(5),
    latencyUs: 0,
    jitterUs: 0,
    commission: IBKR_FIXED,
    queueModel: 'tail',
    startEquity: 1_000_000_000,
    account: TEST_ACCOUNT,
    execPrefix: 'fk',
  });
  await matcherBroker.connect();
  const server = await FakeTwsServer.start({
    clock: wallClock,
    accounts: [TEST_ACCOUNT],
    matcher: new BrokerBackedMatcher(matcherBroker, view),
  });
  const clock = new WallClock();
  const adapter = createTwsAdapter(server.port, 31, {}, clock);
  let last = 0;
  const bump = (): void => {
    last = Date.now();
  };
  for (const name of [
    'order.submitted',
    'order.accepted',
    'order.filled',
    'order.cancelled',
    'order.rejected',
    'order.modified',
    'commission.reported',
    'connection.changed',
  ] as const)
    adapter.broker.on(name, bump);
  /** Quiet for a while (nothing new from the adapter), or the cap: pacing only, never asserted on. */
  const settle = async (): Promise<void> => {
    const start = Date.now();
    bump();
    while (Date.now() - last < 40 && Date.now() - start < 2_000) await sleep(5);
  };
  return {
    broker: adapter.broker,
    clock,
    view,
    publish: (e) => server.publish(e),
    settle,
    rejectNext: () => matcherBroker.rejectNext('no liquidity'),
    drop: async () => {
      server.inject({ kind: 'close' });
      await until(() => !adapter.broker.health().canTrade, 'link down', 2_000).catch(() => undefined);
    },
    restore: async () => {
      await until(() => adapter.broker.health().canTrade, 'link back', 6_000);
      await settle();
    },
    close: async () => {
      await adapter.close();
      await server.stop();
      await matcherBroker.dispose();
    },
  };
}
