import { OrderBook } from '../../core/domain/order-book.js';
import type { Micros } from '../../core/domain/units.js';
import { recordingEvents } from '../replay/recording/recording-events.js';
import type { BookColumn, MarketSeries, TradeRecord, TradeWindow } from './report-model.js';

export interface MarketReadOptions {
  /** Seconds shown before the entry and after the exit in a trade's drill-down. */
  marginSec?: number;
  /** Columns of the heatmap per trade window. */
  columns?: number;
  /** Book levels per side in a column. */
  levels?: number;
  /** Width of one point of the session price series. */
  bucketUs?: number;
}

export interface MarketRead {
  market: MarketSeries;
  windows: TradeWindow[];
  medianLatencyUs: number | null;
  corruptBlocks: number;
}

/**
 * Reads the session's recordings once, rebuilding the book with the kernel's own OrderBook (the same row rules the
 * session traded on), and takes: a mid-price series for the session chart, a heatmap of the visible levels around each
 * trade, the worst and best prices against each position while it was open (MAE/MFE, written into `trades`), and the
 * median receive − exchange latency of the feed. Memory stays at one recording block plus the sampled columns.
 */
export async function readMarket(
  files: readonly string[],
  symbol: string,
  trades: TradeRecord[],
  o: MarketReadOptions = {},
): Promise<MarketRead> {
  const marginUs = (o.marginSec ?? 60) * 1_000_000;
  const columns = o.columns ?? 160;
  const levels = o.levels ?? 10;
  const bucketUs = o.bucketUs ?? 5_000_000;
  const book = new OrderBook(symbol, { maxLevels: 50 });
  const windows = trades.map((t) => ({
    tradeId: t.tradeId,
    from: t.entryTime - marginUs,
    to: t.exitTime + marginUs,
    step: Math.max(50_000, Math.floor((t.exitTime - t.entryTime + 2 * marginUs) / columns)),
    next: t.entryTime - marginUs,
    columns: [] as BookColumn[],
  }));
  const worst = trades.map(() => Number.NaN);
  const best = trades.map(() => Number.NaN);
  const times: Micros[] = [];
  const mids: number[] = [];
  let nextBucket = -1;
  const latencies: number[] = [];
  let seen = 0;
  let corrupt = 0;
  for (const file of files) {
    for await (const e of recordingEvents(file, () => {
      corrupt++;
    })) {
      if (e.symbol !== symbol) continue;
      if (e.exchTime !== null && (seen++ & 15) === 0) latencies.push(e.recvTime - e.exchTime);
      if (e.kind === 'depth') book.apply(e);
      if (e.kind === 'depth' && !e.endOfBatch) continue;
      const now = e.recvTime;
      const bid = book.bestBid;
      const ask = book.bestAsk;
      if (bid === 0 || ask === 0) continue;
      if (nextBucket < 0) nextBucket = now - (now % bucketUs);
      if (now >= nextBucket) {
        times.push(now);
        mids.push((bid + ask) / 2);
        nextBucket = now - (now % bucketUs) + bucketUs;
      }
      for (let i = 0; i < trades.length; i++) {
        const t = trades[i]!;
        if (now >= t.entryTime && now <= t.exitTime) {
          // A long is marked at the bid (what it could sell at), a short at the ask.
          const mark = t.side === 'long' ? bid : ask;
          const adverse = t.side === 'long' ? mark < worst[i]! || Number.isNaN(worst[i]!) : mark > worst[i]! || Number.isNaN(worst[i]!);
          const favour = t.side === 'long' ? mark > best[i]! || Number.isNaN(best[i]!) : mark < best[i]! || Number.isNaN(best[i]!);
          if (adverse) worst[i] = mark;
          if (favour) best[i] = mark;
        }
        const w = windows[i]!;
        if (now >= w.next && now <= w.to) {
          w.columns.push(column(book, now, levels));
          w.next = now + w.step;
        }
      }
    }
  }
  trades.forEach((t, i) => {
    if (Number.isNaN(worst[i]!)) return;
    const dir = t.side === 'long' ? 1 : -1;
    t.maePrice = worst[i]!;
    t.mfePrice = best[i]!;
    if (t.plannedRisk !== null && t.plannedRisk > 0) {
      t.maeR = (dir * (worst[i]! - t.entryPrice) * t.quantity) / t.plannedRisk;
      t.mfeR = (dir * (best[i]! - t.entryPrice) * t.quantity) / t.plannedRisk;
    }
  });
  latencies.sort((a, b) => a - b);
  return {
    market: { times, mids, bucketUs },
    windows: windows.map((w) => ({ tradeId: w.tradeId, from: w.from, to: w.to, columns: w.columns })),
    medianLatencyUs: latencies.length === 0 ? null : latencies[latencies.length >> 1]!,
    corruptBlocks: corrupt,
  };
}

function column(book: OrderBook, t: Micros, levels: number): BookColumn {
  const out: [number, number][] = [];
  for (let r = 0; r < levels; r++) {
    const bp = book.priceAt('bid', r);
    if (bp > 0) out.push([bp, book.sizeAt('bid', r)]);
    const ap = book.priceAt('ask', r);
    if (ap > 0) out.push([ap, book.sizeAt('ask', r)]);
  }
  return { t, bid: book.bestBid, ask: book.bestAsk, levels: out };
}
