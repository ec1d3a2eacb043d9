import { EventName, type TickByTickDataType } from '@stoqey/ib';
import { EventEmitter } from 'eventemitter3';
import type { StreamKind } from '../../../core/domain/market.js';
import type { Micros } from '../../../core/domain/units.js';
import type { ErrorCode } from '../../../core/domain/error-codes.js';
import type { OrderBook } from '../../../core/domain/order-book.js';
import type { Clock } from '../../../ports/clock.js';
import type {
  DepthBookKeeping,
  FeedEventName,
  FeedEvents,
  LineUsage,
  MarketDataFeed,
  SubscribeResult,
  SubscriptionHandle,
} from '../../../ports/market-data-feed.js';
import { MALFORMED, positivePrice, shareSize, twsTime } from '../mapping/market-data.js';
import type { TwsContracts } from '../mapping/contracts.js';
import { requestEffect, ruleFor } from '../errors/error-table.js';
import type { TwsConnection } from '../connection/connection.js';
import { TwsDepthIngest } from './depth-ingest.js';
import { DepthStream, tradeEvent, type FeedSub } from './feed-sub.js';
import { TwsFeedRecovery } from './feed-recovery.js';
import { TwsQuoteBuilder } from './quote-builder.js';
import { StaleWatch } from '../../../core/engine/stale-watch.js';
import { DEFAULT_ENTITLEMENTS, TwsEntitlementWatch, type EntitlementOptions } from './entitlement-watch.js';
import { TwsHistoricalBars, type TwsHistoricalOptions } from './historical.js';

/** Data-quality thresholds (conformance kit defaults: T_stale 5 s, K_cross 3, K_depth 5 within 60 s). */
export interface FeedQuality {
  /** T_stale for quote and depth lines. */
  staleMs: number;
  /**
   * T_stale for tape lines; 0 = not watched. No trades is not a dead line (an illiquid name can print nothing for
   * minutes), and an escalated `feed.stale` halts trading (core/risk/auto-triggers.ts): the symbol's quote line
   * carries the liveness signal instead.
   */
  staleTapeMs: number;
  crossedBatches: number;
  depthAnomalies: number;
  depthAnomalyWindowMs: number;
}

/** IB depth rows are positional and at most 20 per side: the feed's checks need no row below the view. */
const TWS_BOOK_CAPACITY = 20;

export const DEFAULT_FEED_QUALITY: FeedQuality = {
  staleMs: 5_000,
  staleTapeMs: 0,
  crossedBatches: 3,
  depthAnomalies: 5,
  depthAnomalyWindowMs: 60_000,
};

/**
 * MarketDataFeed over TWS: reqMktData ticks become L1 quotes (one per source quote, see TwsQuoteBuilder),
 * reqMktDepth rows keep IB's row semantics with the anomalies normalised (TwsDepthIngest), tick-by-tick AllLast is
 * the tape. IB marks no end of a quote or a depth batch, so the end of the current socket read (setImmediate) closes
 * both. Every line has a staleness watch on the Clock; connection loss and 1100/1101/1102 are handled in TwsFeedRecovery,
 * depth reset and halt (317/316) in onStreamError. Event objects are reused per subscription: listeners copy what they keep.
 */
export class TwsMarketDataFeed implements MarketDataFeed {
  readonly id = 'tws';
  private readonly emitter = new EventEmitter();
  private readonly subs = new Map<string, FeedSub>();
  private readonly byReq = new Map<number, FeedSub>();
  /** The L1 line of each symbol: its committed quote is the one a print's aggressor is inferred from. */
  private readonly quoteOf = new Map<string, TwsQuoteBuilder>();
  private readonly dirty: FeedSub[] = [];
  private readonly recovery: TwsFeedRecovery;
  private readonly q: FeedQuality;
  private nextHandle = 1;
  private flushScheduled = false;
  private malformed = 0;
  private readonly depth: TwsDepthIngest;
  private readonly flush = (): void => this.endOfRead();
  /** The startup data check (docs/tws-account-and-reconciliation.md); `flowing`: lines that delivered data once. */
  private readonly entitlements: TwsEntitlementWatch;
  private readonly flowing = new WeakSet<FeedSub>();
  /** Historical bars over reqHistoricalData, paced by IB's historical rules (docs/tws-adapter.md). */
  readonly historical: TwsHistoricalBars;
  /** The kernel's books, lent per symbol (ports/market-data-feed.ts `DepthBookKeeping`). */
  private readonly lent = new Map<string, OrderBook>();
  /**
   * One book per symbol (docs/depth-rows.md#one-book): the kernel lends its book and the depth rows are applied to it
   * as they are delivered, and judged on it, instead of on a copy kept beside it.
   */
  readonly books: DepthBookKeeping = {
    capacity: TWS_BOOK_CAPACITY,
    lend: (symbol, book) => this.lend(symbol, book),
  };

  constructor(
    private readonly conn: TwsConnection,
    private readonly clock: Clock,
    private readonly budget: { lines: number; depth: number },
    quality: Partial<FeedQuality> = {},
    private readonly contracts: TwsContracts,
    entitlements: EntitlementOptions = DEFAULT_ENTITLEMENTS,
    historical: TwsHistoricalOptions = {},
  ) {
    this.q = { ...DEFAULT_FEED_QUALITY, ...quality };
    this.historical = new TwsHistoricalBars(conn, clock, contracts, historical);
    this.entitlements = new TwsEntitlementWatch(
      clock,
      entitlements,
      (v) => this.emit('feed.entitlement', v),
      (v) => this.emit('feed.entitlement-ok', v),
    );
    conn.on('code', (code, _reqId, message, route) => {
      if (route === 'system') this.entitlements.systemCode(code, message);
    });
    this.recovery = new TwsFeedRecovery(conn, {
      subs: () => this.subs.values(),
      emit: (e, p) => this.emit(e, p),
      request: (s) => this.request(s),
      forget: (s) => this.forget(s),
      clearDepth: (s) => this.clearDepth(s),
      resubscribe: (s, clear) => this.resubscribe(s, clear),
    });
    this.depth = new TwsDepthIngest(
      {
        emit: (e, p) => this.emitter.emit(e, p),
        countMalformed: (s, r) => this.countMalformed(s, r),
        queue: (s) => this.queue(s),
        resubscribe: (s, clear) => this.resubscribe(s, clear),
      },
      this.q.crossedBatches,
    );
    const ib = conn.ib;
    ib.on(EventName.updateMktDepth, (id: number, position: number, operation: number, side: number, price: number, size: number) =>
      this.onRow(id, position, operation, side, price, size, ''),
    );
    ib.on(
      EventName.updateMktDepthL2,
      (id: number, position: number, mm: string, operation: number, side: number, price: number, size: number) =>
        this.onRow(id, position, operation, side, price, size, mm ?? ''),
    );
    ib.on(EventName.tickByTickAllLast, (id: number, _t: number, time: string | number, price: number, size: number) =>
      this.onPrint(id, time, price, size),
    );
    ib.on(EventName.tickPrice, (id: number, field: number, value: number) => this.onTick(id, field, value, true));
    ib.on(EventName.tickSize, (id: number, field?: number, value?: number) => this.onTick(id, field ?? -1, value, false));
  }

  async connect(): Promise<void> {
    this.entitlements.checkBudgets(this.budget);
    if (this.conn.state === 'Disconnected') await this.conn.connect();
  }

  async disconnect(): Promise<void> {
    for (const s of [...this.subs.values()]) this.release(s, null);
  }

  async dispose(): Promise<void> {
    await this.disconnect();
    this.entitlements.dispose();
    this.recovery.dispose();
  }

  /** Counters of data the feed would not pass on as it came (card FEED-13 `depth-beyond-book`, FEED-21; docs/conformance-cards.md#feed-13). */
  anomalies(): { malformed: number; depthBeyondBook: number } {
    return { malformed: this.malformed, depthBeyondBook: this.depth.beyondBook };
  }

  subscribe(symbol: string, stream: StreamKind, options: { levels?: number } = {}): SubscribeResult {
    const key = `${symbol}:${stream}`;
    const handle: SubscriptionHandle = { symbol, stream, id: this.nextHandle };
    const existing = this.subs.get(key);
    if (existing !== undefined) {
      // Another holder of a live line: counted once against the budget, released when the last holder leaves.
      this.nextHandle++;
      existing.holders.add(handle.id);
      this.emit('feed.subscribed', { symbol, stream, holders: existing.holders.size, usage: this.usage() });
      return { ok: true, handle };
    }
    const usage = this.usage();
    const counter = stream === 'depth' ? usage.depth : usage.lines;
    if (counter.used >= counter.budget) {
      this.emit('feed.refused', { symbol, stream, code: 'FEED.LINE_BUDGET_EXCEEDED', usage });
      this.entitlements.refusedLocally(symbol, stream, counter.budget);
      return { ok: false, code: 'FEED.LINE_BUDGET_EXCEEDED', reason: `${stream} budget ${counter.budget} in use` };
    }
    this.nextHandle++;
    // A lent book may show more rows than asked for (the kernel's top N): IB is asked for as many, or the rows an
    // insert pushes out of IB's window would stay in the book's view, never updated again.
    const lent = stream === 'depth' ? this.lent.get(symbol) : undefined;
    const levels = Math.min(20, Math.max(1, options.levels ?? 10, lent?.maxLevels ?? 1));
    const sub: FeedSub = {
      key,
      symbol,
      stream,
      holders: new Set([handle.id]),
      reqId: -1,
      seq: 0,
      epoch: 1,
      levels,
      resumePending: false,
      suspect: false,
      released: false,
      queued: false,
      qualifying: false,
      watch: new StaleWatch(
        this.clock,
        (stream === 'tape' ? this.q.staleTapeMs : this.q.staleMs) * 1_000,
        { stale: (silentFor, escalated) => this.onStale(sub, silentFor, escalated) },
        `tws.stale ${key}`,
      ),
      quote: stream === 'quote' ? new TwsQuoteBuilder(symbol) : null,
      depth: stream === 'depth' ? new DepthStream(symbol, levels, this.q.depthAnomalies, this.q.depthAnomalyWindowMs * 1_000, lent) : null,
      trade: stream === 'tape' ? tradeEvent(symbol) : null,
    };
    this.subs.set(key, sub);
    if (sub.quote !== null) this.quoteOf.set(symbol, sub.quote);
    if (this.conn.linkUp) this.request(sub);
    this.emit('feed.subscribed', { symbol, stream, holders: 1, usage: this.usage() });
    return { ok: true, handle };
  }

  unsubscribe(handle: SubscriptionHandle): void {
    const sub = this.subs.get(`${handle.symbol}:${handle.stream}`);
    // A repeat, or a handle of an earlier line on the same key, is a no-op.
    if (sub === undefined || !sub.holders.delete(handle.id) || sub.holders.size > 0) return;
    this.release(sub, null);
  }

  usage(): LineUsage {
    let lines = 0;
    let depth = 0;
    for (const s of this.subs.values())
      if (s.stream === 'depth') depth++;
      else lines++;
    return { lines: { used: lines, budget: this.budget.lines }, depth: { used: depth, budget: this.budget.depth } };
  }

  on<K extends FeedEventName>(event: K, listener: (payload: FeedEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  // ---- requests ----

  private request(sub: FeedSub): void {
    // No data request before the contract is qualified (its conId pins the listing); the first line of a symbol waits
    // for the one reqContractDetails, later lines and resubscriptions use the cache.
    if (this.contracts.get(sub.symbol) === undefined) return this.qualifyThenRequest(sub);
    // Ids come from the connection's one allocator, so an IB error id is never ambiguous between an order and a stream.
    sub.reqId = this.conn.allocateId();
    this.byReq.set(sub.reqId, sub);
    const { symbol, stream } = sub;
    this.conn.registry.stream({
      id: sub.reqId,
      type: stream === 'depth' ? 'market-depth' : stream === 'tape' ? 'tick-by-tick' : 'market-data',
      origin: `feed ${symbol}:${stream}`,
      onError: (code, message) => this.onStreamError(sub, code, message),
    });
    const contract = this.contracts.contract(symbol);
    if (stream === 'depth') this.conn.ib.reqMktDepth(sub.reqId, contract, sub.levels, false, []);
    else if (stream === 'tape') this.conn.ib.reqTickByTickData(sub.reqId, contract, 'AllLast' as TickByTickDataType, 0, false);
    else this.conn.ib.reqMktData(sub.reqId, contract, '', false, false);
    this.entitlements.requested(symbol, stream);
    if (!this.recovery.down) sub.watch.start();
  }

  private qualifyThenRequest(sub: FeedSub): void {
    if (sub.qualifying) return;
    sub.qualifying = true;
    this.contracts.qualify(sub.symbol).then(
      () => {
        sub.qualifying = false;
        if (!sub.released && sub.reqId < 0 && this.conn.linkUp) this.request(sub);
      },
      (e: { code?: ErrorCode; message?: string }) => {
        sub.qualifying = false;
        // An unknown symbol fails the line; a link lost meanwhile is retried by the restore path like any request.
        if (sub.released || e.code === 'BROKER.NOT_CONNECTED') return;
        this.release(sub, { code: e.code ?? 'FEED.SUBSCRIPTION_FAILED', reason: e.message ?? 'contract qualification failed' });
      },
    );
  }

  private cancelRequest(sub: FeedSub): void {
    if (sub.reqId < 0) return;
    if (this.conn.linkUp) {
      if (sub.stream === 'depth') this.conn.ib.cancelMktDepth(sub.reqId, false);
      else if (sub.stream === 'tape') this.conn.ib.cancelTickByTickData(sub.reqId);
      else this.conn.ib.cancelMktData(sub.reqId);
    }
    this.forget(sub);
  }

  /** Forgets the live request id (late errors for it are absorbed by the registry); its data is ignored from now. */
  private forget(sub: FeedSub): void {
    sub.watch.cancel();
    if (sub.reqId < 0) return;
    this.byReq.delete(sub.reqId);
    this.conn.registry.endStream(sub.reqId);
    sub.reqId = -1;
  }

  /** A new request under a new epoch (the old one is cancelled); depth first clears what the old request built. */
  private resubscribe(sub: FeedSub, clear: boolean): void {
    if (clear) this.clearDepth(sub);
    this.cancelRequest(sub);
    sub.epoch++;
    sub.seq = 0;
    this.emit('feed.resubscribed', { symbol: sub.symbol, stream: sub.stream, epoch: sub.epoch });
    if (this.conn.linkUp) this.request(sub);
  }

  /** The last holder left (`failed` null), or the source refused the line: either way it is released. */
  private release(sub: FeedSub, failed: { code: ErrorCode; reason: string } | null): void {
    this.cancelRequest(sub);
    sub.released = true;
    this.subs.delete(sub.key);
    if (this.quoteOf.get(sub.symbol) === sub.quote) this.quoteOf.delete(sub.symbol);
    if (failed === null) this.emit('feed.unsubscribed', { symbol: sub.symbol, stream: sub.stream, usage: this.usage() });
    else this.emit('feed.failed', { symbol: sub.symbol, stream: sub.stream, ...failed });
  }

  /**
   * IB errors on one stream: depth reset/halt (docs/tws-adapter.md#depth-source), delayed data (10167), or a refusal that fails only this
   * line.
   */
  private onStreamError(sub: FeedSub, code: number, message: string): void {
    this.entitlements.code(sub.symbol, sub.stream, code, message);
    if (sub.depth !== null && code === 317) return this.clearDepth(sub); // reset: same request, the book rebuilds
    // Halted: only a new request helps. A 316 on a request that has delivered nothing yet is left to the stale watch
    // (resubscribe once, then escalate), so a halted book cannot make the feed re-request in a loop.
    if (sub.depth !== null && code === 316) return sub.seq > 0 ? this.resubscribe(sub, true) : undefined;
    if (code === 10167 && sub.quote !== null && !sub.quote.delayed) {
      sub.quote.delayed = true;
      this.emit('feed.delayed', { symbol: sub.symbol, stream: sub.stream });
    }
    if (requestEffect(code, message) !== 'fail') return; // e.g. 10197: stays subscribed; TWS resumes when the other login ends
    this.release(sub, { code: ruleFor(code).harvesterCode, reason: `IB ${code}: ${message}` });
  }

  // ---- quality ----

  private onStale(sub: FeedSub, silentFor: Micros, escalated: boolean): boolean {
    this.emit('feed.stale', { symbol: sub.symbol, stream: sub.stream, silentFor, escalated });
    if (escalated || this.recovery.down || !this.conn.linkUp) return false;
    this.resubscribe(sub, sub.depth !== null); // TWS resends a depth book on a new request: start it from empty
    return true;
  }

  /** Data on a line: staleness, interruption and restore end here. */
  private touch(sub: FeedSub, now: Micros): void {
    if (!this.flowing.has(sub)) {
      this.flowing.add(sub);
      this.entitlements.data(sub.symbol, sub.stream);
    }
    if (sub.watch.touch(now) || sub.resumePending) {
      sub.resumePending = false;
      if (!sub.suspect) this.emit('feed.resumed', { symbol: sub.symbol, stream: sub.stream });
    }
  }

  private countMalformed(sub: FeedSub, reason: string): void {
    this.malformed++;
    this.emit('feed.malformed', { source: `tws ${sub.key}`, offset: sub.reqId, reason, count: this.malformed });
  }

  private queue(sub: FeedSub): void {
    if (!sub.queued) {
      sub.queued = true;
      this.dirty.push(sub);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  // ---- inbound data ----

  private onTick(id: number, field: number, value: unknown, isPrice: boolean): void {
    const sub = this.byReq.get(id);
    if (sub === undefined || sub.quote === null) return;
    const now = this.clock.now();
    this.touch(sub, now);
    if (isPrice && sub.quote.repeats(field)) this.flushQuote(sub);
    if (isPrice ? sub.quote.price(field, value, now) : sub.quote.size(field, value, now)) this.queue(sub);
  }

  private onRow(id: number, position: number, operation: number, side: number, price: number, size: number, mm: string): void {
    const sub = this.byReq.get(id);
    if (sub === undefined || sub.depth === null) return;
    const now = this.clock.now();
    this.touch(sub, now);
    this.depth.row(sub, position, operation, side, price, size, mm, now);
  }

  private onPrint(id: number, time: unknown, price: number, size: number): void {
    const sub = this.byReq.get(id);
    if (sub === undefined || sub.trade === null) return;
    const now = this.clock.now();
    this.touch(sub, now);
    const p = positivePrice(price);
    const s = shareSize(size);
    if (p === MALFORMED || s === MALFORMED || s === null || s === 0) return this.countMalformed(sub, `print price ${price} size ${size}`);
    const q = this.quoteOf.get(sub.symbol);
    const e = sub.trade;
    // TWS gives no aggressor: infer it from the quote that prevailed on arrival (at/above the ask: a buyer lifted it).
    e.aggressor = q === undefined ? 'unknown' : q.ask > 0 && p >= q.ask ? 'buy' : q.bid > 0 && p <= q.bid ? 'sell' : 'unknown';
    e.price = p;
    e.size = s;
    e.seq = ++sub.seq;
    e.epoch = sub.epoch;
    e.recvTime = now;
    e.exchTime = twsTime(time);
    this.emitter.emit('trade.printed', e);
  }

  /** End of the socket read: commit staged quotes, close depth batches and judge the books they leave. */
  private endOfRead(): void {
    this.flushScheduled = false;
    for (let i = 0; i < this.dirty.length; i++) {
      const sub = this.dirty[i]!;
      sub.queued = false;
      if (sub.released) continue;
      if (sub.quote !== null) this.flushQuote(sub);
      if (sub.depth !== null) this.depth.endOfBatch(sub);
    }
    this.dirty.length = 0;
  }

  private flushQuote(sub: FeedSub): void {
    const q = sub.quote!;
    const r = q.flush();
    if (r === 'emit') {
      q.out.seq = ++sub.seq;
      q.out.epoch = sub.epoch;
      this.emitter.emit('quote.updated', q.out);
    } else if (r === 'malformed') this.countMalformed(sub, q.lastBad);
  }

  /**
   * The kernel's book of `symbol` from now on. A live depth line moves to it: the kernel applied every row delivered
   * so far to that book itself, so it holds the book as delivered; a held row is applied when it is delivered.
   */
  private lend(symbol: string, book: OrderBook): void {
    this.lent.set(symbol, book);
    const d = this.subs.get(`${symbol}:depth`)?.depth;
    if (d !== undefined && d !== null) d.book = book;
  }

  private clearDepth(sub: FeedSub): void {
    this.depth.clear(sub, this.clock.now());
  }

  private emit<K extends FeedEventName>(event: K, payload: FeedEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}
