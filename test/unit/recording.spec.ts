import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSession } from '../../adapters/replay/generator/market-generator.js';
import { RecordingReader } from '../../adapters/replay/recording/recording-reader.js';
import { RecordingWriter } from '../../adapters/replay/recording/recording-writer.js';
import { BLOCK_HEADER_SIZE } from '../../adapters/replay/recording/recording-format.js';
import { ReplayFeed } from '../../adapters/replay/replay-feed.js';
import type { MarketEvent } from '../../core/domain/market.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';

const START = Date.UTC(2024, 2, 14, 13, 30) * 1000;
const opts = (seed: number) => ({
  seed,
  symbol: 'TST',
  date: '2024-03-14',
  timeZone: 'America/New_York',
  start: '09:30',
  minutes: 9,
  tick: 100,
  startPrice: 325_000,
});

function write(file: string, seed = 1, minutes = 9): MarketEvent[] {
  const events: MarketEvent[] = [];
  const w = RecordingWriter.open(file, {
    symbol: 'TST',
    date: '2024-03-14',
    tick: 100,
    timeZone: 'America/New_York',
    source: 'test',
    createdBy: 'spec',
  });
  generateSession({ ...opts(seed), minutes }, (e) => {
    w.write(e);
    events.push({ ...e });
  });
  w.close();
  return events;
}

async function readAll(file: string) {
  const reader = RecordingReader.open(file);
  const events: MarketEvent[] = [];
  const r = await reader.forEach({ event: (e) => events.push({ ...e }) });
  reader.close();
  return { ...r, events };
}

describe('recording format v1', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-rec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips every event exactly, block by block', async () => {
    const file = path.join(dir, 'a.hrec');
    const written = write(file);
    const read = await readAll(file);
    expect(read.corrupt).to.deep.equal([]);
    expect(read.blocks).to.be.greaterThan(1);
    expect(read.events.length).to.equal(written.length);
    const strip = (e: MarketEvent) => ({ ...e, seq: 0, epoch: 0, ...(e.kind === 'status' ? { reason: '' } : {}) });
    expect(read.events.map(strip)).to.deep.equal(written.map(strip));
  });

  it('is deterministic per seed and differs across seeds', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => path.join(dir, `${n}.hrec`));
    write(a!, 7);
    write(b!, 7);
    write(c!, 8);
    expect(fs.readFileSync(a!).equals(fs.readFileSync(b!))).to.equal(true);
    expect(fs.readFileSync(a!).equals(fs.readFileSync(c!))).to.equal(false);
  });

  it('reports a corrupt block with its offset and still replays the rest', async () => {
    const file = path.join(dir, 'c.hrec');
    // Long enough for more than three blocks of 8,192 events.
    const written = write(file, 1, 20);
    const bytes = fs.readFileSync(file);
    const headerLen = 12 + bytes.readUInt32LE(8);
    const firstPayload = bytes.readUInt32LE(headerLen + 4);
    const second = headerLen + BLOCK_HEADER_SIZE + firstPayload;
    const lost = bytes.readUInt32LE(second + 12);
    // flip a payload byte of block 2: its CRC fails
    bytes[second + BLOCK_HEADER_SIZE + 10] = (bytes[second + BLOCK_HEADER_SIZE + 10] ?? 0) ^ 0xff;
    fs.writeFileSync(file, bytes);
    const read = await readAll(file);
    expect(read.corrupt).to.have.length(1);
    expect(read.corrupt[0]!.offset).to.equal(second);
    expect(read.corrupt[0]!.reason).to.contain('CRC');
    expect(read.events.length).to.equal(written.length - lost);
    expect(read.events[8191]!.recvTime).to.equal(written[8191]!.recvTime);
    // Blocks after the corrupt one still replay, up to the very last event.
    expect(read.blocks).to.be.greaterThan(2);
    expect(read.events.at(-1)!.recvTime).to.equal(written.at(-1)!.recvTime);
  });

  it('reports a truncated tail and keeps what came before', async () => {
    const file = path.join(dir, 't.hrec');
    write(file);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 100);
    const read = await readAll(file);
    expect(read.corrupt.map((c) => c.reason).join('; ')).to.match(/truncated/);
    expect(read.corrupt.at(-1)!.reason).to.match(/no END block/);
    expect(read.events.length % 8192).to.equal(0);
  });
});

describe('replay feed', () => {
  it('advances the virtual clock to each event, numbers each subscription from 1, and enforces the line budget', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-feed-'));
    const file = path.join(dir, 'f.hrec');
    write(file);
    const clock = new ManualClock(START);
    const feed = new ReplayFeed({
      files: [file],
      clock,
      sessionEnd: START + 10 * 60e6,
      lineBudget: 1,
      depthBudget: 1,
      recvLatencyUs: 0,
      instrument: undefined,
    });
    expect(feed.subscribe('TST', 'depth').ok).to.equal(true);
    expect(feed.subscribe('TST', 'tape').ok).to.equal(true);
    const refused = feed.subscribe('OTHER', 'quote');
    expect(refused.ok).to.equal(false);
    let lastSeq = 0;
    let epoch = 1;
    let rows = 0;
    let clockOk = true;
    let trades = 0;
    feed.on('depth.updated', (e) => {
      // A recorded halt or gap resyncs depth under a new epoch, whose seq starts again at 1 (cards FEED-14 b, 40 c).
      if (e.epoch !== epoch) {
        if (e.epoch !== epoch + 1) throw new Error(`epoch ${e.epoch} after ${epoch}`);
        epoch = e.epoch;
        lastSeq = 0;
      }
      if (e.seq !== lastSeq + 1) throw new Error(`seq ${e.seq} after ${lastSeq}`);
      lastSeq = e.seq;
      rows++;
      if (clock.now() !== e.recvTime) clockOk = false;
    });
    feed.on('trade.printed', () => {
      trades++;
    });
    const summary = await feed.playback.run();
    expect(clockOk).to.equal(true);
    expect(rows).to.be.greaterThan(1000);
    expect(trades).to.be.greaterThan(100);
    expect(summary.malformed).to.equal(0);
    expect(clock.now()).to.equal(START + 10 * 60e6);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
