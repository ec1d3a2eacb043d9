import type { BookView } from '../../core/domain/book-view.js';
import type { DepthEvent, Instrument, TradeEvent } from '../../core/domain/market.js';
import type { Micros, Money } from '../../core/domain/units.js';
import type { Clock } from '../../ports/clock.js';
import type { Disposer } from '../../ports/create-token.js';
import type { SeededRandom, StrategyLog } from '../../ports/strategy.js';

export type Mode = 'replay' | 'sim-live' | 'paper' | 'live';

/** Params as a plugin sees them: read-only when they are an object (`Readonly<unknown>` would collapse to `{}`). */
export type PluginParams<P> = P extends object ? Readonly<P> : P;

/** What every plugin receives: its parsed, frozen params, the clock, a log scoped to its id, seeded randomness. */
export interface PluginContext<P> {
  readonly pluginId: string;
  readonly params: PluginParams<P>;
  readonly clock: Clock;
  readonly log: StrategyLog;
  readonly random: SeededRandom;
  readonly mode: Mode;
  readonly seed: number;
}

/**
 * The kernel's market view after it applied each event to its books: what a simulated broker matches against.
 * Hooks run before strategies see the event, so an order placed in reaction to an event meets only later events.
 */
export interface MarketView {
  book(symbol: string): BookView | undefined;
  onDepth(listener: (event: DepthEvent, book: BookView) => void): Disposer;
  onTrade(listener: (event: TradeEvent, book: BookView | undefined) => void): Disposer;
}

export interface AdapterContext<P> extends PluginContext<P> {
  /** Resolve an `env('NAME')` secret; the value never reaches a log. */
  secret(name: string): string | undefined;
  /** Instruments from config (tick size, currency, time zone), by symbol. */
  instrument(symbol: string): Instrument | undefined;
  readonly market: MarketView;
  readonly account: { id: string | null; currency: string; startEquity: Money };
  /** Session window in Clock time, for sources that generate data. */
  readonly session: { date: string; timeZone: string; start: Micros; end: Micros };
  /** Directory for runtime files (database, recordings). */
  readonly dataDir: string;
}
