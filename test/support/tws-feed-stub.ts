import { EventName } from '@stoqey/ib';
import { EventEmitter } from 'eventemitter3';
import type { TwsConnection } from '../../adapters/tws/connection/connection.js';
import type { TwsContracts } from '../../adapters/tws/mapping/contracts.js';
import { type FeedQuality, TwsMarketDataFeed } from '../../adapters/tws/market-data/market-data.feed.js';
import type { DepthEvent } from '../../core/domain/market.js';
import type { OrderBook } from '../../core/domain/order-book.js';
import { wireFeed } from '../../core/engine/feed-wiring.js';
import type { JournalWriter } from '../../core/engine/journal-writer.js';
import { createKernelParts } from '../../core/engine/kernel-parts.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';

export const INSERT = 0;
export const UPDATE = 1;
export const DELETE = 2;
export const BID = 1;
export const ASK = 0;
/** One IB depth row: position, operation, side (1 bid, 0 ask), price in dollars, size. */
export type IbRow = [number, number, number, number, number];

/**
 * The TWS feed over a stand-in connection: IB callbacks are emitted synchronously, and a "socket read" ends when the
 * test yields to setImmediate (the feed closes depth batches there, docs/tws-adapter.md#depth-batches).
 */
export function twsFeedRig(quality: Partial<FeedQuality> = {}) {
  const clock = new ManualClock(1_000_000);
  const ib = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const requests: { id: number; rows: number }[] = [];
  const onError = new Map<number, (code: number, message: string) => void>();
  ib.reqMktDepth = (id: number, _c: unknown, rows: number) => requests.push({ id, rows });
  ib.cancelMktDepth = () => {};
  let nextId = 100;
  const connEvents = new EventEmitter();
  const conn = {
    ib,
    state: 'Connected',
    linkUp: true,
    allocateId: () => nextId++,
    registry: {
      stream: (s: { id: number; onError: (code: number, message: string) => void }) => onError.set(s.id, s.onError),
      endStream: () => {},
    },
    on: (e: string, f: (...a: unknown[]) => void) => connEvents.on(e, f),
    off: (e: string, f: (...a: unknown[]) => void) => connEvents.off(e, f),
  } as unknown as TwsConnection;
  const contracts = {
    get: () => ({}),
    contract: (symbol: string) => ({ symbol }),
    qualify: async () => ({}),
  } as unknown as TwsContracts;
  const feed = new TwsMarketDataFeed(conn, clock, { lines: 10, depth: 3 }, { staleMs: 3_600_000, ...quality }, contracts);
  const reqId = (): number => requests.at(-1)!.id;
  /** One socket read of rows for the live depth request, at `at` micros. */
  const read = async (rows: readonly IbRow[], at?: number): Promise<void> => {
    if (at !== undefined) clock.advanceTo(at);
    for (const [position, operation, side, price, size] of rows)
      ib.emit(EventName.updateMktDepth, reqId(), position, operation, side, price, size);
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const ibError = async (code: number): Promise<void> => {
    onError.get(reqId())!(code, `IB ${code}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return { clock, feed, requests, read, ibError };
}

/** The kernel wired to the feed as a session wires it; `first` is a feed listener registered before the kernel's. */
export function wireKernel(feed: TwsMarketDataFeed, clock: ManualClock, first: (e: DepthEvent, book: OrderBook) => void, levels = 10) {
  const parts = createKernelParts(clock, 1_000_000, 5);
  let book: OrderBook | undefined;
  feed.on('depth.updated', (e) => first(e, book!));
  wireFeed(feed, parts, { write: () => {} } as unknown as JournalWriter);
  book = parts.router.addSymbol('XYZ', levels);
  return { parts, book };
}
