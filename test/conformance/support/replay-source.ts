import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FeedStatus, MarketEvent } from '../../../core/domain/market.js';
import type { Clock } from '../../../ports/clock.js';
import type { FeedPlayback } from '../../../ports/market-data-feed.js';
import { RecordingWriter } from '../../../adapters/replay/recording/recording-writer.js';
import type { DepthRow, FeedDriver, PrintSpec } from '../../../plugins/conformance/index.js';

/**
 * The replay feed's source double: what the kit asks the source to do is written into real recording segments, one
 * per symbol (a recording holds one symbol, its header's), and `settle()` plays them through the feed's own playback,
 * merged by receive time. Stimuli for a symbol the source was not given have no recording, exactly as in a replay.
 */
export class ReplaySource implements FeedDriver {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-replay-kit-'));
  /** One recording per symbol, in the order given (the merge's tie order). */
  readonly files: readonly string[];
  readonly suppliesAggressor = true;
  [feature: string]: unknown;
  private readonly pending = new Map<string, MarketEvent[]>();
  private playback: FeedPlayback | null = null;

  constructor(
    private readonly clock: Clock,
    readonly symbols: readonly string[],
  ) {
    this.files = symbols.map((s) => path.join(this.dir, `${s}.hrec`));
    for (const s of symbols) this.pending.set(s, []);
    this.writeSegments();
  }

  attach(playback: FeedPlayback): void {
    this.playback = playback;
  }

  quote(symbol: string, bid: number, bidSize: number, ask: number, askSize: number): void {
    this.push(symbol, { kind: 'quote', symbol, bid, bidSize, ask, askSize, flags: 0, ...this.stamp() });
  }

  depthRows(symbol: string, rows: readonly DepthRow[]): void {
    // One burst is one batch of the recording: a file has no network reads to split it.
    rows.forEach((r, i) =>
      this.push(symbol, {
        kind: 'depth',
        symbol,
        side: r.side,
        position: r.position,
        operation: r.operation,
        price: r.price,
        size: r.size,
        marketMaker: '',
        endOfBatch: i === rows.length - 1,
        ...this.stamp(),
      }),
    );
  }

  prints(symbol: string, prints: readonly PrintSpec[]): void {
    for (const p of prints) {
      this.push(symbol, {
        kind: 'trade',
        symbol,
        price: p.price,
        size: p.size,
        aggressor: p.aggressor ?? 'unknown',
        aggressorSource: p.aggressor === undefined ? 'inferred' : 'venue',
        ...this.stamp(),
      });
    }
  }

  /** A recording carries a source gap as a `gap` status record (the generator writes its feed gaps that way). */
  gap(symbol: string): void {
    this.status(symbol, 'gap');
  }

  /** A reset is a clear row in the recording; a halt is a `halted` status record. */
  bookReset(symbol: string, kind: 'reset' | 'halt'): void {
    if (kind === 'halt') return this.status(symbol, 'halted');
    this.push(symbol, {
      kind: 'depth',
      symbol,
      side: 'bid',
      position: 0,
      operation: 'clear',
      price: 0,
      size: 0,
      marketMaker: '',
      endOfBatch: true,
      ...this.stamp(),
    });
  }

  async settle(): Promise<void> {
    if (this.playback === null || [...this.pending.values()].every((q) => q.length === 0)) return;
    // Every segment is rewritten, so a symbol with nothing new replays nothing again.
    this.writeSegments();
    await this.playback.run();
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private status(symbol: string, status: FeedStatus): void {
    this.push(symbol, { kind: 'status', symbol, status, reason: `kit ${status}`, ...this.stamp() });
  }

  private stamp(): { seq: number; epoch: number; recvTime: number; exchTime: number } {
    const t = this.clock.now();
    return { seq: 0, epoch: 1, recvTime: t, exchTime: t };
  }

  private push(symbol: string, e: MarketEvent): void {
    this.pending.get(symbol)?.push(e);
  }

  private writeSegments(): void {
    this.symbols.forEach((symbol, i) => {
      const w = RecordingWriter.open(this.files[i]!, {
        symbol,
        date: '2026-03-10',
        tick: 100,
        timeZone: 'America/New_York',
        source: 'conformance-kit',
        createdBy: 'harvester-kit',
      });
      for (const e of this.pending.get(symbol)!.splice(0)) w.write(e);
      w.close();
    });
  }
}
