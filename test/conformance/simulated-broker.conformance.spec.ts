import { IBKR_FIXED } from '../../adapters/simulated/commission-model.js';
import { SimulatedBroker } from '../../adapters/simulated/simulated-broker.adapter.js';
import type { DepthEvent, TradeEvent } from '../../core/domain/market.js';
import { Sfc32 } from '../../core/domain/random.js';
import { EventBus } from '../../core/events/event-bus.js';
import { EventLoop } from '../../core/engine/event-loop.js';
import { Ledger } from '../../core/engine/ledger.js';
import { MarketRouter } from '../../core/engine/market-router.js';
import { describeBrokerAdapterConformance, type BrokerDriver } from '../../plugins/conformance/index.js';

// The IBrokerAdapter cards against the simulated venue, behind a real kernel market router: the driver moves the
// market (quotes, prints, liquidity at a price) and the simulator's own matching produces every event.
describeBrokerAdapterConformance('simulated-broker', {
  capabilities: {
    supportsMarketOrders: true,
    supportsStopOrders: true,
    supportsBrackets: true,
    supportsModify: true,
    supportsOrderRef: true,
    isLive: false,
  },
  driverFeatures: ['fill', 'partialFill', 'reject'],
  reportDir: 'var/conformance-report',
  create: (ctx) => {
    const fx = ctx.fixtures;
    const router = new MarketRouter(new EventLoop(), new EventBus(), new Ledger(0), 5);
    router.addSymbol(fx.symbol, 10);
    const broker = new SimulatedBroker({
      clock: ctx.clock,
      market: router,
      random: new Sfc32(11),
      latencyUs: 1_000,
      jitterUs: 0,
      commission: { ...IBKR_FIXED, perShare: 0, minimum: fx.commissionPerExecution / 10_000, maxFraction: 1 },
      queueModel: 'tail',
      startEquity: fx.cash,
      account: 'SIM-KIT',
      execPrefix: 'kit',
      tickOf: () => fx.tick,
    });
    let seq = 0;
    const depth = (side: 'bid' | 'ask', operation: DepthEvent['operation'], price: number, size: number): void =>
      router.handleDepth({
        kind: 'depth',
        symbol: fx.symbol,
        side,
        position: -1,
        operation,
        price,
        size,
        marketMaker: '',
        endOfBatch: true,
        seq: ++seq,
        epoch: 1,
        recvTime: ctx.clock.now(),
        exchTime: null,
      });
    const print = (price: number, size: number, aggressor: TradeEvent['aggressor']): void =>
      router.handleTrade({
        kind: 'trade',
        symbol: fx.symbol,
        price,
        size,
        aggressor,
        aggressorSource: 'venue',
        seq: ++seq,
        epoch: 1,
        recvTime: ctx.clock.now(),
        exchTime: null,
      });
    const quote = (bid: number, bidSize: number, ask: number, askSize: number): void => {
      depth('bid', 'clear', 0, 0);
      depth('bid', 'insert', bid, bidSize);
      depth('ask', 'insert', ask, askSize);
    };
    quote(fx.bid, fx.bidSize, fx.ask, fx.askSize);
    const driver: BrokerDriver = {
      quote: (_symbol, bid, bidSize, ask, askSize) => quote(bid, bidSize, ask, askSize),
      // Liquidity appears at the fill price for exactly the quantity, the order takes it, and it is gone again.
      fill: (coid, o) => {
        const order = broker.openOrders().find((x) => x.coid === coid);
        if (order === undefined) return;
        const book = router.book(fx.symbol)!;
        if ((order.type === 'stop' || order.type === 'stop-limit') && broker.orderStatus(coid) !== 'PartiallyFilled') {
          print(order.triggerPrice!, 1, order.side === 'sell' ? 'sell' : 'buy');
        }
        const qty = o?.qty ?? order.quantity - order.filledQuantity;
        const price = o?.price ?? order.limitPrice ?? (order.side === 'buy' ? book.bestAsk : book.bestBid);
        const side = order.side === 'buy' ? 'ask' : 'bid';
        depth(side, 'insert', price, qty);
        if (broker.orderStatus(coid) !== null && router.book(fx.symbol)!.levels(side) > 0) depth(side, 'delete', price, 0);
      },
      reject: (o) => broker.rejectNext(o.reason, o.venueCode ?? 201),
    };
    return { subject: broker, driver, dispose: () => broker.dispose() };
  },
});
