import type { DepthEvent, MarketEvent } from '../../../core/domain/market.js';
import type { Flyweights } from './event-flyweights.js';

/**
 * Harvester recording format v1 — append-only, streamable, versioned.
 *
 *   file   := MAGIC(8) headerLength:u32le headerJson block*
 *   block  := BLOCK_MAGIC:u32le payloadLength:u32le rawLength:u32le count:u32le crc32:u32le firstTime:f64le lastTime:f64le payload
 *   payload:= deflateRaw(record * count)
 *   record := RECORD_SIZE bytes, little endian (see encode/decode below)
 *
 * Each block carries its own length, count and CRC32 of the compressed payload, so a reader verifies blocks one at a
 * time, never needs the whole file in memory, and after a corrupt or truncated block resynchronises on the next
 * BLOCK_MAGIC. A file grows by appending blocks; the header is written once.
 *
 * Integrity beyond the payload CRC (docs/recordings.md): the header JSON carries `headerCrc32`, the CRC32 of the JSON
 * written without that field; `close()` appends an END block (count 0, payload 0), and a header with `endMarker: true`
 * promises one, so a file cut at a block boundary is told from a complete one. Records' receive times never decrease,
 * within a block and across blocks, and a block header's first/last times equal its records'. Files written before
 * these fields existed carry neither and are read as before.
 *
 * Format v2 is v1 with blocks stored, not deflated (header `blockCodec: 'none'`): payload := record * count, so
 * payloadLength = rawLength and the CRC covers the records themselves. Replay then reads each block straight into an
 * aligned buffer with no inflate (a fifth to a third of the replay feed's own time, docs/recordings.md#stored-blocks),
 * at about 7× the size on disk. A v1-only reader refuses a v2 file by its version ("format v2 is not supported").
 */
export const MAGIC = Buffer.from('HRVREC01', 'latin1');
/** Deflated blocks, the default. */
export const FORMAT_VERSION = 1;
/** Stored blocks (`blockCodec: 'none'`). */
export const FORMAT_VERSION_STORED = 2;
export const BLOCK_MAGIC = 0x4b4c4248; // 'HBLK'
export const BLOCK_HEADER_SIZE = 36;
export const RECORD_SIZE = 56;
export const MAX_BLOCK_EVENTS = 8192;

export interface RecordingHeader {
  formatVersion: number;
  symbol: string;
  /** YYYY-MM-DD, exchange-local trading date. */
  date: string;
  /** Minimum price increment, Price units (100 = $0.01). */
  tick: number;
  timeZone: string;
  source: string;
  createdBy: string;
  /** Free-form provenance (generator params, LOBSTER file names). */
  meta?: Record<string, unknown>;
  /** True when the writer ends the file with an END block (a file without one was cut short). */
  endMarker?: boolean;
  /** CRC32 of this header's JSON as written without `headerCrc32`. */
  headerCrc32?: number;
  /** v2 only: `none`, blocks stored as written (v1 blocks are deflate-raw and carry no such field). */
  blockCodec?: 'none';
}

/** Receive time of record `index` of a block, read without decoding the record (second f64 of the record). */
export function recordTime(v: BlockView, index: number): number {
  return v.f64[index * (RECORD_SIZE >> 3) + 1]!;
}

const KIND = { quote: 0, depth: 1, trade: 2, status: 3 } as const;
/** Record kind bytes a fused reader tests directly (replay-single.ts `playSingle`); above KIND_STATUS is not an event. */
export const KIND_DEPTH = KIND.depth;
export const KIND_STATUS = KIND.status;
const OPS = ['insert', 'update', 'delete', 'clear'] as const;
/** A depth record's operation byte, by value. */
export const DEPTH_OPERATIONS: readonly DepthEvent['operation'][] = OPS;
export const STATUSES = ['trading', 'halted', 'resumed', 'gap', 'stale', 'suspect', 'interrupted', 'end'] as const;
const AGGRESSORS = ['unknown', 'buy', 'sell'] as const;

/** Write one event at `offset` of `buf` (RECORD_SIZE bytes). */
export function encodeEvent(e: MarketEvent, buf: Buffer, offset: number): void {
  buf.fill(0, offset, offset + RECORD_SIZE);
  buf.writeUInt8(KIND[e.kind], offset);
  buf.writeDoubleLE(e.recvTime, offset + 8);
  buf.writeDoubleLE(e.exchTime ?? Number.NaN, offset + 16);
  switch (e.kind) {
    case 'depth':
      buf.writeUInt8(e.side === 'bid' ? 0 : 1, offset + 1);
      buf.writeUInt8(OPS.indexOf(e.operation), offset + 2);
      buf.writeUInt8(e.endOfBatch ? 1 : 0, offset + 3);
      buf.writeInt16LE(e.position, offset + 4);
      buf.writeDoubleLE(e.price, offset + 24);
      buf.writeDoubleLE(e.size, offset + 40);
      break;
    case 'trade':
      buf.writeUInt8(AGGRESSORS.indexOf(e.aggressor), offset + 1);
      buf.writeUInt8(e.aggressorSource === 'venue' ? 2 : 0, offset + 3);
      buf.writeDoubleLE(e.price, offset + 24);
      buf.writeDoubleLE(e.size, offset + 40);
      break;
    case 'quote':
      buf.writeUInt8(e.flags & 0xff, offset + 3);
      buf.writeDoubleLE(e.bid, offset + 24);
      buf.writeDoubleLE(e.ask, offset + 32);
      buf.writeDoubleLE(e.bidSize, offset + 40);
      buf.writeDoubleLE(e.askSize, offset + 48);
      break;
    case 'status':
      buf.writeUInt8(STATUSES.indexOf(e.status), offset + 2);
      break;
  }
}

/**
 * Typed-array views over one inflated block, 8-byte aligned (copied into `scratch` only when the block is not), so
 * that every f64 field is read with a plain indexed load instead of Buffer.readDoubleLE.
 */
export interface BlockView {
  u8: Uint8Array;
  f64: Float64Array;
  i16: Int16Array;
}

export function blockView(raw: Buffer, scratch?: ArrayBuffer): BlockView {
  const at = raw.byteOffset;
  if ((at & 7) === 0) {
    // Already 8-byte aligned (inflate's output is a fresh buffer, or an aligned pool slice): view it in place, no copy.
    const buf = raw.buffer as ArrayBuffer;
    return {
      u8: new Uint8Array(buf, at, raw.length),
      f64: new Float64Array(buf, at, raw.length >> 3),
      i16: new Int16Array(buf, at, raw.length >> 1),
    };
  }
  const buffer = scratch !== undefined && scratch.byteLength >= raw.length ? scratch : new ArrayBuffer(Math.max(raw.length, 1 << 16));
  const u8 = new Uint8Array(buffer, 0, raw.length);
  u8.set(raw);
  return { u8, f64: new Float64Array(buffer, 0, raw.length >> 3), i16: new Int16Array(buffer, 0, raw.length >> 1) };
}

const DEPTH_OPS = OPS;

/** Decode record `index` of a block view into a flyweight (no allocation). Mirrors `encodeEvent`. */
export function decodeAt(v: BlockView, index: number, fw: Flyweights): MarketEvent | null {
  const b = index * RECORD_SIZE;
  const w = b >> 3;
  const recv = v.f64[w + 1]!;
  const exch = v.f64[w + 2]!;
  const exchTime = exch !== exch ? null : exch;
  switch (v.u8[b]) {
    case 1: {
      const e = fw.depth;
      e.side = v.u8[b + 1] === 0 ? 'bid' : 'ask';
      e.operation = DEPTH_OPS[v.u8[b + 2]!] ?? 'update';
      e.endOfBatch = (v.u8[b + 3]! & 1) === 1;
      e.position = v.i16[(b + 4) >> 1]!;
      e.price = v.f64[w + 3]!;
      e.size = v.f64[w + 5]!;
      e.recvTime = recv;
      e.exchTime = exchTime;
      return e;
    }
    case 2: {
      const e = fw.trade;
      e.aggressor = AGGRESSORS[v.u8[b + 1]!] ?? 'unknown';
      e.aggressorSource = v.u8[b + 3] === 2 ? 'venue' : 'inferred';
      e.price = v.f64[w + 3]!;
      e.size = v.f64[w + 5]!;
      e.recvTime = recv;
      e.exchTime = exchTime;
      return e;
    }
    case 0: {
      const e = fw.quote;
      e.flags = v.u8[b + 3]!;
      e.bid = v.f64[w + 3]!;
      e.ask = v.f64[w + 4]!;
      e.bidSize = v.f64[w + 5]!;
      e.askSize = v.f64[w + 6]!;
      e.recvTime = recv;
      e.exchTime = exchTime;
      return e;
    }
    case 3: {
      const e = fw.status;
      e.status = STATUSES[v.u8[b + 2]!] ?? 'trading';
      e.reason = e.status;
      e.recvTime = recv;
      e.exchTime = exchTime;
      return e;
    }
    default:
      return null;
  }
}
