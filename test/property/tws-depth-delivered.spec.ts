import { expect } from 'chai';
import fc from 'fast-check';
import type { BookSide, DepthEvent } from '../../core/domain/market.js';
import { OrderBook } from '../../core/domain/order-book.js';
import { type IbRow, twsFeedRig, wireKernel } from '../support/tws-feed-stub.js';

const rowsOf = (b: OrderBook, side: BookSide): number[] =>
  Array.from({ length: b.heldRows(side) }, (_, i) => [b.heldPrice(side, i), b.heldSize(side, i)]).flat();

/** Any IB row: positions past the end, deletes of missing rows, and now and then a price that crosses the book. */
const ibRow = fc
  .tuple(
    fc.integer({ min: 0, max: 7 }),
    fc.integer({ min: 0, max: 2 }),
    fc.integer({ min: 0, max: 1 }),
    fc.integer({ min: 0, max: 20 }),
    fc.integer({ min: 0, max: 9 }),
  )
  .map(([position, op, side, tick, lots]): IbRow => {
    // Bids below 10.00, asks above it, except tick 0 (a price on the wrong side).
    const cents = tick === 0 ? (side === 1 ? 1_005 : 995) : side === 1 ? 1_000 - tick : 1_000 + tick;
    return [position, op, side, cents / 100, 100 * lots];
  });

/** docs/depth-rows.md#one-book: what the TWS feed delivers is exactly what it applied to the kernel's book. */
describe('TWS feed: the kernel book is the book as delivered (property)', () => {
  it('after every delivered row the lent book equals the delivered rows replayed, and every batch is closed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.array(ibRow, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 25 }),
        async (levels, reads) => {
          const { clock, feed, read } = twsFeedRig({ crossedBatches: 3, depthAnomalies: 5, depthAnomalyWindowMs: 1_000 });
          let shadow: OrderBook | null = null;
          const delivered: DepthEvent[] = [];
          const { book } = wireKernel(
            feed,
            clock,
            (e, lent) => {
              shadow ??= new OrderBook('XYZ', { maxLevels: lent.maxLevels, topN: lent.topN });
              delivered.push({ ...e });
              shadow.apply({ ...e });
              for (const side of ['bid', 'ask'] as const) {
                expect(rowsOf(lent, side), `row ${delivered.length} ${side}`).to.deep.equal(rowsOf(shadow, side));
                // `ingest` skips the top-N rescan for rows below the top: its figures must still be the rescanned ones.
                expect([lent.topVolume(side), lent.maxSizeTopN(side)], `top ${delivered.length} ${side}`).to.deep.equal([
                  shadow.topVolume(side),
                  shadow.maxSizeTopN(side),
                ]);
              }
            },
            levels,
          );
          feed.subscribe('XYZ', 'depth', { levels });
          let t = 1_000_000;
          for (const rows of reads) {
            const before = delivered.length;
            await read(rows, (t += 300_000));
            if (delivered.length > before) expect(delivered.at(-1)!.endOfBatch, 'the read ends its batch').to.equal(true);
          }
          for (let i = 0; i < delivered.length; i++) {
            const e = delivered[i]!;
            const prev = delivered[i - 1];
            expect(e.seq, `seq at ${i}`).to.equal(prev === undefined || prev.epoch !== e.epoch ? 1 : prev.seq + 1);
            if (prev !== undefined && !prev.endOfBatch) {
              expect([e.epoch, e.operation === 'clear'], `an open batch continues at ${i}`).to.deep.equal([prev.epoch, false]);
            }
            if (e.operation === 'clear') expect(e.endOfBatch, 'a clear is a batch of its own').to.equal(true);
          }
          expect(book.heldRows('bid')).to.be.at.most(book.maxLevels);
        },
      ),
      { numRuns: 150, seed: 15 },
    );
  });
});
