import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSession } from '../../adapters/replay/generator/market-generator.js';
import { recordingEvents } from '../../adapters/replay/recording/recording-events.js';
import { RecordingWriter } from '../../adapters/replay/recording/recording-writer.js';
import { BLOCK_HEADER_SIZE } from '../../adapters/replay/recording/recording-format.js';
import type { MarketEvent } from '../../core/domain/market.js';

describe('recordingEvents (a recording as an async iterable, one block in memory)', () => {
  let dir: string;
  let file: string;
  let written: MarketEvent[];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-rec-events-'));
    file = path.join(dir, 'a.hrec');
    written = [];
    const w = RecordingWriter.open(file, {
      symbol: 'TST',
      date: '2024-03-14',
      tick: 100,
      timeZone: 'America/New_York',
      source: 'test',
      createdBy: 'spec',
    });
    generateSession(
      {
        seed: 3,
        symbol: 'TST',
        date: '2024-03-14',
        timeZone: 'America/New_York',
        start: '09:30',
        minutes: 12,
        tick: 100,
        startPrice: 325_000,
      },
      (e) => {
        w.write(e);
        written.push({ ...e });
      },
    );
    w.close();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('yields every event in order, each a copy that stays valid after the next block is read', async () => {
    const got: MarketEvent[] = [];
    for await (const e of recordingEvents(file)) got.push(e);
    expect(written.length).to.be.greaterThan(3 * 8192);
    expect(got).to.have.length(written.length);
    for (const i of [0, 8191, 8192, 20_000, written.length - 1]) {
      expect(got[i]!.kind).to.equal(written[i]!.kind);
      expect(got[i]!.recvTime).to.equal(written[i]!.recvTime);
    }
    expect(new Set(got).size, 'distinct objects, not one reused flyweight').to.equal(got.length);
  });

  it('an early break stops reading and closes the file (the loop ends, nothing hangs)', async () => {
    let n = 0;
    for await (const _ of recordingEvents(file)) if (++n === 100) break;
    expect(n).to.equal(100);
    // A second full pass still works: the first left no lock or half-read state behind.
    let again = 0;
    for await (const _ of recordingEvents(file)) again++;
    expect(again).to.equal(written.length);
  });

  it('reports a corrupt block and still yields the rest', async () => {
    const bad = path.join(dir, 'bad.hrec');
    const bytes = fs.readFileSync(file);
    const headerLen = 12 + bytes.readUInt32LE(8);
    bytes[headerLen + BLOCK_HEADER_SIZE + 5] = (bytes[headerLen + BLOCK_HEADER_SIZE + 5] ?? 0) ^ 0xff;
    fs.writeFileSync(bad, bytes);
    const corrupt: number[] = [];
    let n = 0;
    for await (const _ of recordingEvents(bad, (c) => corrupt.push(c.offset))) n++;
    expect(corrupt).to.deep.equal([headerLen]);
    expect(n).to.equal(written.length - 8192);
  });
});
