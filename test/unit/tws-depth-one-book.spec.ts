import { expect } from 'chai';
import type { OrderBook } from '../../core/domain/order-book.js';
import { Sfc32 } from '../../core/domain/random.js';
import { ASK, BID, DELETE, INSERT, type IbRow, UPDATE, twsFeedRig as rig, wireKernel as kernel } from '../support/tws-feed-stub.js';

const bids = (b: OrderBook): [number, number][] =>
  Array.from({ length: b.levels('bid') }, (_, i) => [b.priceAt('bid', i), b.sizeAt('bid', i)]);

describe('TWS feed: one book per symbol (docs/depth-rows.md#one-book)', () => {
  it('applies each row to the kernel book right before it is delivered: a listener of row N reads rows 1..N', async () => {
    const { clock, feed, read } = rig();
    const seen: string[] = [];
    const { parts, book } = kernel(feed, clock, (e, b) =>
      seen.push(`${e.operation}@${e.position}${e.endOfBatch ? '|' : ''} bids=${b.levels('bid')} best=${b.bestBid}`),
    );
    const hooked: number[] = [];
    parts.router.onDepth((_e, b) => hooked.push(b.levels('bid')));
    expect(feed.subscribe('XYZ', 'depth', { levels: 10 }).ok).to.equal(true);
    await read([
      [0, INSERT, BID, 10.0, 100],
      [1, INSERT, BID, 9.99, 200],
      [0, INSERT, BID, 10.01, 300],
    ]);
    await read([[1, DELETE, BID, 0, 0]]);
    // Before: the feed applied rows to a copy of its own, one ahead of its listeners, and the kernel applied each row
    // again after the first listener had run (it read rows 1..N-1).
    expect(seen).to.deep.equal([
      'insert@0 bids=1 best=100000',
      'insert@1 bids=2 best=100000',
      'insert@0| bids=3 best=100100',
      'delete@1| bids=2 best=100100',
    ]);
    expect(hooked, 'the kernel hooks see the same book').to.deep.equal([1, 2, 3, 2]);
    expect(bids(book)).to.deep.equal([
      [100100, 300],
      [99900, 200],
    ]);
    expect(parts.router.anomalies).to.equal(0);
    expect(feed.books, 'the feed offers to keep the kernel book').to.not.equal(undefined);
  });

  it('judges crossed batches on the kernel book: K_cross of them make it suspect, clear it and resubscribe', async () => {
    const { clock, feed, read, requests } = rig({ crossedBatches: 2 });
    const ends: string[] = [];
    const { book } = kernel(feed, clock, (e, b) => {
      if (e.endOfBatch) ends.push(`${e.epoch}:${e.operation} crossed=${b.crossed} rows=${b.levels('bid') + b.levels('ask')}`);
    });
    const events: string[] = [];
    feed.on('feed.suspect', (e) => events.push(`suspect ${e.reason}`));
    feed.on('feed.resubscribed', (e) => events.push(`resubscribed ${e.epoch}`));
    feed.on('feed.resumed', () => events.push('resumed'));
    feed.subscribe('XYZ', 'depth', { levels: 5 });
    await read([
      [0, INSERT, BID, 10.0, 100],
      [0, INSERT, ASK, 9.99, 100],
    ]);
    expect(events, 'one crossed batch is tolerated').to.deep.equal([]);
    await read([[0, UPDATE, ASK, 9.98, 100]]);
    expect(events).to.deep.equal(['suspect crossed', 'resubscribed 2']);
    expect(requests.length, 'a new request').to.equal(2);
    expect(book.levels('bid') + book.levels('ask'), 'the kernel book was cleared for the new request').to.equal(0);
    await read([
      [0, INSERT, BID, 10.0, 100],
      [0, INSERT, ASK, 10.01, 100],
    ]);
    expect(events.at(-1), 'a clean batch resumes').to.equal('resumed');
    expect(ends).to.deep.equal([
      '1:insert crossed=true rows=2',
      '1:update crossed=true rows=2',
      '1:clear crossed=false rows=0',
      '2:insert crossed=false rows=2',
    ]);
  });

  it('counts rows beyond the book on the kernel book and resyncs after K_depth of them in the window', async () => {
    const { clock, feed, read, requests } = rig({ depthAnomalies: 3, depthAnomalyWindowMs: 1_000 });
    const { book, parts } = kernel(feed, clock, () => {});
    const suspects: string[] = [];
    feed.on('feed.suspect', (e) => suspects.push(e.reason));
    feed.subscribe('XYZ', 'depth', { levels: 5 });
    // An update past the end is appended (as an insert at the end) and counted; so is an insert leaving a gap.
    await read([
      [0, INSERT, BID, 10.0, 100],
      [4, UPDATE, BID, 9.99, 200],
    ]);
    await read([[3, INSERT, BID, 9.98, 300]], 1_200_000);
    expect(bids(book)).to.deep.equal([
      [100000, 100],
      [99900, 200],
      [99800, 300],
    ]);
    expect(feed.anomalies().depthBeyondBook).to.equal(2);
    expect(parts.router.anomalies, 'delivered normalised: the kernel counts them clean').to.equal(0);
    // Two seconds later: the first one has left the window.
    await read([[7, UPDATE, BID, 9.97, 400]], 3_000_000);
    expect(suspects).to.deep.equal([]);
    // A delete of a missing row inside the window, then an insert leaving a gap: the third in the window resyncs.
    await read(
      [
        [0, DELETE, ASK, 0, 0],
        [9, INSERT, BID, 9.96, 500],
      ],
      3_100_000,
    );
    expect(suspects).to.deep.equal(['depth-anomaly']);
    expect(feed.anomalies().depthBeyondBook).to.equal(5);
    expect(requests.length).to.equal(2);
    expect(book.levels('bid'), 'cleared for the new request').to.equal(0);
  });

  it('a reset (317) clears the kernel book in a batch of its own; the same request rebuilds it', async () => {
    const { clock, feed, read, ibError, requests } = rig();
    const rows: string[] = [];
    const { book } = kernel(feed, clock, (e, b) => rows.push(`${e.operation}${e.endOfBatch ? '|' : ''} ${b.levels('bid')}`));
    feed.subscribe('XYZ', 'depth', { levels: 5 });
    await read([
      [0, INSERT, BID, 10.0, 100],
      [1, INSERT, BID, 9.99, 100],
    ]);
    await ibError(317);
    await read([[0, INSERT, BID, 10.02, 100]]);
    expect(rows).to.deep.equal(['insert 1', 'insert| 2', 'clear| 0', 'insert| 1']);
    expect(requests.length).to.equal(1);
    expect(book.bestBid).to.equal(100200);
  });

  it('a read whose last row is dropped still ends its batch: the row before is restated as the mark', async () => {
    const { feed, read } = rig();
    const out: string[] = [];
    feed.on('depth.updated', (e) => out.push(`${e.side} ${e.operation}@${e.position} ${e.price}x${e.size}${e.endOfBatch ? ' |' : ''}`));
    feed.subscribe('XYZ', 'depth', { levels: 2 });
    // Standalone (no book lent), the feed keeps a book of the rows subscribed; an update beyond a full side is dropped.
    await read([
      [0, INSERT, BID, 10.0, 100],
      [1, INSERT, BID, 9.99, 200],
      [2, UPDATE, BID, 9.98, 300],
    ]);
    // Deletes name the row they remove; one of a missing row is delivered as sent (counted), as replay delivers it.
    await read([
      [0, DELETE, BID, 0, 0],
      [0, DELETE, BID, 0, 0],
      [0, DELETE, BID, 0, 0],
    ]);
    expect(out).to.deep.equal([
      'bid insert@0 100000x100',
      'bid insert@1 99900x200',
      'bid update@1 99900x200 |',
      'bid delete@0 100000x100',
      'bid delete@0 99900x200',
      'bid delete@0 0x0 |',
    ]);
    expect(feed.anomalies().depthBeyondBook).to.equal(2);
  });

  it("asks IB for as many rows as the lent book shows, so no row pushed out of IB's window stays in its view", async () => {
    const { clock, feed, read, requests } = rig();
    // The kernel shows at least its top N (5) rows.
    const { book } = kernel(feed, clock, () => {}, 3);
    feed.subscribe('XYZ', 'depth', { levels: 3 });
    expect(requests.map((r) => r.rows)).to.deep.equal([book.maxLevels]);
    expect(book.maxLevels).to.equal(5);
    await read([0, 1, 2, 3, 4, 5].map((p): IbRow => [p, INSERT, BID, 10 - p / 100, 100]));
    expect(book.levels('bid'), 'an insert beyond the rows asked for is dropped').to.equal(5);
  });

  it('matches the reference row model on random in-book rows, deletes naming the row they removed (seeds 1-10)', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { clock, feed, read } = rig();
      const { book } = kernel(feed, clock, () => {});
      const got: [string, number, number, number][] = [];
      feed.on('depth.updated', (e) => got.push([e.operation, e.position, e.price, e.size]));
      feed.subscribe('XYZ', 'depth', { levels: 10 });
      const rng = new Sfc32(seed);
      const ref: [number, number][] = [];
      const want: [string, number, number, number][] = [];
      for (let r = 0; r < 40; r++) {
        const batch: IbRow[] = [];
        for (let i = 0, n = 1 + Math.floor(rng.next() * 6); i < n; i++) {
          const len = ref.length;
          const pick = rng.next();
          const op = len === 0 || pick < 0.4 ? INSERT : pick < 0.75 ? UPDATE : DELETE;
          const p = Math.floor(rng.next() * (op === INSERT ? Math.min(len + 1, 10) : len));
          const price = 100_000 + 100 * Math.floor(rng.next() * 50);
          const size = 100 * (1 + Math.floor(rng.next() * 9));
          batch.push([p, op, BID, price / 10_000, size]);
          if (op === INSERT) {
            ref.splice(p, 0, [price, size]);
            if (ref.length > 10) ref.length = 10;
            want.push(['insert', p, price, size]);
          } else if (op === UPDATE) {
            ref[p] = [price, size];
            want.push(['update', p, price, size]);
          } else want.push(['delete', p, ...ref.splice(p, 1)[0]!]);
        }
        await read(batch);
        expect(bids(book), `seed ${seed} read ${r}`).to.deep.equal(ref);
      }
      expect(got, `seed ${seed}`).to.deep.equal(want);
      expect(feed.anomalies().depthBeyondBook).to.equal(0);
    }
  });
});
