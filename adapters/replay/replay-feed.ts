import { EventEmitter } from 'eventemitter3';
import type { DepthEvent, Instrument, MarketEvent, QuoteEvent, StreamKind, TradeEvent } from '../../core/domain/market.js';
import type { Micros } from '../../core/domain/units.js';
import type { Clock, VirtualClock } from '../../ports/clock.js';
import type {
  FeedEventName, FeedEvents, FeedPlayback, LineUsage, MarketDataFeed, PlaybackOptions, PlaybackSummary, SubscribeOptions, SubscribeResult,
  SubscriptionHandle,
} from '../../ports/market-data-feed.js';
import { RecordingReader } from './recording/recording-reader.js';
import { ReplayBookModel } from './replay-book-model.js';
import { newSynthRow, resync, type ResyncHost } from './replay-depth-resync.js';
import { AnomalyWindow, ingestDepth, type DepthRowsSub } from './replay-depth-rows.js';
import { checkTrade, inferAggressor, normalizeQuote } from './replay-normalize.js';
import { StaleWatch } from './replay-staleness.js';

export interface ReplayFeedOptions {
  file: string;
  clock: Clock;
  /** When playback ends the virtual clock is advanced here so that pending timers fire. */
  sessionEnd: Micros;
  lineBudget: number;
  depthBudget: number;
  /** Added to recorded receive times (exchange → Harvester latency). */
  recvLatencyUs: number;
  instrument: Instrument | undefined;
  /** The recording's symbol (from its header); subscriptions to other symbols receive nothing. */
  recordingSymbol: string;
  /**
   * T_stale: silence on a subscription before `feed.stale` (card FEED-23). 0 or absent: not watched, because a
   * recorded tape or book can be quiet for minutes (the GOOG day: 131 s without a print) and the kill switch turns
   * every `feed.stale` into SAFE_MODE.
   */
  staleUs?: Micros;
  /** K_cross: consecutive crossed depth batches before the book is suspect and resynced (card FEED-20 b). */
  crossedBatches?: number;
  /** K_depth: rows addressed beyond the book within `depthAnomalyWindowUs` before the book is resynced (card FEED-13). */
  depthAnomalies?: number;
  depthAnomalyWindowUs?: Micros;
}

interface Sub extends DepthRowsSub {
  handle: SubscriptionHandle;
  holders: number;
  watch: StaleWatch | null;
}

const DATA_EVENT = { quote: 'quote.updated', depth: 'depth.updated', trade: 'trade.printed' } as const;
const DEFAULT_LEVELS = 10;

/**
 * Plays a recording on the virtual clock: before each event the clock advances to its receive time, so every
 * timer due earlier (broker latency, strategy windows, staleness) fires first. Only subscribed (symbol, stream)
 * pairs are delivered, each with its own seq from 1. On the way it does what a live feed does to its source's data
 * (cards FEED-13, 14, 20–23, 40): quotes are normalized and flagged, bad values counted as `feed.malformed` and
 * dropped, open print sides inferred, depth rows beyond the book appended and counted, crossed books, K_depth
 * anomalies, halts and gaps resynced under a new epoch. Corrupt blocks
 * are reported as `feed.malformed` and skipped.
 */
export class ReplayFeed implements MarketDataFeed {
  readonly id = 'replay';
  private readonly emitter = new EventEmitter();
  private readonly subs = new Map<string, Sub>();
  private readonly byStream: Record<StreamKind, Sub | undefined> = { quote: undefined, depth: undefined, tape: undefined };
  private nextId = 1;
  private malformed = 0;
  private disposed = false;
  /** The prevailing quote of the source (0 = side missing or none yet), for inferring print sides. */
  private bid = 0;
  private ask = 0;
  private quoted = false;
  /** What the depth resync needs of the feed (replay-depth-resync.ts). */
  private readonly host: ResyncHost;
  readonly playback: FeedPlayback = { run: (o) => this.run(o) };

  constructor(private readonly o: ReplayFeedOptions) {
    this.host = {
      kCross: o.crossedBatches ?? 3,
      beyondBook: 0,
      synth: newSynthRow(),
      emit: (event, payload) => this.emit(event, payload),
      deliver: (sub, e) => this.deliver(sub as Sub, e),
    };
  }

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async dispose(): Promise<void> {
    for (const sub of [...this.subs.values()]) this.release(sub, true);
    this.disposed = true;
  }

  async instrument(symbol: string): Promise<Instrument | null> {
    if (this.o.instrument !== undefined && this.o.instrument.symbol === symbol) return this.o.instrument;
    const reader = RecordingReader.open(this.o.file);
    reader.close();
    return reader.header.symbol === symbol
      ? { symbol, tick: reader.header.tick, currency: 'USD', exchange: 'REPLAY', timeZone: reader.header.timeZone }
      : null;
  }

  subscribe(symbol: string, stream: StreamKind, options: SubscribeOptions = {}): SubscribeResult {
    const key = `${symbol}:${stream}`;
    const existing = this.subs.get(key);
    if (existing !== undefined) {
      existing.holders++;
      this.emit('feed.subscribed', { symbol, stream, holders: existing.holders, usage: this.usage() });
      return { ok: true, handle: existing.handle };
    }
    const usage = this.usage();
    const counter = stream === 'depth' ? usage.depth : usage.lines;
    if (counter.used >= counter.budget) {
      this.emit('feed.refused', { symbol, stream, code: 'FEED.LINE_BUDGET_EXCEEDED', usage });
      return { ok: false, code: 'FEED.LINE_BUDGET_EXCEEDED', reason: `${stream} budget ${counter.budget} in use` };
    }
    const sub: Sub = {
      handle: { symbol, stream, id: this.nextId++ }, holders: 1, seq: 0, epoch: 1, watch: null, suspect: false, crossedRun: 0,
      batchOpen: false, burst: false, book: null, anomalies: null,
    };
    if (stream === 'depth') {
      sub.book = new ReplayBookModel(Math.min(20, Math.max(1, options.levels ?? DEFAULT_LEVELS)));
      sub.anomalies = new AnomalyWindow(this.o.depthAnomalies ?? 5, this.o.depthAnomalyWindowUs ?? 60_000_000);
    }
    const staleUs = this.o.staleUs ?? 0;
    if (staleUs > 0) {
      sub.watch = new StaleWatch(this.o.clock, staleUs, (silentFor) => this.emit('feed.stale', { symbol, stream, silentFor, escalated: false }), `replay.stale ${key}`);
    }
    this.subs.set(key, sub);
    if (symbol === this.o.recordingSymbol) this.byStream[stream] = sub;
    this.emit('feed.subscribed', { symbol, stream, holders: 1, usage: this.usage() });
    return { ok: true, handle: sub.handle };
  }

  unsubscribe(handle: SubscriptionHandle): void {
    const sub = this.subs.get(`${handle.symbol}:${handle.stream}`);
    if (sub !== undefined && sub.handle.id === handle.id) this.release(sub, false);
  }

  /** Counters of data the feed would not pass on as it came (card FEED-13 `depth-beyond-book`, FEED-21). */
  anomalies(): { malformed: number; depthBeyondBook: number } {
    return { malformed: this.malformed, depthBeyondBook: this.host.beyondBook };
  }

  usage(): LineUsage {
    let lines = 0;
    let depth = 0;
    for (const s of this.subs.values()) if (s.handle.stream === 'depth') depth++; else lines++;
    return { lines: { used: lines, budget: this.o.lineBudget }, depth: { used: depth, budget: this.o.depthBudget } };
  }

  on<K extends FeedEventName>(event: K, listener: (payload: FeedEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  private async run(options: PlaybackOptions = {}): Promise<PlaybackSummary> {
    const reader = RecordingReader.open(this.o.file);
    const virtual = this.o.clock.kind === 'virtual' ? (this.o.clock as VirtualClock) : null;
    const latency = this.o.recvLatencyUs;
    const every = options.progressEvery ?? 100_000;
    const symbol = reader.header.symbol;
    let delivered = 0;
    let index = -1;
    let first: Micros | null = null;
    let last: Micros | null = null;
    try {
      await reader.forEach({
        event: (e) => {
          index++;
          if (e.symbol !== symbol || this.disposed) return;
          e.recvTime += latency;
          if (first === null) first = e.recvTime;
          last = e.recvTime;
          virtual?.advanceTo(e.recvTime);
          if (!this.dispatch(e, index)) return;
          delivered++;
          if (options.onProgress !== undefined && delivered % every === 0) options.onProgress(delivered, e.recvTime);
        },
        corrupt: (c) => this.countMalformed(c.offset, c.reason),
      }, options.signal);
    } finally {
      reader.close();
    }
    virtual?.advanceTo(Math.max(this.o.sessionEnd, virtual.now()));
    if (this.subs.size > 0) {
      const t = this.o.clock.now();
      this.emitter.emit('feed.status', { kind: 'status', symbol, status: 'end', reason: 'end of recording', seq: 0, epoch: 1, recvTime: t, exchTime: null });
    }
    options.onProgress?.(delivered, this.o.clock.now());
    return { events: delivered, malformed: this.malformed, firstTime: first, lastTime: last };
  }

  /** One recorded event; true when something was delivered for it. `index` is its place in the recording. */
  private dispatch(e: MarketEvent, index: number): boolean {
    switch (e.kind) {
      case 'quote': return this.onQuote(e, index);
      case 'trade': return this.onTrade(e, index);
      case 'depth': return this.onDepth(e);
      case 'status': {
        // Status events ride along with any subscription but consume no data sequence.
        if (this.subs.size === 0) return false;
        this.emitter.emit('feed.status', e);
        if (e.status === 'gap') this.onGap();
        else if (e.status === 'halted' && this.byStream.depth !== undefined) resync(this.host, this.byStream.depth, null, e.recvTime);
        return true;
      }
    }
  }

  private onQuote(q: QuoteEvent, index: number): boolean {
    const bad = normalizeQuote(q);
    if (bad !== null) return this.countMalformed(index, bad);
    this.bid = q.bid;
    this.ask = q.ask;
    this.quoted = true;
    const sub = this.byStream.quote;
    if (sub === undefined) return false;
    this.flows(sub, q.recvTime);
    return this.deliver(sub, q);
  }

  private onTrade(t: TradeEvent, index: number): boolean {
    const bad = checkTrade(t);
    if (bad !== null) return this.countMalformed(index, bad);
    const sub = this.byStream.tape;
    if (sub === undefined) return false;
    // Without recorded quotes, the delivered book's top is the prevailing quote.
    const book = this.quoted ? null : this.byStream.depth?.book ?? null;
    inferAggressor(t, book === null ? this.bid : book.best('bid'), book === null ? this.ask : book.best('ask'));
    this.flows(sub, t.recvTime);
    return this.deliver(sub, t);
  }

  private onDepth(d: DepthEvent): boolean {
    const sub = this.byStream.depth;
    if (sub === undefined) return false;
    sub.watch?.touch(d.recvTime);
    ingestDepth(this.host, sub, d);
    return true;
  }

  /** Card FEED-40 c: a gap in the source makes every live stream suspect; depth is resynced. */
  private onGap(): void {
    const now = this.o.clock.now();
    for (const stream of ['quote', 'depth', 'tape'] as const) {
      const sub = this.byStream[stream];
      if (sub === undefined) continue;
      if (stream === 'depth') resync(this.host, sub, 'gap', now);
      else if (!sub.suspect) {
        sub.suspect = true;
        this.emit('feed.suspect', { symbol: sub.handle.symbol, stream, reason: 'gap' });
      }
    }
  }

  /** Quote and tape: data flowing again ends staleness and suspicion. */
  private flows(sub: Sub, now: Micros): void {
    const wasStale = sub.watch !== null && sub.watch.touch(now);
    if (wasStale || sub.suspect) {
      sub.suspect = false;
      this.emit('feed.resumed', { symbol: sub.handle.symbol, stream: sub.handle.stream });
    }
  }

  private deliver(sub: Sub, e: QuoteEvent | TradeEvent | DepthEvent): true {
    e.seq = ++sub.seq;
    e.epoch = sub.epoch;
    this.emitter.emit(DATA_EVENT[e.kind], e);
    return true;
  }

  /** Card FEED-21: a bad value is counted and dropped, never thrown. `offset`: byte offset, or event index. */
  private countMalformed(offset: number, reason: string): false {
    this.malformed++;
    this.emit('feed.malformed', { source: this.o.file, offset, reason, count: this.malformed });
    return false;
  }

  private release(sub: Sub, all: boolean): void {
    sub.holders = all ? 0 : sub.holders - 1;
    if (sub.holders > 0) return;
    sub.watch?.cancel();
    this.subs.delete(`${sub.handle.symbol}:${sub.handle.stream}`);
    if (this.byStream[sub.handle.stream] === sub) this.byStream[sub.handle.stream] = undefined;
    this.emit('feed.unsubscribed', { symbol: sub.handle.symbol, stream: sub.handle.stream, usage: this.usage() });
  }

  private emit<K extends FeedEventName>(event: K, payload: FeedEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}
