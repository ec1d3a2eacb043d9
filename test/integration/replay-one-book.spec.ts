import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordingWriter } from '../../adapters/replay/recording/recording-writer.js';
import { ReplayFeed } from '../../adapters/replay/replay-feed.js';
import type { DepthEvent, MarketEvent } from '../../core/domain/market.js';
import { createKernelParts } from '../../core/engine/kernel-parts.js';
import { wireFeed } from '../../core/engine/feed-wiring.js';
import type { JournalWriter } from '../../core/engine/journal-writer.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';

/** docs/depth-rows.md#one-book: the replay feed keeps the kernel's book; there is no second copy beside it. */
describe('replay: one book per symbol (the kernel lends its book to the feed)', () => {
  let dir: string;
  let file: string;
  const T0 = 1_000_000;
  const bid = (k: number) => 1_000_000 - 100 * k;

  function depth(
    t: number,
    side: 'bid' | 'ask',
    operation: DepthEvent['operation'],
    price: number,
    size: number,
    end: boolean,
  ): MarketEvent {
    return {
      kind: 'depth',
      symbol: 'XYZ',
      side,
      position: -1,
      operation,
      price,
      size,
      marketMaker: '',
      endOfBatch: end,
      seq: 0,
      epoch: 1,
      recvTime: t,
      exchTime: null,
    };
  }

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-onebook-'));
    file = path.join(dir, 'XYZ.hrec');
    const w = RecordingWriter.open(file, {
      symbol: 'XYZ',
      date: '2024-03-14',
      tick: 100,
      timeZone: 'America/New_York',
      source: 'test',
      createdBy: 'spec',
    });
    // A price-keyed source twelve levels deep, two deeper than the ten rows subscribed.
    for (let k = 0; k < 12; k++) w.write(depth(T0, 'bid', 'insert', bid(k), 10 + k, false));
    w.write(depth(T0, 'ask', 'insert', 1_001_000, 5, true));
    // The three best bids go: the levels below the view move up into it.
    for (let k = 0; k < 3; k++) w.write(depth(T0 + 10, 'bid', 'delete', bid(k), 0, k === 2));
    w.write({ kind: 'status', symbol: 'XYZ', status: 'halted', reason: 'test', seq: 0, epoch: 1, recvTime: T0 + 20, exchTime: null });
    w.close();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function play() {
    const clock = new ManualClock(0);
    const parts = createKernelParts(clock, 100_000, 5);
    const feed = new ReplayFeed({
      files: [file],
      clock,
      sessionEnd: T0 + 100,
      lineBudget: 10,
      depthBudget: 3,
      recvLatencyUs: 0,
      instrument: undefined,
    });
    const journal = { write: () => {} } as unknown as JournalWriter;
    const detach = wireFeed(feed, parts, journal);
    const book = parts.router.addSymbol('XYZ', 10);
    const seen: string[] = [];
    parts.router.onDepth((e, b) => {
      if (e.endOfBatch) seen.push(`${e.epoch}:${e.operation} bids=${b.levels('bid')} best=${b.bestBid}`);
    });
    expect(feed.subscribe('XYZ', 'depth', { levels: 10 }).ok).to.equal(true);
    await feed.playback.run();
    detach();
    return { book, seen };
  }

  it('the kernel book shows the source top ten after deletes, with no holes where deeper levels were', async () => {
    const { seen } = await play();
    // Before one book, the kernel kept only the ten it was first sent: after three deletes it showed 7 rows.
    expect(seen.slice(0, 2)).to.deep.equal([`1:insert bids=10 best=${bid(0)}`, `1:delete bids=9 best=${bid(3)}`]);
  });

  it('a resync restates the rows held before the clear, in the kernel book, under a new epoch', async () => {
    const { book, seen } = await play();
    // The halt resyncs depth: a clear in a batch of its own, then the nine bids and one ask as the new epoch's batch.
    expect(seen.slice(2)).to.deep.equal(['1:clear bids=0 best=0', `2:insert bids=9 best=${bid(3)}`]);
    expect(book.levels('bid')).to.equal(9);
    expect(book.priceAt('bid', 8)).to.equal(bid(11));
    expect(book.levels('ask')).to.equal(1);
  });
});
