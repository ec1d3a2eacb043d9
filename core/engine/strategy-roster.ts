import type { Strategy, StrategyOrderUpdate } from '../../ports/strategy.js';
import type { EventBus } from '../events/event-bus.js';

/**
 * The session's running strategies, in start order. The session adds them as it starts them; the order manager
 * reaches a strategy's `onOrder` and restart recovery finds a symbol's owner through here, so neither needs the
 * session engine.
 */
export class StrategyRoster {
  private readonly list: Strategy[] = [];

  constructor(private readonly bus: EventBus) {}

  get all(): readonly Strategy[] {
    return this.list;
  }

  add(strategy: Strategy): void {
    this.list.push(strategy);
  }

  /** The id of the first strategy subscribed to `symbol`, if any is running. */
  ownerOf(symbol: string): string | undefined {
    return this.list.find((st) => st.subscriptions().some((sub) => sub.symbol === symbol))?.id;
  }

  /** An order update for its strategy; a throwing `onOrder` is a plugin error, not a session failure. */
  notify(strategyId: string, update: StrategyOrderUpdate): void {
    const s = this.list.find((x) => x.id === strategyId);
    if (s?.onOrder === undefined) return;
    try {
      s.onOrder(update);
    } catch (error) {
      this.bus.reportListenerError(strategyId, 'onOrder', error);
    }
  }
}
