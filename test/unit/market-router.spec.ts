import { expect } from 'chai';
import type { DepthEvent, TradeEvent } from '../../core/domain/market.js';
import { EventBus } from '../../core/events/event-bus.js';
import { EventLoop } from '../../core/engine/event-loop.js';
import { Ledger } from '../../core/engine/ledger.js';
import { MarketRouter } from '../../core/engine/market-router.js';
import type { Strategy } from '../../ports/strategy.js';

function depth(side: 'bid' | 'ask', price: number, size: number, endOfBatch: boolean, seq: number): DepthEvent {
  return {
    kind: 'depth',
    symbol: 'X',
    side,
    position: -1,
    operation: 'insert',
    price,
    size,
    marketMaker: '',
    endOfBatch,
    seq,
    epoch: 1,
    recvTime: seq,
    exchTime: seq,
  };
}

describe('MarketRouter (the per-event hot path)', () => {
  it('isolates a throwing strategy: the loop goes on, the other strategy still runs, plugin.error names the thrower', () => {
    const loop = new EventLoop();
    const bus = new EventBus();
    const router = new MarketRouter(loop, bus, new Ledger(0), 5);
    router.addSymbol('X', 10);
    const errors: string[] = [];
    bus.on('plugin.error', (e) => errors.push(`${e.pluginId}:${e.event}`));
    let goodBooks = 0;
    let goodTrades = 0;
    const bad: Strategy = {
      id: 'bad',
      subscriptions: () => [],
      onBook: () => {
        throw new Error('bad book');
      },
      onTrade: () => {
        throw new Error('bad trade');
      },
    };
    const good: Strategy = {
      id: 'good',
      subscriptions: () => [],
      onBook: () => {
        goodBooks++;
      },
      onTrade: () => {
        goodTrades++;
      },
    };
    router.route(bad, 'X');
    router.route(good, 'X');
    router.handleDepth(depth('bid', 100_00, 5, false, 1));
    router.handleDepth(depth('ask', 101_00, 7, true, 2));
    const trade: TradeEvent = {
      kind: 'trade',
      symbol: 'X',
      price: 101_00,
      size: 1,
      aggressor: 'buy',
      aggressorSource: 'venue',
      seq: 1,
      epoch: 1,
      recvTime: 3,
      exchTime: 3,
    };
    router.handleTrade(trade);
    router.handleDepth(depth('bid', 100_01, 5, true, 3));
    expect(goodBooks).to.equal(2);
    expect(goodTrades).to.equal(1);
    expect(errors).to.deep.equal(['bad:onBook', 'bad:onTrade', 'bad:onBook']);
    expect(router.events).to.equal(4);
    expect(loop.seq).to.equal(4);
    expect(router.book('X')?.bestBid).to.equal(100_01);
  });

  it('calls market hooks (the simulated broker) before strategies see the batch', () => {
    const router = new MarketRouter(new EventLoop(), new EventBus(), new Ledger(0), 5);
    router.addSymbol('X', 10);
    const order: string[] = [];
    router.onDepth(() => order.push('hook'));
    router.route({ id: 's', subscriptions: () => [], onBook: () => order.push('strategy') }, 'X');
    router.handleDepth(depth('bid', 100_00, 5, true, 1));
    expect(order).to.deep.equal(['hook', 'strategy']);
  });
});
