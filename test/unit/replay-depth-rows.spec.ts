import { expect } from 'chai';
import type { DepthEvent } from '../../core/domain/market.js';
import { BookCopy, ownBook } from '../../adapters/replay/replay-book-model.js';
import { newSynthRow, type ResyncHost } from '../../adapters/replay/replay-depth-resync.js';
import { ingestDepth, type DepthRowsSub } from '../../adapters/replay/replay-depth-rows.js';
import { BurstWindow } from '../../core/domain/burst-window.js';

type Out = string;

function rig(levels = 5, k = 5) {
  const out: Out[] = [];
  const host: ResyncHost = {
    kCross: 3,
    beyondBook: 0,
    synth: newSynthRow(),
    copy: new BookCopy(),
    emit: (event, payload) => {
      out.push(`${event} ${JSON.stringify(payload)}`);
    },
    deliver: (s, e) => {
      e.seq = ++s.seq;
      e.epoch = s.epoch;
      out.push(`${e.side} ${e.operation} ${e.position} ${e.price}x${e.size}${e.endOfBatch ? ' |' : ''} @${e.epoch}`);
    },
  };
  const sub: DepthRowsSub = {
    handle: { symbol: 'XYZ', stream: 'depth', id: 1 },
    seq: 0,
    epoch: 1,
    suspect: false,
    crossedRun: 0,
    batchOpen: false,
    burst: false,
    book: ownBook('XYZ', levels),
    priceKeyed: false,
    anomalies: new BurstWindow(k, 60_000_000),
  };
  const row = (
    side: 'bid' | 'ask',
    position: number,
    operation: DepthEvent['operation'],
    price: number,
    size: number,
    endOfBatch = true,
    t = 0,
  ): void => {
    ingestDepth(host, sub, {
      kind: 'depth',
      symbol: 'XYZ',
      side,
      position,
      operation,
      price,
      size,
      marketMaker: '',
      endOfBatch,
      seq: 0,
      epoch: 1,
      recvTime: t,
      exchTime: null,
    });
  };
  return { out, host, sub, row };
}

describe('replay depth rows (card FEED-13)', () => {
  it('appends an update or insert beyond the book as an insert at its end, and counts it', () => {
    const { out, host, row } = rig();
    row('bid', 0, 'insert', 300, 5, false);
    row('bid', 1, 'insert', 200, 5);
    row('bid', 6, 'update', 100, 3);
    row('ask', 4, 'insert', 500, 1);
    expect(out.slice(2)).to.deep.equal(['bid insert 2 100x3 | @1', 'ask insert 0 500x1 | @1']);
    expect(host.beyondBook).to.equal(2);
  });

  it('does not deliver a row beyond a full side, and closes its batch by restating the last row', () => {
    const { out, host, row } = rig(2);
    row('bid', 0, 'insert', 300, 5, false);
    row('bid', 1, 'insert', 200, 5);
    row('bid', 9, 'update', 100, 3); // a batch of its own: nothing at all
    row('bid', 0, 'update', 310, 5, false);
    row('bid', 7, 'update', 100, 3); // closes a batch with a delivered row
    expect(out.slice(2)).to.deep.equal(['bid update 0 310x5 @1', 'bid update 1 200x5 | @1']);
    expect(host.beyondBook).to.equal(2);
  });

  it('passes a delete of a missing row through, counted inside the requested rows', () => {
    const { out, host, row } = rig();
    row('ask', 3, 'delete', 0, 0);
    row('ask', 7, 'delete', 0, 0);
    expect(out).to.have.length(2);
    expect(host.beyondBook).to.equal(1);
  });

  it('resyncs after K_depth anomalies within 60 s, once the batch is complete; not when they are spread out', () => {
    const spread = rig();
    for (let i = 0; i < 10; i++) spread.row('bid', 9, 'insert', 100 - i, 1, true, i * 16_000_000);
    expect(spread.out.filter((l) => l.startsWith('feed.'))).to.deep.equal([]);
    const { out, row } = rig(5, 3);
    row('ask', 0, 'insert', 500, 1);
    row('bid', 4, 'update', 300, 1, true, 1);
    row('bid', 4, 'update', 200, 1, true, 2);
    row('bid', 4, 'update', 100, 1, false, 3);
    row('ask', 1, 'insert', 600, 1, true, 3);
    expect(out.slice(4)).to.deep.equal([
      'ask insert 1 600x1 | @1',
      'feed.suspect {"symbol":"XYZ","stream":"depth","reason":"depth-anomaly"}',
      'bid clear 0 0x0 | @1',
      'feed.resubscribed {"symbol":"XYZ","stream":"depth","epoch":2}',
      'bid insert 0 300x1 @2',
      'bid insert 1 200x1 @2',
      'bid insert 2 100x1 @2',
      'ask insert 0 500x1 @2',
      'ask insert 1 600x1 | @2',
      'feed.resumed {"symbol":"XYZ","stream":"depth"}',
    ]);
  });
});
