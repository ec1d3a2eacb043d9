import { EventEmitter } from 'eventemitter3';
import type { MarketEvent, StreamKind } from '../../core/domain/market.js';
import type { VirtualClock } from '../../ports/clock.js';
import type {
  FeedEventName,
  FeedEvents,
  LineUsage,
  MarketDataFeed,
  PlaybackSummary,
  SubscribeResult,
  SubscriptionHandle,
} from '../../ports/market-data-feed.js';

const EVENT_NAME = { quote: 'quote.updated', depth: 'depth.updated', trade: 'trade.printed', status: 'feed.status' } as const;

/** A finite in-memory feed for kernel tests: plays a list of market events on a virtual clock. */
export class ScriptedFeed implements MarketDataFeed {
  readonly id: string = 'scripted';
  protected readonly emitter = new EventEmitter();
  private readonly subs = new Set<string>();
  private nextId = 1;
  readonly playback = { run: async (): Promise<PlaybackSummary> => this.play() };

  constructor(
    private readonly events: readonly MarketEvent[],
    protected readonly clock: VirtualClock,
    private readonly endTime?: number,
  ) {}

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async dispose(): Promise<void> {}
  subscribe(symbol: string, stream: StreamKind): SubscribeResult {
    this.subs.add(`${symbol}:${stream}`);
    const handle: SubscriptionHandle = { symbol, stream, id: this.nextId++ };
    return { ok: true, handle };
  }
  unsubscribe(handle: SubscriptionHandle): void {
    this.subs.delete(`${handle.symbol}:${handle.stream}`);
  }
  usage(): LineUsage {
    return { lines: { used: this.subs.size, budget: 100 }, depth: { used: 0, budget: 3 } };
  }
  on<K extends FeedEventName>(event: K, listener: (payload: FeedEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  /** Plays the events in order on the clock; subclasses script other sessions (e.g. one held open). */
  protected async play(): Promise<PlaybackSummary> {
    let n = 0;
    for (const e of this.events) {
      this.clock.advanceTo(e.recvTime);
      const stream: StreamKind = e.kind === 'trade' ? 'tape' : e.kind === 'status' ? 'depth' : e.kind === 'quote' ? 'quote' : 'depth';
      if (e.kind !== 'status' && !this.subs.has(`${e.symbol}:${stream}`)) continue;
      this.emitter.emit(EVENT_NAME[e.kind], e);
      n++;
    }
    if (this.endTime !== undefined) this.clock.advanceTo(this.endTime);
    return { events: n, malformed: 0, firstTime: this.events[0]?.recvTime ?? null, lastTime: this.events.at(-1)?.recvTime ?? null };
  }
}
