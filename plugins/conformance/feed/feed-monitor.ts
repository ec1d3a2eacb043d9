import { DepthRowSide, ROW_DELETE, ROW_INSERT, ROW_UPDATE } from '../../../core/domain/depth-rows.js';
import type { Recorded } from '../recorder.js';
import { DATA_EVENTS } from './feed-types.js';

/**
 * "The book" of the FEED cards, built only from emitted deltas, under the one row model the product uses
 * (core/domain/depth-rows.ts, tested there against a plain-array reference): the kit judges a feed by the same rules
 * the kernel applies.
 */
export class RowBookModel {
  private readonly bid: DepthRowSide;
  private readonly ask: DepthRowSide;

  constructor(rows: number) {
    this.bid = new DepthRowSide(rows);
    this.ask = new DepthRowSide(rows);
  }

  get bids(): { price: number; size: number }[] {
    return rowsOf(this.bid);
  }
  get asks(): { price: number; size: number }[] {
    return rowsOf(this.ask);
  }

  apply(e: Readonly<Record<string, unknown>>): void {
    if (e.operation === 'clear') {
      this.bid.clear();
      this.ask.clear();
      return;
    }
    const op = e.operation === 'insert' ? ROW_INSERT : e.operation === 'update' ? ROW_UPDATE : e.operation === 'delete' ? ROW_DELETE : -1;
    if (op < 0) return;
    (e.side === 'bid' ? this.bid : this.ask).apply(op, e.position as number, e.price as number, e.size as number);
  }

  /** `price × size` rows, for readable assertion diffs. */
  view(): { bids: string[]; asks: string[] } {
    const f = (r: { price: number; size: number }): string => `${r.price}×${r.size}`;
    return { bids: this.bids.map(f), asks: this.asks.map(f) };
  }
}

function rowsOf(s: DepthRowSide): { price: number; size: number }[] {
  return Array.from({ length: s.length }, (_, i) => ({ price: s.prices[i] ?? 0, size: s.sizes[i] ?? 0 }));
}

const isInt = (x: unknown): boolean => typeof x === 'number' && Number.isSafeInteger(x);

/**
 * Monitors F1–F6 over one card's recorded events. Returns one line per violation. Line budgets are read from the
 * `usage` the feed reports on its own subscription events (F2).
 */
export function feedMonitor(events: readonly Recorded[]): string[] {
  const v: string[] = [];
  const seq = new Map<string, number>();
  const live = new Map<string, number>();
  const closed = new Set<string>();
  const openBatch = new Map<string, number>();
  let lastRecv = -Infinity;
  const streamsLive = { lines: 0, depth: 0 };

  for (const e of events) {
    const p = e.payload;
    const stream = DATA_EVENTS[e.type];
    if (stream !== undefined) {
      const key = `${String(p.symbol)}:${stream}`;
      // F6: nothing after the last holder left.
      if (closed.has(key)) v.push(`F6 ${e.type} #${e.index}: data for ${key} after feed.unsubscribed`);
      // F1: seq from 1, +1 within (subscription, epoch).
      const ek = `${key}@${String(p.epoch)}`;
      const expected = (seq.get(ek) ?? 0) + 1;
      if (p.seq !== expected) v.push(`F1 ${e.type} #${e.index}: ${ek} seq ${String(p.seq)}, expected ${expected}`);
      seq.set(ek, typeof p.seq === 'number' ? p.seq : expected);
      // F4: integer, positive prices (a clear or delete row may carry none); non-negative integer sizes.
      const prices = e.type === 'quote.updated' ? ['bid', 'ask'] : ['price'];
      for (const f of prices) {
        const x = p[f];
        const mayBeEmpty = e.type === 'quote.updated' || p.operation === 'clear' || p.operation === 'delete';
        if (x === null && e.type === 'quote.updated') continue;
        if (!isInt(x) || (x as number) < 0 || (x === 0 && !mayBeEmpty)) v.push(`F4 ${e.type} #${e.index}: ${f} = ${String(x)}`);
      }
      for (const f of e.type === 'quote.updated' ? ['bidSize', 'askSize'] : ['size']) {
        if (!isInt(p[f]) || (p[f] as number) < 0) v.push(`F4 ${e.type} #${e.index}: ${f} = ${String(p[f])}`);
      }
      // F5: recvTime never decreases; exchTime is a time or null.
      const recv = p.recvTime as number;
      if (!isInt(recv) || recv < lastRecv) v.push(`F5 ${e.type} #${e.index}: recvTime ${String(recv)} after ${lastRecv}`);
      else lastRecv = recv;
      if (p.exchTime !== null && !isInt(p.exchTime)) v.push(`F5 ${e.type} #${e.index}: exchTime ${String(p.exchTime)}`);
      // F3: a batch is closed by exactly one endOfBatch true; track the rows since the last mark.
      if (e.type === 'depth.updated') openBatch.set(key, p.endOfBatch === true ? 0 : (openBatch.get(key) ?? 0) + 1);
    } else if (e.type === 'feed.subscribed' || e.type === 'feed.unsubscribed' || e.type === 'feed.refused') {
      const key = `${String(p.symbol)}:${String(p.stream)}`;
      const counter = p.stream === 'depth' ? 'depth' : 'lines';
      if (e.type === 'feed.subscribed' && !live.has(key)) {
        live.set(key, 1);
        closed.delete(key);
        streamsLive[counter]++;
      }
      if (e.type === 'feed.unsubscribed' && live.has(key)) {
        live.delete(key);
        closed.add(key);
        streamsLive[counter]--;
      }
      // F2: usage within the budget and equal to the distinct live subscriptions.
      const usage = p.usage as Record<'lines' | 'depth', { used: number; budget: number }> | undefined;
      if (usage === undefined) {
        v.push(`F2 ${e.type} #${e.index}: no usage`);
        continue;
      }
      for (const c of ['lines', 'depth'] as const) {
        if (usage[c].used > usage[c].budget) v.push(`F2 ${e.type} #${e.index}: ${c} ${usage[c].used}/${usage[c].budget} over budget`);
        if (usage[c].used !== streamsLive[c])
          v.push(`F2 ${e.type} #${e.index}: ${c} used ${usage[c].used}, but ${streamsLive[c]} live subscriptions`);
      }
    }
  }
  for (const [key, n] of openBatch) if (n > 0) v.push(`F3 ${key}: a depth batch of ${n} rows was never closed by endOfBatch`);
  return v;
}
