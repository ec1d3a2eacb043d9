import { EventName, type TickByTickDataType } from '@stoqey/ib';
import { EventEmitter } from 'eventemitter3';
import type { DepthEvent, Instrument, StreamKind, TradeEvent } from '../../core/domain/market.js';
import type { Clock } from '../../ports/clock.js';
import type { FeedEventName, FeedEvents, LineUsage, MarketDataFeed, SubscribeResult, SubscriptionHandle } from '../../ports/market-data-feed.js';
import { fromTws } from './mapping/price.js';
import { stockContract } from './mapping/order.js';
import { requestEffect, ruleFor } from './error-table.js';
import type { TwsConnection } from './tws-connection.js';

interface Sub {
  handle: SubscriptionHandle;
  /** The IB request id of the live request; -1 while none is out (link down, or not requested yet). */
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
  private nextHandle = 1;
  private pending: DepthEvent | null = null;
  private flushScheduled = false;
  private readonly quotes = new Map<string, { bid: number; ask: number }>();

  constructor(private readonly conn: TwsConnection, private readonly clock: Clock, private readonly budget: { lines: number; depth: number }) {
    const ib = conn.ib;
    ib.on(EventName.updateMktDepth, (id: number, position: number, operation: number, side: number, price: number, size: number) => this.onRow(id, position, operation, side, price, size, ''));
    ib.on(EventName.updateMktDepthL2, (id: number, position: number, mm: string, operation: number, side: number, price: number, size: number) => this.onRow(id, position, operation, side, price, size, mm));
    ib.on(EventName.tickByTickAllLast, (id: number, _t: number, time: string | number, price: number, size: number) => this.onPrint(id, Number(time), price, size));
    ib.on(EventName.tickPrice, (id: number, field: number, value: number) => this.onTick(id, field, value));
    // 1101 and a new socket lose every market-data request; 1102 keeps them; a first connect sends the ones
    // subscribed before the link was up.
    conn.on('restored', (kind) => {
      if (kind === 'connect') this.requestPending();
      else if (kind !== 'data-kept') this.resubscribe();
    });
    conn.on('interrupted', (reason) => {
      for (const sub of this.subs.values()) this.forget(sub);
      this.emit('feed.interrupted', { reason, subscriptions: this.subs.size });
    });
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
    const sub: Sub = { handle: { symbol, stream, id: this.nextHandle++ }, reqId: -1, seq: 0, epoch: 1, levels: options.levels ?? 10 };
    this.subs.set(key, sub);
    if (this.conn.linkUp) this.request(sub);
    this.emit('feed.subscribed', { symbol, stream, holders: 1, usage: this.usage() });
    return { ok: true, handle: sub.handle };
  }

  unsubscribe(handle: SubscriptionHandle): void {
    const sub = this.subs.get(`${handle.symbol}:${handle.stream}`);
    if (sub === undefined) return;
    this.cancelRequest(sub);
    this.subs.delete(`${handle.symbol}:${handle.stream}`);
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
    // Ids come from the connection's one allocator, so an IB error id is never ambiguous between an order and a stream.
    sub.reqId = this.conn.allocateId();
    this.byReq.set(sub.reqId, sub);
    const { symbol, stream } = sub.handle;
    this.conn.registry.stream({
      id: sub.reqId, type: stream === 'depth' ? 'market-depth' : stream === 'tape' ? 'tick-by-tick' : 'market-data', origin: `feed ${symbol}:${stream}`,
      onError: (code, message) => this.onStreamError(sub, code, message),
    });
    const contract = stockContract(sub.handle.symbol);
    if (sub.handle.stream === 'depth') ib.reqMktDepth(sub.reqId, contract, sub.levels, false, []);
    else if (sub.handle.stream === 'tape') ib.reqTickByTickData(sub.reqId, contract, 'AllLast' as TickByTickDataType, 0, false);
    else ib.reqMktData(sub.reqId, contract, '', false, false);
  }

  private cancelRequest(sub: Sub): void {
    if (sub.reqId < 0) return;
    const ib = this.conn.ib;
    if (this.conn.linkUp) {
      if (sub.handle.stream === 'depth') ib.cancelMktDepth(sub.reqId, false);
      else if (sub.handle.stream === 'tape') ib.cancelTickByTickData(sub.reqId);
      else ib.cancelMktData(sub.reqId);
    }
    this.forget(sub);
  }

  /** Forgets the live request id (late errors for it are absorbed by the registry). */
  private forget(sub: Sub): void {
    if (sub.reqId < 0) return;
    this.byReq.delete(sub.reqId);
    this.conn.registry.endStream(sub.reqId);
    sub.reqId = -1;
  }

  /** IB refused or dropped one stream: only that subscription fails and its line is released (§1.4). */
  private onStreamError(sub: Sub, code: number, message: string): void {
    if (requestEffect(code, message) !== 'fail') return; // e.g. 10197: stays subscribed; TWS resumes when the other login ends
    const { symbol, stream } = sub.handle;
    this.forget(sub);
    this.subs.delete(`${symbol}:${stream}`);
    this.emit('feed.failed', { symbol, stream, code: ruleFor(code).harvesterCode, reason: `IB ${code}: ${message}` });
  }

  private requestPending(): void {
    for (const sub of this.subs.values()) if (sub.reqId < 0) this.request(sub);
  }

  /** After a reconnect or 1101 the old request ids are dead: request again with new ids under a new epoch. */
  private resubscribe(): void {
    for (const sub of this.subs.values()) {
      this.forget(sub);
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
