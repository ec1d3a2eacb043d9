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

  before(() => {
    // Data tests need the real day beside the repository (../shared); without it they fail, never skip.
    if (!fs.existsSync(messageFile)) throw new Error(`LOBSTER sample not found at ${dir}: the data tests read ../shared/data/lobster`);
  });

  /** Imports a pair and checks every orderbook row against the imported book after the same message. */
  async function reconcile(message: string, orderbook: string, levels?: number) {
    const book = new OrderBook('GOOG', { maxLevels: 20, topN: 5 });
    let compared = 0;
    let anomalies = 0;
    const mismatch: string[] = [];
    const check = (index: number, row: LobsterRow): void => {
      compared++;
      for (const [side, prices, sizes] of [
        ['ask', row.askPrice, row.askSize],
        ['bid', row.bidPrice, row.bidSize],
      ] as const) {
        const n = prices.filter((p) => p > 0).length;
        if (book.levels(side) !== n && mismatch.length < 5) mismatch.push(`row ${index} ${side}: ${book.levels(side)} levels vs ${n}`);
        for (let k = 0; k < n; k++) {
          if ((book.priceAt(side, k) !== prices[k] || book.sizeAt(side, k) !== sizes[k]) && mismatch.length < 5) {
            mismatch.push(`row ${index} ${side}[${k}]: ${book.priceAt(side, k)}x${book.sizeAt(side, k)} vs ${prices[k]}x${sizes[k]}`);
          }
        }
      }
    };
    const report = await importLobsterStream(
      { messageFile: message, orderbookFile: orderbook, symbol: 'GOOG', date: '2012-06-21', ...(levels ? { levels } : {}) },
      (e) => {
        if (e.kind === 'depth' && book.apply(e) !== 0) anomalies++;
      },
      check,
    );
    return { report, mismatch, compared, anomalies, book };
  }

  it("every orderbook row equals the imported book's top 10 after the same message", async () => {
    const { report, mismatch, compared, anomalies } = await reconcile(messageFile, orderbookFile);
    expect(report.levels).to.equal(10);
    expect(mismatch).to.deep.equal([]);
    expect(compared).to.equal(147_916);
    expect(report.malformed).to.deep.equal([]);
    expect(report.trades).to.be.greaterThan(10_000);
    expect(anomalies).to.equal(0);
  });

  it('a 5-level file (the same day, columns cut) imports with 5 levels and reconciles row by row', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-lobster5-'));
    try {
      const five = path.join(tmp, 'GOOG_2012-06-21_34200000_57600000_orderbook_5.csv');
      const rows = fs
        .readFileSync(orderbookFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split(',').slice(0, 20).join(','));
      fs.writeFileSync(five, `${rows.join('\n')}\n`);
      const { report, mismatch, compared, anomalies, book } = await reconcile(messageFile, five);
      expect(report.levels).to.equal(5);
      expect(mismatch).to.deep.equal([]);
      expect(compared).to.equal(147_916);
      expect(report.rejected).to.equal(0);
      expect(anomalies).to.equal(0);
      expect(book.levels('bid')).to.be.at.most(5);
      let error: unknown;
      await importLobsterStream({ messageFile, orderbookFile: five, symbol: 'GOOG', date: '2012-06-21', levels: 10 }, () => {}).catch(
        (e: unknown) => {
          error = e;
        },
      );
      expect(String(error)).to.match(/has 5 level\(s\) per side, not the 10 asked for/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('counts each anomaly by kind: time going back, negative sizes, crossed books, extra orderbook rows', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-lobster-anom-'));
    try {
      const lines = fs.readFileSync(messageFile, 'utf8').split('\n').slice(0, 3000);
      const books = fs.readFileSync(orderbookFile, 'utf8').split('\n').slice(0, 3005);
      const f = lines[200]!.split(',');
      lines[200] = ['34200.000000001', ...f.slice(1)].join(','); // before every earlier line
      const b = books[300]!.split(',');
      b[1] = '-5';
      books[300] = b.join(',');
      const c = books[400]!.split(',');
      c[2] = String(Number(c[0]) + 100); // best bid above best ask
      books[400] = c.join(',');
      fs.writeFileSync(path.join(tmp, 'm.csv'), lines.join('\n'));
      fs.writeFileSync(path.join(tmp, 'o.csv'), books.join('\n'));
      const report = await importLobster({
        messageFile: path.join(tmp, 'm.csv'),
        orderbookFile: path.join(tmp, 'o.csv'),
        out: path.join(tmp, 'x.hrec'),
        symbol: 'GOOG',
        date: '2012-06-21',
      });
      expect(report.anomalies).to.deep.equal({ 'time-backwards': 1, 'negative-size': 1, 'crossed-book': 1, 'extra-orderbook-rows': 5 });
      expect(report.malformed.map((m) => m.line).slice(0, 2)).to.deep.equal([201, 301]);
      // The recording it wrote has time moving forward only: the reader finds nothing wrong.
      const reader = RecordingReader.open(path.join(tmp, 'x.hrec'));
      expect((await reader.forEach({ event: () => {} })).corrupt).to.deep.equal([]);
      reader.close();
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a file whose rows are all rejected fails loudly and leaves no recording', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-lobster-bad-'));
    try {
      const books = fs
        .readFileSync(orderbookFile, 'utf8')
        .split('\n')
        .slice(0, 500)
        .map((l) => l.replace(/^(\d+),(\d+)/, '$1,-$2'));
      fs.writeFileSync(path.join(tmp, 'm.csv'), fs.readFileSync(messageFile, 'utf8').split('\n').slice(0, 500).join('\n'));
      fs.writeFileSync(path.join(tmp, 'o.csv'), books.join('\n'));
      const out = path.join(tmp, 'bad.hrec');
      let error: unknown;
      await importLobster({
        messageFile: path.join(tmp, 'm.csv'),
        orderbookFile: path.join(tmp, 'o.csv'),
        out,
        symbol: 'GOOG',
        date: '2012-06-21',
      }).catch((e: unknown) => {
        error = e;
      });
      expect(String(error)).to.match(/500 of 500 line\(s\) rejected .*negative-size 500/);
      expect(fs.existsSync(out)).to.equal(false);
      expect(fs.readdirSync(tmp).filter((n) => n.includes('.tmp'))).to.deep.equal([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
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
      const report = await importLobster({
        messageFile: path.join(tmp, 'm.csv'),
        orderbookFile: path.join(tmp, 'o.csv'),
        out,
        symbol: 'GOOG',
        date: '2012-06-21',
      });
      expect(report.malformed.map((m) => m.line)).to.deep.equal([101, 501]);
      expect(report.anomalies).to.deep.equal({ 'bad-message-line': 1, 'bad-orderbook-row': 1 });
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
