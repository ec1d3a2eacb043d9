import { expect } from 'chai';
import { EventBus } from '../../core/events/event-bus.js';
import { StrategyRoster } from '../../core/engine/strategy-roster.js';
import type { Strategy, StrategyOrderUpdate } from '../../ports/strategy.js';

/** The running strategies, reached by the order manager and recovery without the engine (docs/decisions/0008-explicit-composition-root.md). */
function strategy(id: string, symbols: string[], onOrder?: (u: StrategyOrderUpdate) => void): Strategy {
  return {
    id,
    subscriptions: () => symbols.map((symbol) => ({ symbol, streams: ['depth'] as const })),
    ...(onOrder ? { onOrder } : {}),
  } as unknown as Strategy;
}

const update: StrategyOrderUpdate = { type: 'accepted', coid: 'c1', intentId: 'i1', tradeId: null, symbol: 'AAPL' };

describe('strategy roster', () => {
  it('keeps start order and names the first strategy subscribed to a symbol as its owner', () => {
    const roster = new StrategyRoster(new EventBus());
    roster.add(strategy('a', ['MSFT']));
    roster.add(strategy('b', ['AAPL', 'MSFT']));
    expect(roster.all.map((s) => s.id)).to.deep.equal(['a', 'b']);
    expect(roster.ownerOf('MSFT')).to.equal('a');
    expect(roster.ownerOf('AAPL')).to.equal('b');
    expect(roster.ownerOf('GOOG')).to.equal(undefined);
  });

  it('delivers an order update to its strategy only, and a throwing onOrder becomes a plugin.error', () => {
    const bus = new EventBus();
    const errors: { pluginId: string; event: string }[] = [];
    bus.on('plugin.error', (e) => errors.push({ pluginId: e.pluginId, event: e.event }));
    const seen: string[] = [];
    const roster = new StrategyRoster(bus);
    roster.add(strategy('a', ['AAPL'], () => seen.push('a')));
    roster.add(
      strategy('b', ['AAPL'], () => {
        throw new Error('boom');
      }),
    );
    roster.notify('a', update);
    expect(seen).to.deep.equal(['a']);
    expect(() => roster.notify('b', update)).not.to.throw();
    expect(errors).to.deep.equal([{ pluginId: 'b', event: 'onOrder' }]);
    roster.notify('missing', update);
    expect(seen).to.deep.equal(['a']);
  });
});
