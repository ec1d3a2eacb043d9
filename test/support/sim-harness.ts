import { SimulatedBroker } from '../../adapters/simulated/simulated-broker.adapter.js';
import { IBKR_FIXED } from '../../adapters/simulated/commission-model.js';
import type { SimMatcher } from '../../adapters/simulated/sim-matcher.js';
import type { DepthEvent, TradeEvent } from '../../core/domain/market.js';
import { Sfc32 } from '../../core/domain/random.js';
import { EventBus } from '../../core/events/event-bus.js';
import { EventLoop } from '../../core/engine/event-loop.js';
import { Ledger } from '../../core/engine/ledger.js';
import { MarketRouter } from '../../core/engine/market-router.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import type { BrokerEventName, BrokerEvents } from '../../ports/broker-adapter.js';

/** A simulated broker on a real kernel market router, with helpers to move the market and record events. */
export function simHarness(
  options: {
    queueModel?: 'tail' | 'probabilistic';
    seed?: number;
    latencyUs?: number;
    /** The matching engine (default the broker's own). */
    Matcher?: typeof SimMatcher;
    /** Listed symbols, each with a book; default ['X']. */
    symbols?: string[];
  } = {},
) {
  const clock = new ManualClock(1_000_000);
  const router = new MarketRouter(new EventLoop(), new EventBus(), new Ledger(0), 5);
  for (const symbol of options.symbols ?? ['X']) router.addSymbol(symbol, 10);
  const broker = new SimulatedBroker({
    clock,
    market: router,
    random: new Sfc32(options.seed ?? 1),
    latencyUs: options.latencyUs ?? 1000,
    jitterUs: 0,
    commission: IBKR_FIXED,
    queueModel: options.queueModel ?? 'tail',
    startEquity: 1_000_000_000,
    account: 'SIM',
    execPrefix: 'x',
    // A venue quoting in single Price units keeps the test prices short.
    tickOf: () => 1,
    ...(options.Matcher === undefined ? {} : { Matcher: options.Matcher }),
  });
  const events: { name: BrokerEventName; p: Record<string, unknown> }[] = [];
  const names: BrokerEventName[] = [
    'order.submitted',
    'order.accepted',
    'order.filled',
    'order.cancelled',
    'order.rejected',
    'order.triggered',
    'order.modified',
    'position.changed',
  ];
  for (const name of names)
    broker.on(name, (p: BrokerEvents[typeof name]) => events.push({ name, p: p as unknown as Record<string, unknown> }));
  let seq = 0;
  const level = (side: 'bid' | 'ask', price: number, size: number, op: DepthEvent['operation'] = 'update', symbol = 'X'): void => {
    const e: DepthEvent = {
      kind: 'depth',
      symbol,
      side,
      position: -1,
      operation: size === 0 ? 'delete' : op,
      price,
      size,
      marketMaker: '',
      endOfBatch: true,
      seq: ++seq,
      epoch: 1,
      recvTime: clock.now(),
      exchTime: clock.now(),
    };
    router.handleDepth(e);
  };
  const print = (price: number, size: number, aggressor: 'buy' | 'sell', symbol = 'X'): void => {
    const t: TradeEvent = {
      kind: 'trade',
      symbol,
      price,
      size,
      aggressor,
      aggressorSource: 'venue',
      seq: ++seq,
      epoch: 1,
      recvTime: clock.now(),
      exchTime: clock.now(),
    };
    router.handleTrade(t);
  };
  const advance = (us: number): void => clock.advanceTo(clock.now() + us);
  const fills = () => events.filter((e) => e.name === 'order.filled').map((e) => e.p as unknown as BrokerEvents['order.filled']);
  return { clock, router, broker, events, level, print, advance, fills };
}
