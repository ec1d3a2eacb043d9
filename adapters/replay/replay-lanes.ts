import type { Instrument, StreamKind } from '../../core/domain/market.js';
import type { OrderBook } from '../../core/domain/order-book.js';
import type { SubscriptionHandle } from '../../ports/market-data-feed.js';
import { RecordingReader } from './recording/recording-reader.js';
import type { DepthRowsSub } from './replay-depth-rows.js';
import type { StaleWatch } from '../../core/engine/stale-watch.js';

/** One live (symbol, stream) subscription of the replay feed. */
export interface ReplaySub extends DepthRowsSub {
  handle: SubscriptionHandle;
  holders: number;
  watch: StaleWatch | null;
}

/**
 * Everything the replay feed keeps per symbol: its live subscriptions by stream, the kernel's book, the source's prevailing quote
 * (0 = side missing or none yet), for inferring print sides. Recordings are routed to their symbol's lane once, when
 * playback starts, so the per-event path does no lookup by name.
 */
export interface Lane {
  readonly symbol: string;
  readonly subs: Record<StreamKind, ReplaySub | undefined>;
  bid: number;
  ask: number;
  quoted: boolean;
  /** The kernel's book of this symbol, when it lent one (ports/market-data-feed.ts `DepthBookKeeping`). */
  lent: OrderBook | null;
}

export function newLane(symbol: string): Lane {
  return { symbol, subs: { quote: undefined, depth: undefined, tape: undefined }, bid: 0, ask: 0, quoted: false, lent: null };
}

export function laneLive(lane: Lane): boolean {
  return lane.subs.quote !== undefined || lane.subs.depth !== undefined || lane.subs.tape !== undefined;
}

/** The instrument of the first recording (by list order) that holds `symbol`, from its header; null when none does. */
export function recordedInstrument(files: readonly string[], symbol: string): Instrument | null {
  for (const file of files) {
    const reader = RecordingReader.open(file);
    reader.close();
    const h = reader.header;
    if (h.symbol === symbol) return { symbol, tick: h.tick, currency: 'USD', exchange: 'REPLAY', timeZone: h.timeZone };
  }
  return null;
}
