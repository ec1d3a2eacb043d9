import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { generateSession } from '../../adapters/replay/generator/market-generator.js';
import { BLOCK_HEADER_SIZE, RECORD_SIZE } from '../../adapters/replay/recording/recording-format.js';
import { RecordingReader } from '../../adapters/replay/recording/recording-reader.js';
import { RecordingWriter } from '../../adapters/replay/recording/recording-writer.js';
import type { MarketEvent } from '../../core/domain/market.js';

const HEADER = { symbol: 'TST', date: '2024-03-14', tick: 100, timeZone: 'America/New_York', source: 'test', createdBy: 'spec' };

function write(file: string, compress: boolean): MarketEvent[] {
  const events: MarketEvent[] = [];
  const w = RecordingWriter.open(file, HEADER, { compress });
  generateSession(
    {
      seed: 3,
      symbol: 'TST',
      date: '2024-03-14',
      timeZone: 'America/New_York',
      start: '09:30',
      minutes: 9,
      tick: 100,
      startPrice: 325_000,
    },
    (e) => {
      w.write(e);
      events.push({ ...e });
    },
  );
  w.close();
  return events;
}

async function readAll(file: string) {
  const reader = RecordingReader.open(file);
  const events: MarketEvent[] = [];
  const r = await reader.forEach({ event: (e) => events.push({ ...e }) });
  reader.close();
  return { header: reader.header, ...r, events };
}

describe('recording format v2 (stored blocks, no inflate)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-rec2-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes v2 with blockCodec none and reads back the same events as v1', async () => {
    const v1 = path.join(dir, 'v1.hrec');
    const v2 = path.join(dir, 'v2.hrec');
    const written = write(v1, true);
    write(v2, false);
    const a = await readAll(v1);
    const b = await readAll(v2);
    expect(a.header.formatVersion).to.equal(1);
    expect(a.header.blockCodec).to.equal(undefined);
    expect(b.header.formatVersion).to.equal(2);
    expect(b.header.blockCodec).to.equal('none');
    expect(b.corrupt).to.deep.equal([]);
    expect(b.events).to.deep.equal(written);
    expect(b.events).to.deep.equal(a.events);
    expect(b.blocks).to.equal(a.blocks);
    // Stored: every block's payload is its records.
    expect(fs.statSync(v2).size).to.be.greaterThan(written.length * RECORD_SIZE);
  });

  it('reports a flipped byte in a stored block by its CRC and plays the other blocks', async () => {
    const file = path.join(dir, 'v2.hrec');
    const written = write(file, false);
    const buf = fs.readFileSync(file);
    const headerLen = buf.readUInt32LE(8);
    const firstBlock = 12 + headerLen;
    buf[firstBlock + BLOCK_HEADER_SIZE + 100]! ^= 0xff;
    fs.writeFileSync(file, buf);
    const r = await readAll(file);
    expect(r.corrupt.map((c) => [c.offset, c.reason])).to.deep.equal([[firstBlock, 'CRC mismatch']]);
    const firstCount = buf.readUInt32LE(firstBlock + 12);
    expect(r.events).to.deep.equal(written.slice(firstCount));
  });

  it('refuses a header whose version and codec disagree, with a clear code', () => {
    for (const [formatVersion, blockCodec] of [
      [1, 'none'],
      [2, undefined],
      [3, 'none'],
    ] as const) {
      const file = path.join(dir, `h${formatVersion}.hrec`);
      const body = JSON.stringify({ formatVersion, ...(blockCodec === undefined ? {} : { blockCodec }), ...HEADER, endMarker: true });
      const json = Buffer.from(JSON.stringify({ ...JSON.parse(body), headerCrc32: zlib.crc32(Buffer.from(body, 'utf8')) }), 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(json.length, 0);
      fs.writeFileSync(file, Buffer.concat([Buffer.from('HRVREC01', 'latin1'), len, json]));
      expect(() => RecordingReader.open(file), `v${formatVersion} ${String(blockCodec)}`)
        .to.throw(/is not supported/)
        .with.property('code', 'DATA.UNSUPPORTED_FORMAT');
    }
  });
});
