import { expect } from 'chai';
import fc from 'fast-check';
import type { DepthEvent } from '../../core/domain/market.js';
import { RowBook, trimToWindow, type RowChange } from '../../adapters/fake-tws/depth-rows.js';

function ev(side: 'bid' | 'ask', price: number, size: number, operation: DepthEvent['operation']): DepthEvent {
  return {
    kind: 'depth',
    symbol: 'X',
    seq: 0,
    epoch: 1,
    recvTime: 0,
    exchTime: 0,
    side,
    position: -1,
    operation,
    price,
    size,
    marketMaker: '',
    endOfBatch: true,
  };
}

/** What a client does with IB row operations. */
function applyRows(rows: [number[], number[]], c: RowChange): void {
  const r = rows[c.side];
  if (c.operation === 0) r.splice(c.position, 0, c.price);
  else if (c.operation === 1) r[c.position] = c.price;
  else r.splice(c.position, 1);
}

describe('fake TWS depth rows (price-keyed → IB row operations)', () => {
  it('a client applying the trimmed row operations always holds the top N levels of each side', () => {
    const op = fc.record({
      side: fc.constantFrom<'bid' | 'ask'>('bid', 'ask'),
      price: fc.integer({ min: 1, max: 40 }),
      size: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: 1, max: 6 }), (ops, numRows) => {
        const book = new RowBook();
        const client: [number[], number[]] = [[], []];
        const full = new Map<string, number>();
        for (const o of ops) {
          book.apply(ev(o.side, o.price, o.size, o.size > 0 ? 'update' : 'delete'), (c, len) =>
            trimToWindow(book, c, len, numRows, (t) => applyRows(client, t)),
          );
          if (o.size > 0) full.set(`${o.side}:${o.price}`, o.size);
          else full.delete(`${o.side}:${o.price}`);
          for (const side of ['bid', 'ask'] as const) {
            const prices = [...full.keys()].filter((k) => k.startsWith(side)).map((k) => Number(k.split(':')[1]));
            prices.sort((a, b) => (side === 'bid' ? b - a : a - b));
            expect(client[side === 'bid' ? 1 : 0]).to.deep.equal(prices.slice(0, numRows));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('clear deletes every visible row', () => {
    const book = new RowBook();
    const client: [number[], number[]] = [[], []];
    const sink = (c: RowChange, len: number): void => trimToWindow(book, c, len, 3, (t) => applyRows(client, t));
    for (const p of [10, 11, 12, 13, 14]) book.apply(ev('ask', p, 1, 'insert'), sink);
    for (const p of [9, 8, 7]) book.apply(ev('bid', p, 1, 'insert'), sink);
    expect(client).to.deep.equal([
      [10, 11, 12],
      [9, 8, 7],
    ]);
    book.apply(ev('bid', 0, 0, 'clear'), sink);
    expect(client).to.deep.equal([[], []]);
    expect(book.depth(0) + book.depth(1)).to.equal(0);
  });
});
