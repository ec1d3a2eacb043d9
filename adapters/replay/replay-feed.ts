import { EventEmitter } from 'eventemitter3';
import type { Instrument, MarketEvent, StreamKind } from '../../core/domain/market.js';
import type { Micros } from '../../core/domain/units.js';
import type { Clock, VirtualClock } from '../../ports/clock.js';
import type {
  FeedEventName, FeedEvents, FeedPlayback, LineUsage, MarketDataFeed, PlaybackOptions, PlaybackSummary, SubscribeResult, SubscriptionHandle,
} from '../../ports/market-data-feed.js';
import { RecordingReader } from './recording/recording-reader.js';

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
}

interface Sub {
  handle: SubscriptionHandle;
  holders: number;
  seq: number;
  epoch: number;
}

const STREAM_OF: Record<MarketEvent['kind'], StreamKind> = { quote: 'quote', depth: 'depth', trade: 'tape', status: 'depth' };
const EVENT_OF = { quote: 'quote.updated', depth: 'depth.updated', trade: 'trade.printed', status: 'feed.status' } as const;

/**
 * Plays a recording on the virtual clock: before each event the clock advances to its receive time, so every
 * timer due earlier (broker latency, strategy windows) fires first. Only subscribed (symbol, stream) pairs are
 * delivered, each with its own seq from 1. Corrupt blocks are reported as `feed.malformed` and skipped.
 */
export class ReplayFeed implements MarketDataFeed {
  readonly id = 'replay';
  private readonly emitter = new EventEmitter();
  private readonly subs = new Map<string, Sub>();
  private readonly byStream: Record<StreamKind, Sub | undefined> = { quote: undefined, depth: undefined, tape: undefined };
  private nextId = 1;
  private malformed = 0;
  private disposed = false;
  readonly playback: FeedPlayback = { run: (o) => this.run(o) };

  constructor(private readonly o: ReplayFeedOptions) {}

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

  subscribe(symbol: string, stream: StreamKind): SubscribeResult {
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
    const sub: Sub = { handle: { symbol, stream, id: this.nextId++ }, holders: 1, seq: 0, epoch: 1 };
    this.subs.set(key, sub);
    if (symbol === this.o.recordingSymbol) this.byStream[stream] = sub;
    this.emit('feed.subscribed', { symbol, stream, holders: 1, usage: this.usage() });
    return { ok: true, handle: sub.handle };
  }

  unsubscribe(handle: SubscriptionHandle): void {
    const sub = this.subs.get(`${handle.symbol}:${handle.stream}`);
    if (sub !== undefined && sub.handle.id === handle.id) this.release(sub, false);
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
    let first: Micros | null = null;
    let last: Micros | null = null;
    try {
      await reader.forEach({
        event: (e) => {
          if (e.symbol !== symbol || this.disposed) return;
          e.recvTime += latency;
          if (first === null) first = e.recvTime;
          last = e.recvTime;
          virtual?.advanceTo(e.recvTime);
          const sub = this.byStream[STREAM_OF[e.kind]];
          if (sub === undefined && !(e.kind === 'status' && this.subs.size > 0)) return;
          // Status events ride along with the depth subscription but do not consume its data sequence.
          if (sub !== undefined && e.kind !== 'status') {
            e.seq = ++sub.seq;
            e.epoch = sub.epoch;
          }
          this.emitter.emit(EVENT_OF[e.kind], e);
          delivered++;
          if (options.onProgress !== undefined && delivered % every === 0) options.onProgress(delivered, e.recvTime);
        },
        corrupt: (c) => {
          this.malformed++;
          this.emit('feed.malformed', { source: this.o.file, offset: c.offset, reason: c.reason, count: this.malformed });
        },
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

  private release(sub: Sub, all: boolean): void {
    sub.holders = all ? 0 : sub.holders - 1;
    if (sub.holders > 0) return;
    this.subs.delete(`${sub.handle.symbol}:${sub.handle.stream}`);
    if (this.byStream[sub.handle.stream] === sub) this.byStream[sub.handle.stream] = undefined;
    this.emit('feed.unsubscribed', { symbol: sub.handle.symbol, stream: sub.handle.stream, usage: this.usage() });
  }

  private emit<K extends FeedEventName>(event: K, payload: FeedEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}
