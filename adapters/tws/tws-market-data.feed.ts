import { EventName, type TickByTickDataType } from '@stoqey/ib';
import { EventEmitter } from 'eventemitter3';
import type { DepthEvent, Instrument, StreamKind, TradeEvent } from '../../core/domain/market.js';
import type { Clock } from '../../ports/clock.js';
import type { FeedEventName, FeedEvents, LineUsage, MarketDataFeed, SubscribeResult, SubscriptionHandle } from '../../ports/market-data-feed.js';
import { fromTws } from './mapping/price.js';
import { stockContract } from './mapping/order.js';
import type { TwsConnection } from './tws-connection.js';

interface Sub {
  handle: SubscriptionHandle;
  reqId: number;
  seq: number;
  epoch: number;
  levels: number;
}

const OPERATIONS = ['insert', 'update', 'delete'] as const;

/**
 * MarketDataFeed over TWS: reqMktDepth rows keep IB's row semantics (position/operation/side), tick-by-tick AllLast is
 * the tape, reqMktData the L1 quote. IB marks no end of a depth batch, so a row is held until the next row or the end
 * of the current socket read (setImmediate), and the last row of that read carries endOfBatch.
 */
export class TwsMarketDataFeed implements MarketDataFeed {
  readonly id = 'tws';
  private readonly emitter = new EventEmitter();
  private readonly subs = new Map<string, Sub>();
  private readonly byReq = new Map<number, Sub>();
  private nextReq = 70_000;
  private pending: DepthEvent | null = null;
  private flushScheduled = false;
  private readonly quotes = new Map<string, { bid: number; ask: number }>();

  constructor(private readonly conn: TwsConnection, private readonly clock: Clock, private readonly budget: { lines: number; depth: number }) {
    const ib = conn.ib;
    ib.on(EventName.updateMktDepth, (id: number, position: number, operation: number, side: number, price: number, size: number) => this.onRow(id, position, operation, side, price, size, ''));
    ib.on(EventName.updateMktDepthL2, (id: number, position: number, mm: string, operation: number, side: number, price: number, size: number) => this.onRow(id, position, operation, side, price, size, mm));
    ib.on(EventName.tickByTickAllLast, (id: number, _t: number, time: string | number, price: number, size: number) => this.onPrint(id, Number(time), price, size));
    ib.on(EventName.tickPrice, (id: number, field: number, value: number) => this.onTick(id, field, value));
    conn.on('restored', () => this.resubscribe());
  }

  async connect(): Promise<void> {
    if (this.conn.state === 'Disconnected') await this.conn.connect();
  }

  async disconnect(): Promise<void> {
    for (const s of [...this.subs.values()]) this.unsubscribe(s.handle);
  }

  async dispose(): Promise<void> {
    await this.disconnect();
  }

  async instrument(symbol: string): Promise<Instrument | null> {
    return { symbol, tick: 100, currency: 'USD', exchange: 'SMART', timeZone: 'America/New_York' };
  }

  subscribe(symbol: string, stream: StreamKind, options: { levels?: number } = {}): SubscribeResult {
    const key = `${symbol}:${stream}`;
    const existing = this.subs.get(key);
    if (existing !== undefined) return { ok: true, handle: existing.handle };
    const usage = this.usage();
    const counter = stream === 'depth' ? usage.depth : usage.lines;
    if (counter.used >= counter.budget) {
      this.emit('feed.refused', { symbol, stream, code: 'FEED.LINE_BUDGET_EXCEEDED', usage });
      return { ok: false, code: 'FEED.LINE_BUDGET_EXCEEDED', reason: `${stream} budget ${counter.budget} in use` };
    }
    const sub: Sub = { handle: { symbol, stream, id: this.nextReq }, reqId: this.nextReq++, seq: 0, epoch: 1, levels: options.levels ?? 10 };
    this.subs.set(key, sub);
    this.byReq.set(sub.reqId, sub);
    this.request(sub);
    this.emit('feed.subscribed', { symbol, stream, holders: 1, usage: this.usage() });
    return { ok: true, handle: sub.handle };
  }

  unsubscribe(handle: SubscriptionHandle): void {
    const sub = this.subs.get(`${handle.symbol}:${handle.stream}`);
    if (sub === undefined) return;
    const ib = this.conn.ib;
    if (this.conn.state !== 'Disconnected') {
      if (sub.handle.stream === 'depth') ib.cancelMktDepth(sub.reqId, false);
      else if (sub.handle.stream === 'tape') ib.cancelTickByTickData(sub.reqId);
      else ib.cancelMktData(sub.reqId);
    }
    this.subs.delete(`${handle.symbol}:${handle.stream}`);
    this.byReq.delete(sub.reqId);
    this.emit('feed.unsubscribed', { symbol: handle.symbol, stream: handle.stream, usage: this.usage() });
  }

  usage(): LineUsage {
    let lines = 0;
    let depth = 0;
    for (const s of this.subs.values()) if (s.handle.stream === 'depth') depth++; else lines++;
    return { lines: { used: lines, budget: this.budget.lines }, depth: { used: depth, budget: this.budget.depth } };
  }

  on<K extends FeedEventName>(event: K, listener: (payload: FeedEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  private request(sub: Sub): void {
    const ib = this.conn.ib;
    const contract = stockContract(sub.handle.symbol);
    if (sub.handle.stream === 'depth') ib.reqMktDepth(sub.reqId, contract, sub.levels, false, []);
    else if (sub.handle.stream === 'tape') ib.reqTickByTickData(sub.reqId, contract, 'AllLast' as TickByTickDataType, 0, false);
    else ib.reqMktData(sub.reqId, contract, '', false, false);
  }

  /** After a reconnect or 1101 the old request ids are dead: request again under a new epoch. */
  private resubscribe(): void {
    for (const sub of this.subs.values()) {
      sub.epoch++;
      sub.seq = 0;
      this.request(sub);
      this.emit('feed.resubscribed', { symbol: sub.handle.symbol, stream: sub.handle.stream, epoch: sub.epoch });
    }
  }

  private onRow(id: number, position: number, operation: number, side: number, price: number, size: number, mm: string): void {
    const sub = this.byReq.get(id);
    if (sub === undefined) return;
    if (this.pending !== null) this.release(false);
    const now = this.clock.now();
    this.pending = {
      kind: 'depth', symbol: sub.handle.symbol, side: side === 1 ? 'bid' : 'ask', position, operation: OPERATIONS[operation] ?? 'update',
      price: fromTws(price), size, marketMaker: mm, endOfBatch: false, seq: ++sub.seq, epoch: sub.epoch, recvTime: now, exchTime: null,
    };
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (this.pending !== null) this.release(true);
      });
    }
  }

  private release(endOfBatch: boolean): void {
    const e = this.pending!;
    this.pending = null;
    e.endOfBatch = endOfBatch;
    this.emitter.emit('depth.updated', e);
  }

  private onPrint(id: number, time: number, price: number, size: number): void {
    const sub = this.byReq.get(id);
    if (sub === undefined) return;
    const p = fromTws(price);
    const q = this.quotes.get(sub.handle.symbol);
    // TWS gives no aggressor: infer it from the last quote (at/above the ask: a buyer lifted it).
    const aggressor = q === undefined ? 'unknown' : p >= q.ask && q.ask > 0 ? 'buy' : p <= q.bid && q.bid > 0 ? 'sell' : 'unknown';
    const e: TradeEvent = {
      kind: 'trade', symbol: sub.handle.symbol, price: p, size, aggressor, aggressorSource: 'inferred', seq: ++sub.seq, epoch: sub.epoch,
      recvTime: this.clock.now(), exchTime: Number.isFinite(time) && time > 0 ? time * 1_000_000 : null,
    };
    this.emitter.emit('trade.printed', e);
  }

  private onTick(id: number, field: number, value: number): void {
    const sub = this.byReq.get(id);
    if (sub === undefined) return;
    const q = this.quotes.get(sub.handle.symbol) ?? { bid: 0, ask: 0 };
    if (field === 1) q.bid = fromTws(value); // IB tick type 1: bid price
    if (field === 2) q.ask = fromTws(value); // IB tick type 2: ask price
    this.quotes.set(sub.handle.symbol, q);
  }

  private emit<K extends FeedEventName>(event: K, payload: FeedEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}
