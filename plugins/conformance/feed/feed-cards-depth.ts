import { expect } from 'chai';
import { Sfc32 } from '../../../core/domain/random.js';
import { requires, type AppliesFn, type CardDef } from '../card.js';
import { expectCount, expectSequence, step } from '../recorder.js';
import { RowBookModel } from './feed-monitor.js';
import type { DepthRow, FeedRun } from './feed-types.js';

const depth: AppliesFn = requires.flag('supportsDepth');
const depthWith = (...features: string[]): AppliesFn => requires.all(depth, requires.feature(...features));

const row = (side: 'bid' | 'ask', position: number, operation: DepthRow['operation'], price: number, size: number): DepthRow => ({
  side,
  position,
  operation,
  price,
  size,
});

/** The FEED-10 (docs/conformance-cards.md#feed-10) starting book: bids [123300 × 500, 123200 × 200]; asks [123500 × 300, 123600 × 400]. */
const INITIAL: readonly DepthRow[] = [
  row('bid', 0, 'insert', 123300, 500),
  row('bid', 1, 'insert', 123200, 200),
  row('ask', 0, 'insert', 123500, 300),
  row('ask', 1, 'insert', 123600, 400),
];

/** The book built from every emitted depth delta of `symbol` (the card's "book"). */
export function emittedBook(r: FeedRun, symbol = r.fx.symbol): RowBookModel {
  const book = new RowBookModel(r.fx.depthLevels);
  for (const e of r.rec.of('depth.updated', { symbol })) book.apply(e.payload);
  return book;
}

async function rows(r: FeedRun, burst: readonly DepthRow[], options?: { splitAt?: number }): Promise<void> {
  const src = r.source();
  if (src.depthRows === undefined) throw new Error('this card needs the driver feature depthRows');
  await src.depthRows(r.fx.symbol, burst, options);
  await r.settle();
}

async function startDepth(r: FeedRun): Promise<void> {
  r.subscribe(r.fx.symbol, 'depth');
  await r.settle();
  await rows(r, INITIAL);
}

/**
 * Source rows for FEED-15 (docs/conformance-cards.md#feed-15): inserts, updates and deletes on both sides, some beyond the current length.
 * A row beyond the book is an anomaly that FEED-13 (docs/conformance-cards.md#feed-13) counts towards a resync (K_depth within 60 s), so
 * the card spaces them: at most one burst in `beyondEvery` may carry them, which keeps the source well under K_depth per minute of kit time
 * and lets FEED-13 (docs/conformance-cards.md#feed-13) and FEED-15 hold together. The random draws do not depend on that budget. Positions
 * stay below the requested row count, as a source's do (IB: position < numRows).
 */
function generatedBurst(rng: Sfc32, lengths: { bid: number; ask: number }, n: number, allowBeyond: boolean, levels: number): DepthRow[] {
  const out: DepthRow[] = [];
  let beyondLeft = allowBeyond ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const side = rng.next() < 0.5 ? 'bid' : 'ask';
    const len = lengths[side];
    const pick = rng.next();
    const drawn = Math.floor(rng.next() * (len + 3));
    const price = (side === 'bid' ? 120000 : 126000) + (side === 'bid' ? -1 : 1) * 100 * Math.floor(rng.next() * 30);
    const size = 100 * (1 + Math.floor(rng.next() * 20));
    const operation: DepthRow['operation'] = len === 0 || pick < 0.4 ? 'insert' : pick < 0.75 ? 'update' : 'delete';
    // A source never names a row outside the requested count (IB: position < numRows).
    let position = Math.min(operation === 'delete' ? Math.min(drawn, len - 1) : drawn, levels - 1);
    const beyond = (operation === 'update' && position >= len) || (operation === 'insert' && position > len);
    if (beyond && beyondLeft > 0) beyondLeft--;
    else if (beyond) position = operation === 'insert' ? len : len - 1;
    out.push(row(side, position, operation, price, size));
    if (operation === 'insert') lengths[side] = Math.min(len + 1, levels);
    else if (operation === 'update' && position >= len) lengths[side] = Math.min(len + 1, levels);
    else if (operation === 'delete') lengths[side] = len - 1;
  }
  return out;
}

/** Depth rows and batches (docs/conformance-kit.md#feed-depth). */
export const depthCards: readonly CardDef<FeedRun>[] = [
  {
    id: 'FEED-10', // docs/conformance-cards.md#feed-10
    title: 'A depth insert shifts rows down',
    baseline: false,
    applies: depthWith('depthRows'),
    run: async (r) => {
      await startDepth(r);
      const m = r.rec.mark();
      await rows(r, [row('bid', 0, 'insert', 123400, 100)]);
      expectSequence(r.rec.since(m), [
        step('depth.updated', {
          symbol: r.fx.symbol,
          side: 'bid',
          position: 0,
          operation: 'insert',
          price: 123400,
          size: 100,
          endOfBatch: true,
        }),
      ]);
      expect(emittedBook(r).view()).to.deep.equal({ bids: ['123400×100', '123300×500', '123200×200'], asks: ['123500×300', '123600×400'] });
    },
  },
  {
    id: 'FEED-11', // docs/conformance-cards.md#feed-11
    title: 'A depth update replaces in place; a delete shifts up',
    baseline: false,
    applies: depthWith('depthRows'),
    run: async (r) => {
      await startDepth(r);
      await rows(r, [row('bid', 0, 'insert', 123400, 100)]);
      const m = r.rec.mark();
      await rows(r, [row('bid', 1, 'update', 123300, 700), row('bid', 0, 'delete', 123400, 100), row('ask', 0, 'update', 123500, 100)]);
      expectSequence(r.rec.since(m), [
        step('depth.updated', { side: 'bid', position: 1, operation: 'update', price: 123300, size: 700, endOfBatch: false }),
        step('depth.updated', { side: 'bid', position: 0, operation: 'delete', price: 123400, size: 100, endOfBatch: false }),
        step('depth.updated', { side: 'ask', position: 0, operation: 'update', price: 123500, size: 100, endOfBatch: true }),
      ]);
      expect(emittedBook(r).view()).to.deep.equal({ bids: ['123300×700', '123200×200'], asks: ['123500×100', '123600×400'] });
    },
  },
  {
    id: 'FEED-12', // docs/conformance-cards.md#feed-12
    title: 'Every batch ends with exactly one end-of-batch mark',
    baseline: false,
    applies: depthWith('depthRows'),
    run: async (r) => {
      await startDepth(r);
      const up = (size: number): DepthRow => row('bid', 0, 'update', 123300, size);
      let m = r.rec.mark();
      await rows(r, [up(100), up(200), up(300)]);
      expect(
        r.rec
          .since(m)
          .filter((e) => e.type === 'depth.updated')
          .map((e) => e.payload.endOfBatch),
        'a 3-row burst',
      ).to.deep.equal([false, false, true]);
      m = r.rec.mark();
      await rows(r, [up(400)]);
      expect(
        r.rec
          .since(m)
          .filter((e) => e.type === 'depth.updated')
          .map((e) => e.payload.endOfBatch),
        'a single row',
      ).to.deep.equal([true]);
      m = r.rec.mark();
      await rows(
        r,
        Array.from({ length: 10 }, (_, i) => up(500 + i * 100)),
        { splitAt: 5 },
      );
      const marks = r.rec
        .since(m)
        .filter((e) => e.type === 'depth.updated')
        .map((e) => e.payload.endOfBatch);
      expect(marks, 'the split burst: 10 rows').to.have.length(10);
      expect(marks[9], 'the split burst ends with a mark').to.equal(true);
      expect(marks.filter((x) => x === true).length, 'one batch or two').to.be.oneOf([1, 2]);
      if (marks.filter((x) => x === true).length === 2) expect(marks[4], 'two batches split where the reads split').to.equal(true);
    },
  },
  {
    id: 'FEED-13', // docs/conformance-cards.md#feed-13
    title: 'An update beyond the book is appended, counted and resynced',
    baseline: false,
    applies: depthWith('depthRows'),
    run: async (r) => {
      await startDepth(r);
      const m = r.rec.mark();
      await rows(r, [row('bid', 6, 'update', 123100, 300)]);
      expectSequence(
        r.rec.since(m),
        [step('depth.updated', { side: 'bid', position: 2, operation: 'insert', price: 123100, size: 300 })],
        'appended, never padded',
      );
      for (let i = 0; i < 4; i++) await rows(r, [row('bid', 9, 'update', 123000 - i * 100, 300)]);
      expectSequence(r.rec.since(m), [
        step('feed.suspect', { symbol: r.fx.symbol, stream: 'depth', reason: 'depth-anomaly' }),
        step('depth.updated', { operation: 'clear', endOfBatch: true }),
        step('feed.resubscribed', { symbol: r.fx.symbol, stream: 'depth', epoch: 2 }),
      ]);
      expect(r.subject.usage().depth.used, 'usage unchanged').to.equal(1);
    },
  },
  {
    id: 'FEED-14', // docs/conformance-cards.md#feed-14
    variant: 'a',
    title: 'Book reset: a clear in a batch of its own, then a rebuild',
    baseline: false,
    applies: depthWith('bookReset', 'depthRows'),
    run: async (r) => {
      await startDepth(r);
      const m = r.rec.mark();
      await r.source().bookReset!(r.fx.symbol, 'reset');
      await r.settle();
      await rows(r, INITIAL);
      const after = r.rec.since(m).filter((e) => e.type === 'depth.updated');
      expect(after[0]?.payload, 'the reset').to.deep.include({ operation: 'clear', endOfBatch: true, epoch: 1 });
      expect(emittedBook(r).view().bids, 'rebuilt').to.deep.equal(['123300×500', '123200×200']);
      expectCount(r.rec.since(m), 'feed.resubscribed', undefined, 0, 'same subscription and epoch');
    },
  },
  {
    id: 'FEED-14', // docs/conformance-cards.md#feed-14
    variant: 'b',
    title: 'Depth halt: clear, then a resubscription under a new epoch',
    baseline: false,
    applies: depthWith('bookReset'),
    run: async (r) => {
      await startDepth(r);
      await r.source().bookReset!(r.fx.symbol, 'halt');
      await r.settle();
      expectSequence(r.rec.events, [
        step('depth.updated', { operation: 'clear', endOfBatch: true }),
        step('feed.resubscribed', { symbol: r.fx.symbol, stream: 'depth', epoch: 2 }),
      ]);
      expect(r.subject.usage().depth.used, 'usage unchanged').to.equal(1);
    },
  },
  {
    id: 'FEED-15', // docs/conformance-cards.md#feed-15
    title: 'The depth book matches the reference row model',
    baseline: false,
    applies: (env) => depth(env) ?? (env.driverFeatures.has('depthRows') ? null : 'requires driver feature depthRows; not provided'),
    run: async (r) => {
      r.subscribe(r.fx.symbol, 'depth');
      await r.settle();
      const source: DepthRow[] = [];
      // The seeds continue on one book, so the generator tracks each side's length across them.
      const lengths = { bid: 0, ask: 0 };
      let bursts = 0;
      for (let seed = 1; seed <= 20; seed++) {
        const rng = new Sfc32(seed);
        for (let sent = 0; sent < 500; ) {
          // 64 bursts per 4 s of kit time (under T_stale, so the line never looks silent); a row beyond the book in
          // one burst out of 256, i.e. at most 4 a minute, under K_depth (see generatedBurst).
          const burst = generatedBurst(
            rng,
            lengths,
            Math.min(500 - sent, 1 + Math.floor(rng.next() * 8)),
            bursts % 256 === 0,
            r.fx.depthLevels,
          );
          await r.source().depthRows!(r.fx.symbol, burst);
          if (++bursts % 64 === 0) await r.settle(4_000_000);
          source.push(...burst);
          sent += burst.length;
        }
        await r.settle();
        // Every emitted batch end is compared with the source model after the same number of rows.
        const emitted = r.rec.of('depth.updated', { symbol: r.fx.symbol });
        const mine = new RowBookModel(r.fx.depthLevels);
        const ref = new RowBookModel(r.fx.depthLevels);
        let applied = 0;
        for (const [i, e] of emitted.entries()) {
          mine.apply(e.payload);
          if (e.payload.endOfBatch !== true) continue;
          while (applied <= i && applied < source.length) ref.apply(source[applied++]! as unknown as Record<string, unknown>);
          expect(mine.view(), `seed ${seed}: the book after row ${i + 1}`).to.deep.equal(ref.view());
        }
        expect(emitted.length, `seed ${seed}: one delta per source row`).to.equal(source.length);
        expect(
          emitted.filter((e) => (e.payload.size as number) < 0),
          'sizes are never negative',
        ).to.have.length(0);
      }
    },
  },
];
