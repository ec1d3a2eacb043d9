import type { MarketDataFeed } from '../../ports/market-data-feed.js';
import { JOURNALED_FEED_EVENTS } from '../domain/journal-rows.js';
import type { JournalWriter } from './journal-writer.js';
import type { KernelParts } from './kernel-parts.js';

/**
 * Connects a feed to the kernel: market data goes straight to the router (the hot path: no closure, no copy per
 * event), status and quality events are journaled and re-published on the bus for the kill switch.
 */
export function wireFeed(feed: MarketDataFeed, parts: KernelParts, journal: JournalWriter): () => void {
  const { router, bus, loop } = parts;
  router.keepBooksBy(feed.books ?? null);
  const disposers = [
    feed.on('depth.updated', (e) => router.handleDepth(e)),
    feed.on('trade.printed', (e) => router.handleTrade(e)),
    feed.on('quote.updated', () => router.countQuote()),
    feed.on('feed.status', (e) => {
      router.handleStatus(e);
      journal.write('event', `feed.${e.status}`, { status: e.status, reason: e.reason }, { symbol: e.symbol });
    }),
  ];
  for (const name of JOURNALED_FEED_EVENTS) {
    disposers.push(
      feed.on(name, (payload) =>
        loop.post(() => {
          journal.write('event', name, { ...payload });
          bus.emit(name, payload as never);
        }),
      ),
    );
  }
  return () => {
    router.keepBooksBy(null);
    for (const d of disposers) d();
  };
}
