import fs from 'node:fs';
import zlib from 'node:zlib';
import type { MarketEvent } from '../../../core/domain/market.js';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { createFlyweights } from './event-flyweights.js';
import {
  BLOCK_HEADER_SIZE,
  BLOCK_MAGIC,
  blockView,
  decodeAt,
  FORMAT_VERSION,
  FORMAT_VERSION_STORED,
  MAGIC,
  MAX_BLOCK_EVENTS,
  RECORD_SIZE,
  recordTime,
  type BlockView,
  type RecordingHeader,
} from './recording-format.js';

export interface CorruptBlock {
  offset: number;
  reason: string;
}

export interface BlockVisitor {
  /** Called with every decoded event of a valid block; the event object is reused (copy to keep it). */
  event(e: MarketEvent): void;
  corrupt?(c: CorruptBlock): void;
}

/** One block pulled from `RecordingReader.blocks()`: its records in `view`, or why it was skipped. */
export interface RecordingBlock {
  view: BlockView;
  count: number;
  corrupt: CorruptBlock | null;
}

const MAX_PAYLOAD = 64 * 1024 * 1024;
const SCAN_WINDOW = 1 << 20;

/**
 * Reads a recording block by block with positioned reads: memory stays at one block whatever the file size.
 * A bad block (wrong magic, impossible length, CRC mismatch, inflate failure, truncation) is reported with its byte
 * offset and skipped by scanning for the next block marker; the rest of the file still replays.
 */
export class RecordingReader {
  readonly header: RecordingHeader;
  private readonly dataStart: number;
  private readonly size: number;

  private constructor(
    private readonly fd: number,
    header: RecordingHeader,
    dataStart: number,
    size: number,
  ) {
    this.header = header;
    this.dataStart = dataStart;
    this.size = size;
  }

  static open(file: string): RecordingReader {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (error) {
      throw new HarvesterError('DATA.NOT_FOUND', `recording not found: ${file}`, { cause: error });
    }
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(12);
    if (fs.readSync(fd, head, 0, 12, 0) < 12 || !head.subarray(0, 8).equals(MAGIC)) {
      fs.closeSync(fd);
      throw new HarvesterError('DATA.UNSUPPORTED_FORMAT', `${file} is not a Harvester recording (bad magic)`);
    }
    const len = head.readUInt32LE(8);
    const json = Buffer.alloc(len);
    if (len > 1 << 20 || fs.readSync(fd, json, 0, len, 12) < len) {
      fs.closeSync(fd);
      throw new HarvesterError('DATA.TRUNCATED', `${file}: header truncated`);
    }
    let header: RecordingHeader;
    try {
      header = checkHeader(file, json);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
    return new RecordingReader(fd, header, 12 + len, size);
  }

  /**
   * Visit every event. Yields to the event loop between blocks (so journal writes and timers proceed) and stops
   * early when `signal` aborts. Returns the number of events delivered.
   */
  async forEach(visitor: BlockVisitor, signal?: AbortSignal): Promise<{ events: number; blocks: number; corrupt: CorruptBlock[] }> {
    const fw = createFlyweights(this.header.symbol);
    const corrupt: CorruptBlock[] = [];
    let events = 0;
    let blocks = 0;
    if (signal?.aborted) return { events, blocks, corrupt };
    for (const b of this.blocks()) {
      if (b.corrupt !== null) {
        corrupt.push(b.corrupt);
        visitor.corrupt?.(b.corrupt);
        continue;
      }
      for (let i = 0; i < b.count; i++) {
        const e = decodeAt(b.view, i, fw);
        if (e !== null) {
          visitor.event(e);
          events++;
        }
      }
      blocks++;
      await new Promise<void>((r) => setImmediate(r));
      if (signal?.aborted) break;
    }
    return { events, blocks, corrupt };
  }

  /**
   * The blocks in file order, read one at a time when pulled (for playing several recordings merged by time). A block
   * view is valid until the next block is pulled; decode its records with `decodeAt`. A bad block is yielded as
   * `corrupt` and skipped.
   */
  *blocks(): Generator<RecordingBlock, void, undefined> {
    const frames = this.frames();
    const state: FinishState = { lastTime: -Infinity, scratch: undefined };
    let failed = false;
    try {
      for (;;) {
        const r = frames.next(failed);
        failed = false;
        if (r.done === true) return;
        const f = r.value;
        if (f.corrupt !== null) {
          yield corruptAt(f.corrupt.offset, f.corrupt.reason);
          continue;
        }
        let raw = f.payload;
        if (!f.stored) {
          try {
            raw = checkLength(zlib.inflateRawSync(f.payload, inflateOptions(f)), f);
          } catch (error) {
            failed = true;
            yield corruptAt(f.pos, (error as Error).message);
            continue;
          }
        }
        yield finish(f, raw, state);
      }
    } finally {
      frames.return();
    }
  }

  /**
   * The same blocks as {@link blocks}, in the same order with the same corrupt reports, but each deflated block's
   * successor is inflated on libuv's thread pool while the caller decodes it: on the replay hot path inflate was a
   * tenth of the generated day's time on the loop's thread (bench/RESULTS.md, "Inflate on the second core"). Stored
   * (v2) blocks share one read buffer and have no inflate to overlap, so they come from {@link blocks} as they are.
   * One block is read ahead; its buffer is the only extra memory. Stop with `return()` like any generator.
   */
  async *blocksAhead(): AsyncGenerator<RecordingBlock, void, undefined> {
    if (this.header.blockCodec === 'none') {
      yield* this.blocks();
      return;
    }
    const frames = this.frames();
    const state: FinishState = { lastTime: -Infinity, scratch: undefined };
    let r = frames.next(false);
    let inflating = inflateAhead(r);
    try {
      while (r.done !== true) {
        const f = r.value;
        if (f.corrupt !== null) {
          r = frames.next(false);
          inflating = inflateAhead(r);
          yield corruptAt(f.corrupt.offset, f.corrupt.reason);
          continue;
        }
        let raw: Buffer | null = null;
        let why = '';
        try {
          raw = checkLength(await inflating!, f);
        } catch (error) {
          why = (error as Error).message;
        }
        // The next frame is pulled only now: after an inflate failure the scan must restart inside this one.
        r = frames.next(raw === null);
        inflating = inflateAhead(r);
        yield raw === null ? corruptAt(f.pos, why) : finish(f, raw, state);
      }
    } finally {
      frames.return();
    }
  }

  /**
   * Each block's header and payload read and checked (magic, lengths, CRC), before inflate. The caller passes `true`
   * to `next()` when the frame it was handed last failed to inflate: the scan then restarts one byte into it, as
   * for any other damage, instead of trusting its length field.
   */
  private *frames(): Generator<Frame, void, boolean | undefined> {
    const head = Buffer.alloc(BLOCK_HEADER_SIZE);
    let pos = this.dataStart;
    let ended = false;
    const stored = this.header.blockCodec === 'none';
    let storedBuf: Buffer | undefined;
    const bad = (offset: number, reason: string): Frame => ({ corrupt: { offset, reason } });
    while (pos < this.size) {
      const got = fs.readSync(this.fd, head, 0, BLOCK_HEADER_SIZE, pos);
      if (got < BLOCK_HEADER_SIZE) {
        yield bad(pos, 'truncated block header');
        return;
      }
      const payloadLen = head.readUInt32LE(4);
      const rawLen = head.readUInt32LE(8);
      const count = head.readUInt32LE(12);
      if (head.readUInt32LE(0) === BLOCK_MAGIC && count === 0 && payloadLen === 0 && rawLen === 0) {
        // The END block: all zeros but its magic. Anything after it was appended by something else.
        if (head.subarray(16).some((b) => b !== 0)) {
          yield bad(pos, 'damaged END block');
          return;
        }
        ended = true;
        if (pos + BLOCK_HEADER_SIZE < this.size)
          yield bad(pos + BLOCK_HEADER_SIZE, `${this.size - pos - BLOCK_HEADER_SIZE} byte(s) after the end of the recording`);
        return;
      }
      if (head.readUInt32LE(0) !== BLOCK_MAGIC || payloadLen > MAX_PAYLOAD || rawLen !== count * RECORD_SIZE || count > MAX_BLOCK_EVENTS) {
        yield bad(pos, 'bad block header');
        pos = this.resync(pos + 1);
        continue;
      }
      if (pos + BLOCK_HEADER_SIZE + payloadLen > this.size) {
        // Either the file was cut inside this block, or its length field is damaged: look for a later block first.
        yield bad(pos, 'block payload runs past the end of the file (truncated, or a damaged length)');
        pos = this.resync(pos + 1);
        continue;
      }
      let payload: Buffer;
      if (stored) {
        // v2: the records themselves, read into one reused aligned buffer (no inflate, no allocation per block).
        if (payloadLen !== rawLen) {
          yield bad(pos, 'bad block header (a stored block whose payload is not its records)');
          pos = this.resync(pos + 1);
          continue;
        }
        storedBuf ??= Buffer.from(new ArrayBuffer(MAX_BLOCK_EVENTS * RECORD_SIZE));
        payload = storedBuf.subarray(0, payloadLen);
      } else payload = Buffer.allocUnsafe(payloadLen);
      fs.readSync(this.fd, payload, 0, payloadLen, pos + BLOCK_HEADER_SIZE);
      if (zlib.crc32(payload) !== head.readUInt32LE(16)) {
        yield bad(pos, 'CRC mismatch');
        pos = this.resync(pos + 1);
        continue;
      }
      const failed = yield {
        corrupt: null,
        pos,
        count,
        rawLen,
        payload,
        stored,
        firstTime: head.readDoubleLE(20),
        lastTime: head.readDoubleLE(28),
      };
      pos = failed === true ? this.resync(pos + 1) : pos + BLOCK_HEADER_SIZE + payloadLen;
    }
    if (!ended && this.header.endMarker === true)
      yield bad(this.size, 'the recording has no END block: it was cut short (or its writer crashed)');
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }

  /** Offset of the next BLOCK_MAGIC at or after `from`, or the end of the file. */
  private resync(from: number): number {
    const window = Buffer.alloc(SCAN_WINDOW + 3);
    const magic = Buffer.alloc(4);
    magic.writeUInt32LE(BLOCK_MAGIC, 0);
    for (let pos = from; pos < this.size; pos += SCAN_WINDOW) {
      const n = fs.readSync(this.fd, window, 0, window.length, pos);
      const at = window.subarray(0, n).indexOf(magic);
      if (at >= 0) return pos + at;
    }
    return this.size;
  }
}

/** One block as `frames()` read it: checked up to its CRC, not yet inflated; or why it was skipped. */
type Frame =
  | { corrupt: CorruptBlock }
  | {
      corrupt: null;
      pos: number;
      count: number;
      rawLen: number;
      /** Deflated bytes, or (stored) the records in the reader's shared buffer. */
      payload: Buffer;
      stored: boolean;
      /** The block header's first and last record times. */
      firstTime: number;
      lastTime: number;
    };
type GoodFrame = Extract<Frame, { corrupt: null }>;

/** What consecutive blocks share: the last good block's time (times run forward across blocks) and a copy buffer. */
interface FinishState {
  lastTime: number;
  scratch: ArrayBuffer | undefined;
}

function corruptAt(offset: number, reason: string): RecordingBlock {
  return { view: null!, count: 0, corrupt: { offset, reason } };
}

/** The inflated records, checked against the length the header promised. */
function checkLength(raw: Buffer, f: GoodFrame): Buffer {
  if (raw.length !== f.rawLen) throw new Error('length mismatch after inflate');
  return raw;
}

/**
 * One output chunk larger than the header promises (a full chunk makes zlib allocate another): no growing and no
 * Buffer.concat of 16 KB chunks. The same for the synchronous and the thread-pool inflate.
 */
function inflateOptions(f: GoodFrame): zlib.ZlibOptions {
  return { chunkSize: f.rawLen + 64 };
}

/**
 * The next frame's inflate started on the thread pool, or null when there is nothing to inflate. Its rejection is
 * observed at once (and again by the `await` that reads it), so a read-ahead left behind by an early `return()` is
 * never an unhandled rejection.
 */
function inflateAhead(r: IteratorResult<Frame, void>): Promise<Buffer> | null {
  if (r.done === true || r.value.corrupt !== null) return null;
  const f = r.value;
  const p = new Promise<Buffer>((resolve, reject) =>
    zlib.inflateRaw(f.payload, inflateOptions(f), (error, out) => (error === null ? resolve(out) : reject(error))),
  );
  p.catch(() => {});
  return p;
}

/** A good frame's records as a block, or corrupt if its times do not run forward from the last good block's. */
function finish(f: GoodFrame, raw: Buffer, state: FinishState): RecordingBlock {
  let view: BlockView;
  if (f.stored) view = blockView(raw);
  else {
    view = blockView(raw, state.scratch);
    if (view.u8.buffer !== raw.buffer) state.scratch = view.u8.buffer as ArrayBuffer;
  }
  const problem = timeProblem(view, f.count, f.firstTime, f.lastTime, state.lastTime);
  if (problem !== null) return corruptAt(f.pos, problem);
  state.lastTime = recordTime(view, f.count - 1);
  return { view, count: f.count, corrupt: null };
}

const HEADER_FIELDS: readonly [keyof RecordingHeader, (v: unknown) => boolean, string][] = [
  ['symbol', (v) => typeof v === 'string' && /^[A-Z0-9][A-Z0-9.\-/ ]{0,15}$/.test(v), 'a symbol'],
  ['date', (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v), 'a YYYY-MM-DD date'],
  ['tick', (v) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0, 'a positive integer tick'],
  ['timeZone', (v) => typeof v === 'string' && v.length > 0, 'a time zone'],
  ['source', (v) => typeof v === 'string', 'a source'],
];

/** Parses and checks a recording header: valid JSON, version 1, every field present, and its CRC when it has one. */
function checkHeader(file: string, json: Buffer): RecordingHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch (error) {
    throw new HarvesterError('DATA.UNSUPPORTED_FORMAT', `${file}: the recording header is not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new HarvesterError('DATA.UNSUPPORTED_FORMAT', `${file}: the recording header is not an object`);
  const h = parsed as RecordingHeader;
  if (h.formatVersion !== FORMAT_VERSION && h.formatVersion !== FORMAT_VERSION_STORED)
    throw new HarvesterError('DATA.UNSUPPORTED_FORMAT', `${file}: recording format v${String(h.formatVersion)} is not supported (v1, v2)`);
  // The codec goes with the version: a v1 file's blocks are deflated, a v2 file's stored.
  if ((h.formatVersion === FORMAT_VERSION_STORED) !== (h.blockCodec === 'none'))
    throw new HarvesterError(
      'DATA.UNSUPPORTED_FORMAT',
      `${file}: recording format v${String(h.formatVersion)} with block codec ${JSON.stringify(h.blockCodec ?? 'deflate-raw')} is not supported`,
    );
  const wrong = HEADER_FIELDS.filter(([k, ok]) => !ok((h as unknown as Record<string, unknown>)[k])).map(([k, , what]) => `${k} (${what})`);
  if (wrong.length > 0)
    throw new HarvesterError('DATA.UNSUPPORTED_FORMAT', `${file}: the recording header lacks or garbles ${wrong.join(', ')}`);
  if (h.headerCrc32 !== undefined) {
    const { headerCrc32, ...rest } = h;
    if (zlib.crc32(Buffer.from(JSON.stringify(rest), 'utf8')) !== headerCrc32)
      throw new HarvesterError('DATA.CORRUPT_BLOCK', `${file}: the recording header fails its CRC (damaged)`);
  }
  return h;
}

/** Receive times never go back: within the block, against the previous block, and as the block header states them. */
function timeProblem(view: BlockView, count: number, first: number, last: number, previous: number): string | null {
  if (count === 0) return 'empty block';
  let t = recordTime(view, 0);
  if (t !== first || recordTime(view, count - 1) !== last) return 'block header times disagree with its records';
  if (t < previous) return `time goes backwards between blocks (${t} after ${previous}): a block repeated or out of order`;
  for (let i = 1; i < count; i++) {
    const u = recordTime(view, i);
    if (u < t) return `time goes backwards inside the block at record ${i}`;
    t = u;
  }
  return null;
}
