import type { MarketEvent } from '../../core/domain/market.js';
import { fromPrice, type Micros } from '../../core/domain/units.js';
import { RowBook, trimToWindow } from './depth-rows.js';
import type { FakeMatcher } from './fake-matcher.js';
import type { FakeMarketSource, FakeTwsClock } from './market-source.js';
import type { TwsConnection } from './tws-connection.js';
import type { Field } from './wire.js';

export type SubscriptionKind = 'l1' | 'depth' | 'tbt';

export interface Subscription {
  conn: TwsConnection;
  reqId: number;
  kind: SubscriptionKind;
  symbol: string;
  numRows: number;
  smart: boolean;
  /** Tick-by-tick type as requested: Last, AllLast, BidAsk, MidPoint. */
  tickType: string;
}

/**
 * Market data fan-out: keeps the subscriptions, a full-depth book per symbol, feeds the matcher, and plays a
 * {@link FakeMarketSource} paced by the server clock.
 *
 * Invariant: a subscriber sees only events published after its subscription; depth subscribers first get a snapshot
 * of the current book (inserts from the top) so their row book matches the server's.
 */
export class MarketHub {
  readonly subs: Subscription[] = [];
  readonly books = new Map<string, RowBook>();
  /** Last quote per symbol, replayed to a new L1 subscriber as TWS sends current values on subscription. */
  readonly lastQuote = new Map<string, { bid: number; bidSize: number; ask: number; askSize: number }>();
  eventsPublished = 0;
  private playing: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly matcher: FakeMatcher,
    private readonly clock: FakeTwsClock,
  ) {}

  subscribe(sub: Subscription): void {
    this.subs.push(sub);
    const q = this.lastQuote.get(sub.symbol);
    if (sub.kind === 'l1' && q) this.sendQuote(sub, q);
    if (sub.kind !== 'depth') return;
    const book = this.books.get(sub.symbol);
    if (!book) return;
    for (const side of [1, 0] as const) {
      for (let p = 0; p < Math.min(book.depth(side), sub.numRows); p++) {
        const l = book.level(side, p)!;
        this.sendDepth(sub, p, 0, side, l.price, l.size);
      }
    }
  }

  unsubscribe(conn: TwsConnection, reqId: number, kind: SubscriptionKind | null): void {
    for (let i = this.subs.length - 1; i >= 0; i--) {
      const s = this.subs[i]!;
      if (s.conn === conn && s.reqId === reqId && (kind === null || s.kind === kind)) this.subs.splice(i, 1);
    }
  }

  dropConnection(conn: TwsConnection): void {
    for (let i = this.subs.length - 1; i >= 0; i--) if (this.subs[i]!.conn === conn) this.subs.splice(i, 1);
  }

  /** Plays `source` once, in the background, at `speed` × event-time (Infinity or ≤ 0: as fast as possible). */
  play(source: FakeMarketSource, speed: number): Promise<void> {
    if (this.playing) return this.playing;
    this.playing = (async () => {
      let prev: Micros | null = null;
      let sinceYield = 0;
      for await (const ev of source.events()) {
        if (this.stopped) return;
        const t = ev.exchTime ?? ev.recvTime;
        if (prev !== null && t > prev && Number.isFinite(speed) && speed > 0) {
          await this.clock.sleep((t - prev) / speed);
          sinceYield = 0;
        } else if (++sinceYield >= 256) {
          await new Promise((r) => setImmediate(r)); // let sockets drain when playing flat out
          sinceYield = 0;
        }
        if (this.stopped) return;
        prev = t;
        this.publish(ev);
      }
    })();
    return this.playing;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Sends one event to every matching subscriber and to the matcher. */
  publish(ev: MarketEvent): void {
    this.eventsPublished++;
    this.matcher.onEvent?.(ev);
    const time = Math.floor((ev.exchTime ?? ev.recvTime) / 1_000_000);
    switch (ev.kind) {
      case 'quote': {
        const bid = fromPrice(ev.bid);
        const ask = fromPrice(ev.ask);
        const q = { bid, bidSize: ev.bidSize, ask, askSize: ev.askSize };
        this.lastQuote.set(ev.symbol, q);
        for (const s of this.subs) {
          if (s.symbol !== ev.symbol) continue;
          const m = s.conn.msgs;
          if (s.kind === 'l1') this.sendQuote(s, q);
          else if (s.kind === 'tbt' && s.tickType === 'BidAsk') {
            s.conn.send(m.tickByTickBidAsk(s.reqId, time, bid, ask, ev.bidSize, ev.askSize));
          } else if (s.kind === 'tbt' && s.tickType === 'MidPoint') {
            s.conn.send(m.tickByTickMidPoint(s.reqId, time, (bid + ask) / 2));
          }
        }
        this.matcher.onTouch(ev.symbol, ev.bid, ev.ask);
        return;
      }
      case 'trade': {
        const price = fromPrice(ev.price);
        for (const s of this.subs) {
          if (s.symbol !== ev.symbol) continue;
          if (s.kind === 'l1') s.conn.send(s.conn.msgs.tickPrice(s.reqId, 4, price, ev.size, 0));
          else if (s.kind === 'tbt' && (s.tickType === 'Last' || s.tickType === 'AllLast')) {
            s.conn.send(s.conn.msgs.tickByTickLast(s.reqId, s.tickType === 'Last' ? 1 : 2, time, price, ev.size, 0, 'NASDAQ'));
          }
        }
        this.matcher.onTrade(ev.symbol, ev.price, ev.size);
        return;
      }
      case 'depth': {
        let book = this.books.get(ev.symbol);
        if (!book) this.books.set(ev.symbol, (book = new RowBook()));
        const b = book;
        b.apply(ev, (change, lenAfter) => {
          for (const s of this.subs) {
            if (s.kind !== 'depth' || s.symbol !== ev.symbol) continue;
            trimToWindow(b, change, lenAfter, s.numRows, (c) =>
              this.queueDepth(s, c.position, c.operation, c.side, c.price, c.size, ev.marketMaker),
            );
          }
        });
        // One source batch leaves in one socket write, as TWS sends a burst: a client then sees the whole batch in
        // one read (TCP may still split it; the feed's contract covers that, the fake just does not provoke it).
        if (ev.endOfBatch) this.flushDepth();
        if (ev.endOfBatch) {
          this.matcher.onTouch(ev.symbol, b.level(1, 0)?.price ?? null, b.level(0, 0)?.price ?? null);
        }
        return;
      }
      case 'status':
        return;
    }
  }

  /** TICK_PRICE bid (no synthetic bid size, hence the explicit TICK_SIZE 0) then TICK_PRICE ask, in one write. */
  sendQuote(s: Subscription, q: { bid: number; bidSize: number; ask: number; askSize: number }): void {
    const m = s.conn.msgs;
    s.conn.sendAll([
      m.tickPrice(s.reqId, 1, q.bid, q.bidSize, 1),
      m.tickSize(s.reqId, 0, q.bidSize),
      m.tickPrice(s.reqId, 2, q.ask, q.askSize, 1),
    ]);
  }

  private sendDepth(
    s: Subscription,
    position: number,
    operation: number,
    side: number,
    price: number,
    size: number,
    marketMaker = '',
  ): void {
    this.queueDepth(s, position, operation, side, price, size, marketMaker);
    this.flushDepth();
  }

  private readonly pendingDepth = new Map<Subscription, Field[][]>();

  private queueDepth(
    s: Subscription,
    position: number,
    operation: number,
    side: number,
    price: number,
    size: number,
    marketMaker = '',
  ): void {
    const m = s.conn.msgs;
    const p = fromPrice(price);
    const frame = s.smart
      ? m.depthL2(s.reqId, position, marketMaker || 'NSDQ', operation, side, p, size, true)
      : m.depth(s.reqId, position, operation, side, p, size);
    let frames = this.pendingDepth.get(s);
    if (frames === undefined) this.pendingDepth.set(s, (frames = []));
    frames.push(frame);
  }

  private flushDepth(): void {
    for (const [s, frames] of this.pendingDepth) if (frames.length > 0) s.conn.sendAll(frames);
    this.pendingDepth.clear();
  }
}
