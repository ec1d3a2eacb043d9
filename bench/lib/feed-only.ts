import { OrderBook } from '../../core/domain/order-book.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { ReplayFeed } from '../../adapters/replay/replay-feed.js';

/**
 * The replay feed alone on one recording: the kernel's book lent to it (as the kernel lends it), depth and tape
 * subscribed, listeners that only count. What the framework pays for reading, checking and applying the recording,
 * before any kernel, strategy, broker or journal work; compare with the bare loop, which pays only the book.
 */
export async function feedOnly(file: string, symbol: string): Promise<{ events: number; ms: number; eventsPerSec: number }> {
  const feed = new ReplayFeed({
    files: [file],
    clock: new ManualClock(0),
    sessionEnd: 0,
    lineBudget: 100,
    depthBudget: 3,
    recvLatencyUs: 0,
    instrument: undefined,
  });
  feed.books.lend(symbol, new OrderBook(symbol, { maxLevels: 10, topN: 5, capacity: feed.books.capacity }));
  let events = 0;
  feed.on('depth.updated', () => {
    events++;
  });
  feed.on('trade.printed', () => {
    events++;
  });
  feed.subscribe(symbol, 'depth', { levels: 10 });
  feed.subscribe(symbol, 'tape');
  const t0 = performance.now();
  await feed.playback.run();
  const ms = performance.now() - t0;
  await feed.dispose();
  return { events, ms, eventsPerSec: Math.round(events / (ms / 1000)) };
}
