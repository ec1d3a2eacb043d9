import path from 'node:path';
import type { MarketEvent } from '../../core/domain/market.js';
import type { Price } from '../../core/domain/units.js';
import type { MarketDataFeed } from '../../ports/market-data-feed.js';
import { RecordingWriter } from '../replay/recording/recording-writer.js';

export interface FeedRecorderOptions {
  /** The recording file; with several symbols, `-<SYMBOL>` is added before the extension (one symbol a file). */
  file: string;
  symbols: readonly string[];
  date: string;
  timeZone: string;
  tick: (symbol: string) => Price;
  meta: Record<string, unknown>;
  /** Blocks are also written on this period, so a crash loses at most this much of the recording. */
  flushEveryMs?: number;
}

/**
 * Records what the session's feed delivers — quotes, depth rows, prints and status, with the receive times the kernel
 * saw — into Harvester recordings, as it runs (`harvester run --record FILE`). Replaying the file in replay mode gives
 * the kernel the same inputs in the same order. It subscribes to the port like any listener and copies each event
 * into the writer's block buffer at once (feeds may reuse their event objects).
 */
export class FeedRecorder {
  private readonly writers = new Map<string, RecordingWriter>();
  private readonly lastTime = new Map<string, number>();
  private readonly disposers: (() => void)[];
  private readonly timer: NodeJS.Timeout;

  constructor(
    feed: MarketDataFeed,
    private readonly o: FeedRecorderOptions,
  ) {
    const write = (e: MarketEvent): void => {
      const w = this.writer(e.symbol);
      if (w === undefined) return;
      // A recording's receive times never go back (docs/recordings.md), but a live feed may hand over a held depth
      // row stamped before a print it emitted first (the TWS feed holds each row until it knows the batch's end).
      // The kernel processed them in emission order, so that order is kept and the late row takes the later time.
      const last = this.lastTime.get(e.symbol) ?? -Infinity;
      if (e.recvTime < last) w.write({ ...e, recvTime: last } as MarketEvent);
      else {
        this.lastTime.set(e.symbol, e.recvTime);
        w.write(e);
      }
    };
    this.disposers = [
      feed.on('quote.updated', write),
      feed.on('depth.updated', write),
      feed.on('trade.printed', write),
      feed.on('feed.status', write),
    ];
    this.timer = setInterval(() => {
      for (const w of this.writers.values()) w.flush();
    }, o.flushEveryMs ?? 5_000);
    this.timer.unref();
  }

  /** The file each symbol goes to. */
  fileFor(symbol: string): string {
    if (this.o.symbols.length <= 1) return path.resolve(this.o.file);
    const ext = path.extname(this.o.file) || '.hrec';
    return path.resolve(`${this.o.file.slice(0, this.o.file.length - path.extname(this.o.file).length)}-${symbol}${ext}`);
  }

  close(): { file: string; events: number }[] {
    clearInterval(this.timer);
    for (const d of this.disposers) d();
    const out: { file: string; events: number }[] = [];
    for (const [symbol, w] of this.writers) {
      w.close();
      out.push({ file: this.fileFor(symbol), events: w.events });
    }
    return out;
  }

  private writer(symbol: string): RecordingWriter | undefined {
    let w = this.writers.get(symbol);
    if (w === undefined) {
      if (this.o.symbols.length > 0 && !this.o.symbols.includes(symbol)) return undefined;
      w = RecordingWriter.open(this.fileFor(symbol), {
        symbol,
        date: this.o.date,
        tick: this.o.tick(symbol),
        timeZone: this.o.timeZone,
        source: 'harvester-recorder',
        createdBy: 'harvester run --record',
        meta: this.o.meta,
      });
      this.writers.set(symbol, w);
    }
    return w;
  }
}
