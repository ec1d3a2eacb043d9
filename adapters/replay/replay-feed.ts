import { EventEmitter } from 'eventemitter3';
import type { DepthEvent, Instrument, MarketEvent, QuoteEvent, StreamKind, TradeEvent } from '../../core/domain/market.js';
import type { Micros } from '../../core/domain/units.js';
import type { Clock, VirtualClock } from '../../ports/clock.js';
import type {
  DepthBookKeeping,
  FeedEventName,
  FeedEvents,
  FeedPlayback,
  LineUsage,
  MarketDataFeed,
  PlaybackOptions,
  PlaybackSummary,
  SubscribeOptions,
  SubscribeResult,
  SubscriptionHandle,
} from '../../ports/market-data-feed.js';
import { RecordingReader } from './recording/recording-reader.js';
import { laneLive, newLane, recordedInstrument, type Lane, type ReplaySub as Sub } from './replay-lanes.js';
import { playMerged } from './replay-merge.js';
import { playSingle, type SinglePlayHost } from './replay-single.js';
import { BookCopy, ownBook, REPLAY_BOOK_CAPACITY } from './replay-book-model.js';
import type { OrderBook } from '../../core/domain/order-book.js';
import { newSynthRow, resync, type ResyncHost } from './replay-depth-resync.js';
import { BurstWindow } from '../../core/domain/burst-window.js';
import { ingestDepth } from './replay-depth-rows.js';
import { checkTrade, inferAggressor, normalizeQuote } from './replay-normalize.js';
import { StaleWatch } from '../../core/engine/stale-watch.js';

export interface ReplayFeedOptions {
  /**
   * The recordings, one symbol each (their headers'). Several are played as one stream merged by receive time, ties
   * going to the one listed first; subscriptions to a symbol no recording holds receive nothing.
   */
  files: readonly string[];
  clock: Clock;
  /** When playback ends the virtual clock is advanced here so that pending timers fire. */
  sessionEnd: Micros;
  lineBudget: number;
  depthBudget: number;
  /** Added to recorded receive times (exchange → Harvester latency). */
  recvLatencyUs: number;
  /** The configured instrument(s): they win over what a recording's header says (tick, currency…). */
  instrument: Instrument | undefined | ((symbol: string) => Instrument | undefined);
  /**
   * T_stale: silence on a subscription before `feed.stale` (card FEED-23, docs/conformance-cards.md#feed-23). 0 or absent: not watched,
   * because a recorded tape or book can be quiet for minutes (the GOOG day: 131 s without a print) and the kill switch turns
   * every `feed.stale` into SAFE_MODE.
   */
  staleUs?: Micros;
  /**
   * K_cross: consecutive crossed depth batches before the book is suspect and resynced (card FEED-20 b, docs/conformance-cards.md#feed-20).
   */
  crossedBatches?: number;
  /**
   * K_depth: rows addressed beyond the book within `depthAnomalyWindowUs` before the book is resynced
   * (card FEED-13, docs/conformance-cards.md#feed-13).
   */
  depthAnomalies?: number;
  depthAnomalyWindowUs?: Micros;
}

/** The market-data events, delivered through direct listener arrays instead of the emitter (the hot path). */
const DATA_KIND: Partial<Record<FeedEventName, 'quote' | 'depth' | 'trade'>> = {
  'quote.updated': 'quote',
  'depth.updated': 'depth',
  'trade.printed': 'trade',
};
type DataListener = (e: QuoteEvent | TradeEvent | DepthEvent) => void;
const DEFAULT_LEVELS = 10;

/**
 * Plays recordings (one per symbol, merged by receive time) on the virtual clock: before each event the clock
 * advances to its receive time, so every timer due earlier (broker latency, strategy windows, staleness) fires first.
 * Only subscribed (symbol, stream) pairs are delivered, each with its own seq from 1. On the way it does what a live
 * feed does to its source's data (cards FEED-13, 14, 20–23, 40; docs/conformance-cards.md#feed-13): quotes are normalized and flagged, bad
 * values counted as `feed.malformed` and dropped, open print sides inferred, depth rows beyond the book appended and
 * counted, crossed books, K_depth anomalies, halts and gaps resynced under a new epoch. Corrupt blocks are reported
 * as `feed.malformed` and skipped.
 *
 * It has no `historical` capability (ports/market-data-feed.ts): bars built from the recording would show the
 * session ahead of the virtual clock, so a strategy asking for history in replay or sim learns it from
 * `feed.historical === undefined` rather than from a look-ahead (docs/tws-adapter.md, "Historical bars").
 */
export class ReplayFeed implements MarketDataFeed {
  readonly id = 'replay';
  private readonly emitter = new EventEmitter();
  private readonly data: Record<'quote' | 'depth' | 'trade', DataListener[]> = { quote: [], depth: [], trade: [] };
  private readonly subs = new Map<string, Sub>();
  private readonly lanes = new Map<string, Lane>();
  private nextId = 1;
  private malformed = 0;
  /** What the depth resync needs of the feed (replay-depth-resync.ts). */
  private readonly host: ResyncHost;
  /** What the single-recording loop needs of the feed (replay-single.ts). */
  private readonly single: SinglePlayHost;
  readonly playback: FeedPlayback = { run: (o) => this.run(o) };
  /**
   * One book per symbol (ports/market-data-feed.ts `DepthBookKeeping`): the kernel lends its book, and the depth
   * checks run on it instead of on a copy kept beside it.
   */
  readonly books: DepthBookKeeping = {
    capacity: REPLAY_BOOK_CAPACITY,
    lend: (symbol, book) => this.lend(symbol, book),
  };

  constructor(private readonly o: ReplayFeedOptions) {
    this.host = {
      kCross: o.crossedBatches ?? 3,
      beyondBook: 0,
      synth: newSynthRow(),
      copy: new BookCopy(),
      emit: (event, payload) => this.emit(event, payload),
      deliver: (sub, e) => this.deliverDepth(sub as Sub, e),
    };
    this.single = {
      recvLatencyUs: o.recvLatencyUs,
      resync: this.host,
      disposed: false,
      dispatch: (e, lane, file, index) => this.dispatch(e, lane, file, index),
      countMalformed: (file, offset, reason) => this.countMalformed(file, offset, reason),
    };
  }

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async dispose(): Promise<void> {
    for (const sub of [...this.subs.values()]) this.release(sub, true);
    this.single.disposed = true;
  }

  async instrument(symbol: string): Promise<Instrument | null> {
    const o = this.o.instrument;
    const configured = typeof o === 'function' ? o(symbol) : o !== undefined && o.symbol === symbol ? o : undefined;
    if (configured !== undefined) return configured;
    return recordedInstrument(this.o.files, symbol);
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
      handle: { symbol, stream, id: this.nextId++ },
      holders: 1,
      seq: 0,
      epoch: 1,
      watch: null,
      suspect: false,
      crossedRun: 0,
      batchOpen: false,
      burst: false,
      book: null,
      priceKeyed: false,
      anomalies: null,
    };
    if (stream === 'depth') {
      sub.book = this.lane(symbol).lent ?? ownBook(symbol, options.levels ?? DEFAULT_LEVELS);
      sub.anomalies = new BurstWindow(this.o.depthAnomalies ?? 5, this.o.depthAnomalyWindowUs ?? 60_000_000);
    }
    const staleUs = this.o.staleUs ?? 0;
    if (staleUs > 0) {
      // A replay cannot resubscribe: the host returns false, so the watch never escalates.
      sub.watch = new StaleWatch(
        this.o.clock,
        staleUs,
        { stale: (silentFor) => (this.emit('feed.stale', { symbol, stream, silentFor, escalated: false }), false) },
        `replay.stale ${key}`,
      );
      sub.watch.start();
    }
    this.subs.set(key, sub);
    this.lane(symbol).subs[stream] = sub;
    this.emit('feed.subscribed', { symbol, stream, holders: 1, usage: this.usage() });
    return { ok: true, handle: sub.handle };
  }

  unsubscribe(handle: SubscriptionHandle): void {
    const sub = this.subs.get(`${handle.symbol}:${handle.stream}`);
    if (sub !== undefined && sub.handle.id === handle.id) this.release(sub, false);
  }

  /**
   * Counters of data the feed would not pass on as it came (card FEED-13 `depth-beyond-book`, FEED-21; docs/conformance-cards.md#feed-13).
   */
  anomalies(): { malformed: number; depthBeyondBook: number } {
    return { malformed: this.malformed, depthBeyondBook: this.host.beyondBook };
  }

  usage(): LineUsage {
    let lines = 0;
    let depth = 0;
    for (const s of this.subs.values())
      if (s.handle.stream === 'depth') depth++;
      else lines++;
    return { lines: { used: lines, budget: this.o.lineBudget }, depth: { used: depth, budget: this.o.depthBudget } };
  }

  on<K extends FeedEventName>(event: K, listener: (payload: FeedEvents[K]) => void): () => void {
    const kind = DATA_KIND[event];
    if (kind !== undefined) {
      // Market data: a plain array per kind, replaced (never mutated) on change, so an emit in progress is unaffected.
      const l = listener as DataListener;
      this.data[kind] = [...this.data[kind], l];
      return () => {
        this.data[kind] = this.data[kind].filter((x) => x !== l);
      };
    }
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  private async run(options: PlaybackOptions = {}): Promise<PlaybackSummary> {
    const virtual = this.o.clock.kind === 'virtual' ? (this.o.clock as VirtualClock) : null;
    const readers: RecordingReader[] = [];
    let delivered = 0;
    // First and last receive time in a typed array: a double written to a closure variable is boxed (a heap
    // number per event, bench/alloc-profile.ts); NaN = none yet.
    const span = new Float64Array([Number.NaN, Number.NaN]);
    try {
      for (const file of this.o.files) readers.push(RecordingReader.open(file));
      const lanes = readers.map((r) => this.lane(r.header.symbol));
      // One recording (the usual replay): nothing to merge, so the fused block loop plays it.
      if (readers.length === 1) delivered = await playSingle(this.single, readers[0]!, lanes[0]!, virtual, span, options);
      else delivered = await this.playMany(readers, lanes, virtual, span, options);
    } finally {
      for (const r of readers) r.close();
    }
    return this.finish(readers, virtual, span, delivered, options);
  }

  /** Several recordings merged by receive time (replay-merge.ts); returns the events delivered. */
  private async playMany(
    readers: readonly RecordingReader[],
    lanes: readonly Lane[],
    virtual: VirtualClock | null,
    span: Float64Array,
    options: PlaybackOptions,
  ): Promise<number> {
    const latency = this.o.recvLatencyUs;
    const every = options.progressEvery ?? 100_000;
    let delivered = 0;
    /** Each event's place in its own recording (the offset of a malformed one). */
    const index = new Float64Array(readers.length).fill(-1);
    await playMerged(
      readers,
      {
        event: (e, k) => {
          const at = index[k]! + 1;
          index[k] = at;
          if (this.single.disposed) return;
          e.recvTime += latency;
          if (span[0] !== span[0]) span[0] = e.recvTime;
          span[1] = e.recvTime;
          virtual?.advanceTo(e.recvTime);
          if (!this.dispatch(e, lanes[k]!, k, at)) return;
          delivered++;
          if (options.onProgress !== undefined && delivered % every === 0) options.onProgress(delivered, e.recvTime);
        },
        corrupt: (c, k) => this.countMalformed(k, c.offset, c.reason),
      },
      options.signal,
    );
    return delivered;
  }

  /** The end of playback: the clock to the session end, `end` status per symbol, the summary. */
  private finish(
    readers: readonly RecordingReader[],
    virtual: VirtualClock | null,
    span: Float64Array,
    delivered: number,
    options: PlaybackOptions,
  ): PlaybackSummary {
    virtual?.advanceTo(Math.max(this.o.sessionEnd, virtual.now()));
    if (this.subs.size > 0) {
      const t = this.o.clock.now();
      for (const symbol of new Set(readers.map((r) => r.header.symbol))) {
        this.emitter.emit('feed.status', {
          kind: 'status',
          symbol,
          status: 'end',
          reason: 'end of recording',
          seq: 0,
          epoch: 1,
          recvTime: t,
          exchTime: null,
        });
      }
    }
    options.onProgress?.(delivered, this.o.clock.now());
    const first = span[0]!;
    const last = span[1]!;
    return {
      events: delivered,
      malformed: this.malformed,
      firstTime: first !== first ? null : first,
      lastTime: last !== last ? null : last,
    };
  }

  /** One recorded event of `lane`'s symbol; true when something was delivered for it. `index`: its place in recording `file`. */
  private dispatch(e: MarketEvent, lane: Lane, file: number, index: number): boolean {
    switch (e.kind) {
      case 'quote':
        return this.onQuote(e, lane, file, index);
      case 'trade':
        return this.onTrade(e, lane, file, index);
      case 'depth':
        return this.onDepth(e, lane);
      case 'status': {
        // Status events ride along with any subscription of their symbol but consume no data sequence.
        if (!laneLive(lane)) return false;
        this.emitter.emit('feed.status', e);
        if (e.status === 'gap') this.onGap(lane);
        else if (e.status === 'halted' && lane.subs.depth !== undefined) resync(this.host, lane.subs.depth, null, e.recvTime);
        return true;
      }
    }
  }

  private onQuote(q: QuoteEvent, lane: Lane, file: number, index: number): boolean {
    const bad = normalizeQuote(q);
    if (bad !== null) return this.countMalformed(file, index, bad);
    lane.bid = q.bid;
    lane.ask = q.ask;
    lane.quoted = true;
    const sub = lane.subs.quote;
    if (sub === undefined) return false;
    this.flows(sub, q.recvTime);
    return this.deliver(sub, q);
  }

  private onTrade(t: TradeEvent, lane: Lane, file: number, index: number): boolean {
    const bad = checkTrade(t);
    if (bad !== null) return this.countMalformed(file, index, bad);
    const sub = lane.subs.tape;
    if (sub === undefined) return false;
    // Without recorded quotes, the delivered book's top is the prevailing quote.
    const book = lane.quoted ? null : (lane.subs.depth?.book ?? null);
    inferAggressor(t, book === null ? lane.bid : book.bestBid, book === null ? lane.ask : book.bestAsk);
    this.flows(sub, t.recvTime);
    return this.deliver(sub, t);
  }

  private onDepth(d: DepthEvent, lane: Lane): boolean {
    const sub = lane.subs.depth;
    if (sub === undefined) return false;
    sub.watch?.touch(d.recvTime);
    ingestDepth(this.host, sub, d);
    return true;
  }

  /** Card FEED-40 c (docs/conformance-cards.md#feed-40): a gap in the source makes every live stream suspect; depth is resynced. */
  private onGap(lane: Lane): void {
    const now = this.o.clock.now();
    for (const stream of ['quote', 'depth', 'tape'] as const) {
      const sub = lane.subs[stream];
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

  /**
   * The depth rows' own copy of {@link deliver}: one row per depth event is the hottest call of a replay, and
   * `this.data[e.kind]` is a keyed load over the shapes of every event kind (4 % of an LMP run's samples, bench/RESULTS.md).
   */
  private deliverDepth(sub: Sub, e: DepthEvent): void {
    e.seq = ++sub.seq;
    e.epoch = sub.epoch;
    const listeners = this.data.depth;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(e);
  }

  private deliver(sub: Sub, e: QuoteEvent | TradeEvent | DepthEvent): true {
    e.seq = ++sub.seq;
    e.epoch = sub.epoch;
    const listeners = this.data[e.kind];
    for (let i = 0; i < listeners.length; i++) listeners[i]!(e);
    return true;
  }

  /**
   * Card FEED-21 (docs/conformance-cards.md#feed-21): a bad value is counted and dropped, never thrown. `offset`: byte offset, or event
   * index.
   */
  private countMalformed(file: number, offset: number, reason: string): false {
    this.malformed++;
    this.emit('feed.malformed', { source: this.o.files[file]!, offset, reason, count: this.malformed });
    return false;
  }

  private release(sub: Sub, all: boolean): void {
    sub.holders = all ? 0 : sub.holders - 1;
    if (sub.holders > 0) return;
    sub.watch?.cancel();
    this.subs.delete(`${sub.handle.symbol}:${sub.handle.stream}`);
    const lane = this.lane(sub.handle.symbol);
    if (lane.subs[sub.handle.stream] === sub) lane.subs[sub.handle.stream] = undefined;
    this.emit('feed.unsubscribed', { symbol: sub.handle.symbol, stream: sub.handle.stream, usage: this.usage() });
  }

  /** The kernel's book of `symbol` from now on; a live depth subscription moves to it (the kernel stops applying rows). */
  private lend(symbol: string, book: OrderBook): void {
    const lane = this.lane(symbol);
    lane.lent = book;
    const sub = lane.subs.depth;
    if (sub !== undefined) sub.book = book;
  }

  private lane(symbol: string): Lane {
    let lane = this.lanes.get(symbol);
    if (lane === undefined) this.lanes.set(symbol, (lane = newLane(symbol)));
    return lane;
  }

  private emit<K extends FeedEventName>(event: K, payload: FeedEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}
