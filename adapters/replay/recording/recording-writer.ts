import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { MarketEvent } from '../../../core/domain/market.js';
import {
  BLOCK_HEADER_SIZE,
  BLOCK_MAGIC,
  encodeEvent,
  FORMAT_VERSION,
  FORMAT_VERSION_STORED,
  MAGIC,
  MAX_BLOCK_EVENTS,
  RECORD_SIZE,
  type RecordingHeader,
} from './recording-format.js';

export interface RecordingWriterOptions {
  /**
   * false: blocks stored, not deflated (format v2, recording-format.ts): no inflate on replay, about 7× the size.
   * Default true (format v1).
   */
  compress?: boolean;
}

/** Streams events into a recording: one block per MAX_BLOCK_EVENTS, written as soon as it is full. */
export class RecordingWriter {
  private readonly raw = Buffer.alloc(MAX_BLOCK_EVENTS * RECORD_SIZE);
  private count = 0;
  private first = 0;
  private last = 0;
  events = 0;
  blocks = 0;

  private constructor(
    private readonly fd: number,
    private readonly compress: boolean,
  ) {}

  static open(
    file: string,
    header: Omit<RecordingHeader, 'formatVersion' | 'blockCodec'>,
    options: RecordingWriterOptions = {},
  ): RecordingWriter {
    const compress = options.compress ?? true;
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const fd = fs.openSync(file, 'w');
    const version = compress ? { formatVersion: FORMAT_VERSION } : { formatVersion: FORMAT_VERSION_STORED, blockCodec: 'none' as const };
    const body = JSON.stringify({ ...version, ...header, endMarker: true });
    const json = Buffer.from(
      JSON.stringify({ ...(JSON.parse(body) as object), headerCrc32: zlib.crc32(Buffer.from(body, 'utf8')) }),
      'utf8',
    );
    const len = Buffer.alloc(4);
    len.writeUInt32LE(json.length, 0);
    fs.writeSync(fd, MAGIC);
    fs.writeSync(fd, len);
    fs.writeSync(fd, json);
    return new RecordingWriter(fd, compress);
  }

  write(event: MarketEvent): void {
    if (this.count === 0) this.first = event.recvTime;
    this.last = event.recvTime;
    encodeEvent(event, this.raw, this.count * RECORD_SIZE);
    this.count++;
    this.events++;
    if (this.count === MAX_BLOCK_EVENTS) this.flushBlock();
  }

  /** Writes the events so far as a (short) block, so a live recording loses at most one flush interval on a crash. */
  flush(): void {
    this.flushBlock();
  }

  close(): void {
    this.flushBlock();
    // The END block: a reader told by the header to expect it knows a file without it was cut short.
    const end = Buffer.alloc(BLOCK_HEADER_SIZE);
    end.writeUInt32LE(BLOCK_MAGIC, 0);
    fs.writeSync(this.fd, end);
    fs.closeSync(this.fd);
  }

  private flushBlock(): void {
    if (this.count === 0) return;
    const records = this.raw.subarray(0, this.count * RECORD_SIZE);
    const payload = this.compress ? zlib.deflateRawSync(records, { level: 6 }) : records;
    const header = Buffer.alloc(BLOCK_HEADER_SIZE);
    header.writeUInt32LE(BLOCK_MAGIC, 0);
    header.writeUInt32LE(payload.length, 4);
    header.writeUInt32LE(this.count * RECORD_SIZE, 8);
    header.writeUInt32LE(this.count, 12);
    header.writeUInt32LE(zlib.crc32(payload), 16);
    header.writeDoubleLE(this.first, 20);
    header.writeDoubleLE(this.last, 28);
    fs.writeSync(this.fd, header);
    fs.writeSync(this.fd, payload);
    this.blocks++;
    this.count = 0;
  }
}
