import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OrderBook } from '../../core/domain/order-book.js';
import { importLobster, importLobsterStream, type LobsterRow } from '../../adapters/replay/lobster/lobster-importer.js';
import { RecordingReader } from '../../adapters/replay/recording/recording-reader.js';

// The real NASDAQ day: LOBSTER sample, GOOG 2012-06-21, 10 levels — courtesy of https://lobsterdata.com.
const dir = path.resolve(import.meta.dirname, '../../../shared/data/lobster/GOOG_2012-06-21_L10');
const messageFile = path.join(dir, 'GOOG_2012-06-21_34200000_57600000_message_10.csv');
const orderbookFile = path.join(dir, 'GOOG_2012-06-21_34200000_57600000_orderbook_10.csv');

describe('LOBSTER import on the real GOOG day (data)', function () {
  this.timeout(180_000);

  before(function () {
    if (!fs.existsSync(messageFile)) {
      console.warn(`  (skipped: LOBSTER sample not found at ${dir})`);
      this.skip();
    }
  });

  it('every orderbook row equals the imported book\'s top 10 after the same message', async () => {
    const book = new OrderBook('GOOG', { maxLevels: 20, topN: 5 });
    let compared = 0;
    let anomalies = 0;
    const mismatch: string[] = [];
    const check = (index: number, row: LobsterRow): void => {
      compared++;
      for (const [side, prices, sizes] of [['ask', row.askPrice, row.askSize], ['bid', row.bidPrice, row.bidSize]] as const) {
        const n = prices.filter((p) => p > 0).length;
        if (book.levels(side) !== n && mismatch.length < 5) mismatch.push(`row ${index} ${side}: ${book.levels(side)} levels vs ${n}`);
        for (let k = 0; k < n; k++) {
          if ((book.priceAt(side, k) !== prices[k] || book.sizeAt(side, k) !== sizes[k]) && mismatch.length < 5) {
            mismatch.push(`row ${index} ${side}[${k}]: ${book.priceAt(side, k)}x${book.sizeAt(side, k)} vs ${prices[k]}x${sizes[k]}`);
          }
        }
      }
    };
    const report = await importLobsterStream({ messageFile, orderbookFile, symbol: 'GOOG', date: '2012-06-21' }, (e) => {
      if (e.kind === 'depth' && book.apply(e) !== 0) anomalies++;
    }, check);
    expect(mismatch).to.deep.equal([]);
    expect(compared).to.equal(147_916);
    expect(report.malformed).to.deep.equal([]);
    expect(report.trades).to.be.greaterThan(10_000);
    expect(anomalies).to.equal(0);
  });

  it('writes a recording that replays the same events, and counts malformed lines without failing the day', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-lobster-'));
    try {
      const lines = fs.readFileSync(messageFile, 'utf8').split('\n').slice(0, 2000);
      const books = fs.readFileSync(orderbookFile, 'utf8').split('\n').slice(0, 2000);
      lines[100] = 'garbage,line';
      books[500] = '1,2,3';
      fs.writeFileSync(path.join(tmp, 'm.csv'), lines.join('\n'));
      fs.writeFileSync(path.join(tmp, 'o.csv'), books.join('\n'));
      const out = path.join(tmp, 'goog.hrec');
      const report = await importLobster({ messageFile: path.join(tmp, 'm.csv'), orderbookFile: path.join(tmp, 'o.csv'), out, symbol: 'GOOG', date: '2012-06-21' });
      expect(report.malformed.map((m) => m.line)).to.deep.equal([101, 501]);
      expect(report.messages).to.equal(1998);
      const reader = RecordingReader.open(out);
      const read = await reader.forEach({ event: () => {} });
      reader.close();
      expect(read.events).to.equal(report.events);
      expect(reader.header).to.include({ symbol: 'GOOG', date: '2012-06-21', source: 'lobster' });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
