import { expect } from 'chai';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { generateToFile } from '../../adapters/replay/generated-recording.js';
import { RecordingReader, type RecordingBlock } from '../../adapters/replay/recording/recording-reader.js';
import { BLOCK_MAGIC, RECORD_SIZE } from '../../adapters/replay/recording/recording-format.js';
import { isHarvesterError } from '../../core/errors/harvester-error.js';

/**
 * Damage recordings at random — flipped bytes anywhere, cuts anywhere, edited headers, repeated blocks — and read them.
 * Every damage must be reported (an error at open naming the file, or at least one corrupt block) and nothing may
 * crash or hang; what is delivered is never more than the intact file holds.
 */
describe('recording damage (fuzz)', function () {
  this.timeout(120_000);
  let dir: string;
  let original: Buffer;
  let intactEvents: number;
  let headerEnd: number;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-fuzz-'));
    const file = path.join(dir, 'intact.hrec');
    const start = Date.UTC(2024, 2, 14, 13, 30) * 1000;
    generateToFile(file, {
      seed: 3,
      symbol: 'FUZZ',
      date: '2024-03-14',
      timeZone: 'America/New_York',
      startTime: start,
      endTime: start + 10 * 60e6,
      tick: 100,
      startPrice: 325_000,
      intensity: 3,
    });
    original = fs.readFileSync(file);
    headerEnd = 12 + original.readUInt32LE(8);
    const r = read(file);
    expect(r.kind).to.equal('read');
    expect(r.kind === 'read' && r.corrupt).to.equal(0);
    intactEvents = r.kind === 'read' ? r.events : 0;
    expect(intactEvents).to.be.greaterThan(3 * 8192); // several blocks, so damage lands in the middle too
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function read(file: string): { kind: 'refused'; code: string } | { kind: 'read'; events: number; corrupt: number } {
    let reader: RecordingReader;
    try {
      reader = RecordingReader.open(file);
    } catch (error) {
      if (!isHarvesterError(error)) throw error;
      return { kind: 'refused', code: error.code };
    }
    try {
      let events = 0;
      let corrupt = 0;
      for (const b of reader.blocks()) {
        if (b.corrupt !== null) corrupt++;
        else events += b.count;
      }
      return { kind: 'read', events, corrupt };
    } finally {
      reader.close();
    }
  }

  const damaged = (bytes: Buffer): boolean => {
    const file = path.join(dir, 'damaged.hrec');
    fs.writeFileSync(file, bytes);
    const r = read(file);
    if (r.kind === 'read') expect(r.events).to.be.at.most(intactEvents);
    return r.kind === 'refused' || r.corrupt > 0;
  };

  it('a flipped byte anywhere is reported', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const b = Buffer.from(original);
        b[at] = b[at]! ^ mask;
        expect(damaged(b), `byte ${at} ^ ${mask}`).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a cut anywhere is reported, block boundaries included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: original.length - 1 }), (at) => {
        expect(damaged(original.subarray(0, at)), `cut at ${at}`).to.equal(true);
      }),
      { numRuns: 200 },
    );
  });

  it('a repeated or misplaced run of bytes (a body written twice) is reported', () => {
    fc.assert(
      fc.property(fc.integer({ min: headerEnd, max: original.length - 37 }), fc.integer({ min: 1, max: 300_000 }), (from, len) => {
        const piece = original.subarray(from, Math.min(original.length - 36, from + len));
        const b = Buffer.concat([original.subarray(0, original.length - 36), piece, original.subarray(original.length - 36)]);
        expect(damaged(b), `repeat ${from}+${piece.length}`).to.equal(true);
      }),
      { numRuns: 100 },
    );
  });

  /** Each block as a comparable line: its offset and reason, or its count and a CRC of its records. */
  const summary = (b: RecordingBlock): string =>
    b.corrupt !== null
      ? `corrupt @${b.corrupt.offset}: ${b.corrupt.reason}`
      : `${b.count} @${zlib.crc32(b.view.u8.subarray(0, b.count * RECORD_SIZE)).toString(16)}`;

  it('the read-ahead reader (replay) yields block for block what the synchronous one yields, damage and all', async () => {
    const both = async (bytes: Buffer): Promise<[string[], string[]]> => {
      const file = path.join(dir, 'ahead.hrec');
      fs.writeFileSync(file, bytes);
      let reader: RecordingReader;
      try {
        reader = RecordingReader.open(file);
      } catch (error) {
        if (!isHarvesterError(error)) throw error;
        return [[error.code], [error.code]];
      }
      try {
        const sync = [...reader.blocks()].map(summary);
        const ahead: string[] = [];
        for await (const b of reader.blocksAhead()) ahead.push(summary(b));
        return [sync, ahead];
      } finally {
        reader.close();
      }
    };
    const [intact, intactAhead] = await both(original);
    expect(intactAhead).to.deep.equal(intact);
    expect(intact.filter((l) => l.startsWith('corrupt'))).to.deep.equal([]);
    const damage = fc.oneof(
      fc.record({ flip: fc.integer({ min: 0, max: original.length - 1 }), mask: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ cut: fc.integer({ min: 0, max: original.length - 1 }) }),
      fc.record({ from: fc.integer({ min: headerEnd, max: original.length - 37 }), len: fc.integer({ min: 1, max: 300_000 }) }),
    );
    let reported = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 3 }), async (edits) => {
        let b = Buffer.from(original);
        for (const e of edits) {
          if ('flip' in e) b[e.flip % b.length] = b[e.flip % b.length]! ^ e.mask;
          else if ('cut' in e) b = b.subarray(0, e.cut % b.length);
          else {
            const piece = b.subarray(e.from % b.length, Math.min(b.length, (e.from % b.length) + e.len));
            b = Buffer.concat([b.subarray(0, Math.max(0, b.length - 36)), piece, b.subarray(Math.max(0, b.length - 36))]);
          }
        }
        const [sync, ahead] = await both(b);
        expect(ahead, JSON.stringify(edits)).to.deep.equal(sync);
        if (sync.some((l) => l.startsWith('corrupt'))) reported++;
      }),
      { numRuns: 150 },
    );
    // The property compared damaged reads, not only intact ones.
    expect(reported).to.be.greaterThan(50);

    // Random damage never gets past the CRC to inflate, so forge the blocks that do: a payload of garbage or of a
    // shorter deflate stream, each with its CRC fixed up. Both readers must report it and resync the same way.
    const second = headerEnd + 36 + original.readUInt32LE(headerEnd + 4);
    const payloadLen = original.readUInt32LE(second + 4);
    const forge = (payload: Buffer): Buffer => {
      const b = Buffer.from(original);
      payload.copy(b, second + 36);
      b.writeUInt32LE(zlib.crc32(b.subarray(second + 36, second + 36 + payloadLen)), second + 16);
      return b;
    };
    // A block marker inside the garbage: a reader that trusted the bad block's length would skip it, one that
    // resyncs (as for all damage) finds it and reports the false block too.
    const garbage = Buffer.alloc(payloadLen, 0xa5);
    garbage.writeUInt32LE(BLOCK_MAGIC, 100);
    const short = zlib.deflateRawSync(Buffer.alloc(RECORD_SIZE, 1));
    const shortPadded = Buffer.concat([short, Buffer.alloc(payloadLen - short.length)]);
    for (const [what, payload] of [
      ['garbage', garbage],
      ['a short stream', shortPadded],
    ] as const) {
      const [sync, ahead] = await both(forge(payload));
      expect(ahead, what).to.deep.equal(sync);
      expect(
        sync.filter((l) => l.startsWith(`corrupt @${second}:`)),
        what,
      ).to.have.length(1);
      if (what === 'garbage')
        expect(
          sync.filter((l) => l.startsWith(`corrupt @${second + 136}:`)),
          what,
        ).to.have.length(1);
      // The blocks after the forged one still arrive.
      expect(sync.filter((l) => !l.startsWith('corrupt')).length, what).to.equal(intact.length - 1);
    }
  });

  it('edited headers are refused with a clear code, never a crash', () => {
    const withHeader = (json: string): Buffer => {
      const body = Buffer.from(json, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(body.length, 0);
      return Buffer.concat([original.subarray(0, 8), len, body, original.subarray(headerEnd)]);
    };
    const header = JSON.parse(original.subarray(12, headerEnd).toString('utf8')) as Record<string, unknown>;
    const cases = [
      '{not json',
      '{"formatVersion":1}',
      JSON.stringify({ ...header, formatVersion: 2 }),
      JSON.stringify({ ...header, symbol: 'FUZY' }),
      JSON.stringify({ ...header, tick: -1 }),
      JSON.stringify({ ...header, date: '2024-3-14' }),
      '[]',
      'null',
    ];
    for (const c of cases) {
      const file = path.join(dir, 'header.hrec');
      fs.writeFileSync(file, withHeader(c));
      const r = read(file);
      expect(r.kind, c).to.equal('refused');
    }
  });
});
