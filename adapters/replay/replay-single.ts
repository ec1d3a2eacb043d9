import type { MarketEvent } from '../../core/domain/market.js';
import type { VirtualClock } from '../../ports/clock.js';
import type { PlaybackOptions } from '../../ports/market-data-feed.js';
import type { RecordingReader } from './recording/recording-reader.js';
import { createFlyweights, type Flyweights } from './recording/event-flyweights.js';
import { decodeAt, DEPTH_OPERATIONS, KIND_DEPTH, KIND_STATUS, RECORD_SIZE, type BlockView } from './recording/recording-format.js';
import type { ResyncHost } from './replay-depth-resync.js';
import { ingestDepth } from './replay-depth-rows.js';
import type { Lane } from './replay-lanes.js';

/**
 * What the single-recording loop needs of the replay feed (replay-feed.ts): kept apart from the feed's subscription
 * and merge logic because this loop is the replay hot path (bench/RESULTS.md) and is profiled on its own.
 */
export interface SinglePlayHost {
  /** Added to recorded receive times (ReplayFeedOptions.recvLatencyUs). */
  readonly recvLatencyUs: number;
  /** The depth checks' state (replay-depth-resync.ts). */
  readonly resync: ResyncHost;
  /** Set by the feed's `dispose`: the rest of the playback delivers nothing. A field, read per event, not a call. */
  disposed: boolean;
  /** A recorded event other than a depth row; true when something was delivered for it. */
  dispatch(e: MarketEvent, lane: Lane, file: number, index: number): boolean;
  countMalformed(file: number, offset: number, reason: string): false;
}

/**
 * One recording, one fused loop per block: each record is read straight from the block's typed views into its
 * flyweight and handled in place (no merge, no visitor, no decode-then-dispatch), and a depth row with no live
 * depth subscription is not decoded at all. Same events in the same order as `playMerged` with one cursor: the
 * same corrupt-block reports, the abort check before each event, a yield to the event loop before an event whose
 * block had to be read (except the first) and at the end if blocks were read after the last event.
 */
export async function playSingle(
  feed: SinglePlayHost,
  reader: RecordingReader,
  lane: Lane,
  virtual: VirtualClock | null,
  span: Float64Array,
  options: PlaybackOptions,
): Promise<number> {
  const fw = createFlyweights(reader.header.symbol);
  // The next block inflates on the thread pool while this one plays (recording-reader.ts, blocksAhead).
  const blocks = reader.blocksAhead();
  const at: PlayPosition = { delivered: 0, index: -1 };
  let started = false;
  let read = false;
  try {
    for (;;) {
      const r = await blocks.next();
      if (r.done === true) break;
      read = true;
      const block = r.value;
      if (block.corrupt !== null) {
        feed.countMalformed(0, block.corrupt.offset, block.corrupt.reason);
        continue;
      }
      const first = firstEvent(block.view.u8, block.count);
      if (first < 0) continue;
      if (started && read) await new Promise<void>((res) => setImmediate(res));
      read = false;
      started = true;
      // The block's events in one synchronous call: no await inside the per-event loop.
      if (!playBlock(feed, block.view, block.count, first, lane, fw, virtual, span, options, at)) return at.delivered;
    }
    if (started && read) await new Promise<void>((res) => setImmediate(res));
  } finally {
    await blocks.return();
  }
  return at.delivered;
}

/** Records `first`.. of one block (see `playSingle`); false when `signal` aborted before one of them. */
function playBlock(
  feed: SinglePlayHost,
  view: BlockView,
  count: number,
  first: number,
  lane: Lane,
  fw: Flyweights,
  virtual: VirtualClock | null,
  span: Float64Array,
  options: PlaybackOptions,
  at: PlayPosition,
): boolean {
  const { u8, f64, i16 } = view;
  const latency = feed.recvLatencyUs;
  const every = options.progressEvery ?? 100_000;
  const onProgress = options.onProgress;
  const signal = options.signal;
  const d = fw.depth;
  for (let i = first; i < count; i++) {
    const b = i * RECORD_SIZE;
    const kind = u8[b]!;
    if (kind > KIND_STATUS) continue; // not an event (decodeAt's null)
    if (signal?.aborted === true) return false;
    at.index++;
    if (feed.disposed) continue;
    const w = b >> 3;
    const recv = f64[w + 1]! + latency;
    if (span[0] !== span[0]) span[0] = recv;
    // Rows of one batch share a time: the clock is already there, so unless a timer is due (one set by the
    // last event for now, say) advancing would change nothing, and the call boxes its argument (a heap number
    // per event, bench/alloc-profile.ts).
    if (virtual !== null && (recv !== span[1] || dueBy(virtual, recv))) virtual.advanceTo(recv);
    span[1] = recv;
    if (kind === KIND_DEPTH) {
      const sub = lane.subs.depth;
      if (sub === undefined) continue;
      const exch = f64[w + 2]!;
      d.side = u8[b + 1] === 0 ? 'bid' : 'ask';
      d.operation = DEPTH_OPERATIONS[u8[b + 2]!] ?? 'update';
      d.endOfBatch = (u8[b + 3]! & 1) === 1;
      d.position = i16[(b + 4) >> 1]!;
      d.price = f64[w + 3]!;
      d.size = f64[w + 5]!;
      d.recvTime = recv;
      // Two stores, not `exch !== exch ? null : exch`: the conditional's value would be boxed first.
      if (exch !== exch) d.exchTime = null;
      else d.exchTime = exch;
      sub.watch?.touch(recv);
      ingestDepth(feed.resync, sub, d);
    } else {
      const e = decodeAt(view, i, fw)!;
      e.recvTime = recv;
      if (!feed.dispatch(e, lane, 0, at.index)) continue;
    }
    const n = ++at.delivered;
    if (onProgress !== undefined && n % every === 0) onProgress(n, recv);
  }
  return true;
}

/** Whether a timer of `clock` is due at or before `t`. */
function dueBy(clock: VirtualClock, t: number): boolean {
  const next = clock.nextTimerAt();
  return next !== null && next <= t;
}

/** A single-recording playback's counts: events delivered, and the last event's place in the recording. */
interface PlayPosition {
  delivered: number;
  index: number;
}

/** Index of a block's first record that is an event (kind at most KIND_STATUS), or -1. */
function firstEvent(u8: Uint8Array, count: number): number {
  for (let i = 0; i < count; i++) if (u8[i * RECORD_SIZE]! <= KIND_STATUS) return i;
  return -1;
}
