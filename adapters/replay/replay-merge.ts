import type { MarketEvent } from '../../core/domain/market.js';
import { createFlyweights, type Flyweights } from './recording/event-flyweights.js';
import { decodeAt, type BlockView } from './recording/recording-format.js';
import type { CorruptBlock, RecordingBlock, RecordingReader } from './recording/recording-reader.js';

export interface MergeVisitor {
  /** The next event in merged order; `file` is its recording's index. The event object is reused: copy to keep it. */
  event(e: MarketEvent, file: number): void;
  corrupt(c: CorruptBlock, file: number): void;
}

/** One recording's read position: the block being decoded and its next (already decoded) event. */
interface Cursor {
  /** Read ahead: each recording's next block inflates on the thread pool while the merge plays (docs/recordings.md#reading-ahead). */
  readonly blocks: AsyncGenerator<RecordingBlock, void, undefined>;
  readonly fw: Flyweights;
  view: BlockView | null;
  count: number;
  next: number;
  head: MarketEvent | null;
}

/**
 * Plays several recordings as one stream ordered by receive time: each step delivers the earliest head event, ties
 * going to the recording listed first, so the same files always give the same order. Each recording's own order is
 * kept as written. Memory stays at one block per recording; decoding reuses one flyweight set per recording, so the
 * per-event path allocates nothing. Between blocks it yields to the event loop (journal writes, timers), as
 * `RecordingReader.forEach` does, and it stops when `signal` aborts. Only reading a block is awaited: an event whose
 * block is in hand is decoded synchronously, so the per-event path has no await.
 */
export async function playMerged(readers: readonly RecordingReader[], visitor: MergeVisitor, signal?: AbortSignal): Promise<void> {
  if (readers.length === 1) return playOne(readers[0]!, visitor, signal);
  const cursors: Cursor[] = readers.map((r) => ({
    blocks: r.blocksAhead(),
    fw: createFlyweights(r.header.symbol),
    view: null,
    count: 0,
    next: 0,
    head: null,
  }));
  for (let k = 0; k < cursors.length; k++) await advance(cursors[k]!, k, visitor);
  const n = cursors.length;
  while (signal?.aborted !== true) {
    let best = -1;
    let time = Infinity;
    for (let k = 0; k < n; k++) {
      const h = cursors[k]!.head;
      if (h !== null && h.recvTime < time) {
        time = h.recvTime;
        best = k;
      }
    }
    if (best < 0) break;
    const c = cursors[best]!;
    visitor.event(c.head!, best);
    if (!nextInBlock(c) && (await advance(c, best, visitor))) await new Promise<void>((r) => setImmediate(r));
  }
  for (const c of cursors) await c.blocks.return();
}

/** Decodes the cursor's next event of the block in hand into `head`; false when the block is used up. */
function nextInBlock(c: Cursor): boolean {
  while (c.next < c.count) {
    const e = decodeAt(c.view!, c.next++, c.fw);
    if (e !== null) {
      c.head = e;
      return true;
    }
  }
  return false;
}

/** Decodes the cursor's next event into `head` (null at the end); true when a new block had to be read for it. */
async function advance(c: Cursor, file: number, visitor: MergeVisitor): Promise<boolean> {
  let read = false;
  for (;;) {
    if (nextInBlock(c)) return read;
    const r = await c.blocks.next();
    if (r.done === true) {
      c.head = null;
      return read;
    }
    read = true;
    if (r.value.corrupt !== null) {
      visitor.corrupt(r.value.corrupt, file);
      continue;
    }
    c.view = r.value.view;
    c.count = r.value.count;
    c.next = 0;
  }
}

/**
 * One recording: nothing to merge, so each block is decoded and delivered in a plain loop, with the same events in
 * the same order, the same corrupt-block reports, the same abort check (before each event) and the same yields to
 * the event loop as `playMerged` makes for one cursor: before an event whose decoding needed a block to be read,
 * except the very first, and at the end if blocks were read after the last event.
 */
async function playOne(reader: RecordingReader, visitor: MergeVisitor, signal?: AbortSignal): Promise<void> {
  const blocks = reader.blocksAhead();
  const fw = createFlyweights(reader.header.symbol);
  let started = false;
  let read = false;
  for (;;) {
    const r = await blocks.next();
    if (r.done === true) break;
    read = true;
    if (r.value.corrupt !== null) {
      visitor.corrupt(r.value.corrupt, 0);
      continue;
    }
    const view = r.value.view;
    const count = r.value.count;
    for (let i = 0; i < count; i++) {
      const e = decodeAt(view, i, fw);
      if (e === null) continue;
      if (started && read) await new Promise<void>((res) => setImmediate(res));
      read = false;
      if (signal?.aborted === true) {
        await blocks.return();
        return;
      }
      started = true;
      visitor.event(e, 0);
    }
  }
  if (started && read) await new Promise<void>((res) => setImmediate(res));
  await blocks.return();
}
