import fs from 'node:fs';
import readline from 'node:readline';
import { DateTime } from 'luxon';
import type { DepthEvent, FeedStatus, MarketEvent, TradeEvent } from '../../../core/domain/market.js';
import { RecordingWriter } from '../recording/recording-writer.js';

export interface LobsterImportOptions {
  messageFile: string;
  orderbookFile: string;
  out: string;
  symbol: string;
  /** YYYY-MM-DD, the trading date (LOBSTER times are seconds after midnight, New York). */
  date: string;
  timeZone?: string;
}

export interface LobsterImportReport {
  messages: number;
  events: number;
  trades: number;
  depth: number;
  halts: number;
  malformed: { line: number; reason: string }[];
}

/** One orderbook row: 10 levels per side, prices in LOBSTER units (= Price units, ten-thousandths of a dollar). */
export interface LobsterRow {
  askPrice: Float64Array;
  askSize: Float64Array;
  bidPrice: Float64Array;
  bidSize: Float64Array;
}

const EMPTY_ASK = 9_999_999_999;
const EMPTY_BID = -9_999_999_999;

export function parseOrderbookRow(line: string, levels: number): LobsterRow | null {
  const f = line.split(',');
  if (f.length < levels * 4) return null;
  const row: LobsterRow = { askPrice: new Float64Array(levels), askSize: new Float64Array(levels), bidPrice: new Float64Array(levels), bidSize: new Float64Array(levels) };
  for (let k = 0; k < levels; k++) {
    const ap = Number(f[4 * k]); const as = Number(f[4 * k + 1]); const bp = Number(f[4 * k + 2]); const bs = Number(f[4 * k + 3]);
    if (![ap, as, bp, bs].every(Number.isFinite)) return null;
    // LOBSTER's dummy prices mark an empty level.
    row.askPrice[k] = ap === EMPTY_ASK ? 0 : ap; row.askSize[k] = ap === EMPTY_ASK ? 0 : as;
    row.bidPrice[k] = bp === EMPTY_BID ? 0 : bp; row.bidSize[k] = bp === EMPTY_BID ? 0 : bs;
  }
  return row;
}

/** Seconds after midnight with up to 9 decimals → µs after midnight, exactly (no float rounding). */
export function lobsterMicros(text: string): number {
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 1_000_000 + Number((frac + '000000').slice(0, 6));
}

/**
 * LOBSTER message + orderbook files → Harvester events. The orderbook file is the ground truth for levels: the
 * message file alone omits changes beyond the visible levels and leaves stale ones, so after each message the new
 * row is diffed against the previous one into price-keyed depth deltas (deletes first, endOfBatch on the last).
 * Executions (types 4, 5) become prints whose aggressor is the side opposite the resting order (direction −1, a
 * sell limit hit ⇒ a buyer-initiated print); halts (type 7) become feed-status events. A malformed line pair is
 * counted and skipped, never fatal.
 */
export async function importLobsterStream(
  o: Omit<LobsterImportOptions, 'out'>,
  sink: (e: MarketEvent) => void,
  onMessage?: (index: number, row: LobsterRow) => void,
): Promise<LobsterImportReport> {
  const midnight = DateTime.fromISO(`${o.date}T00:00`, { zone: o.timeZone ?? 'America/New_York' }).toMillis() * 1000;
  const messages = readline.createInterface({ input: fs.createReadStream(o.messageFile), crlfDelay: Infinity });
  const books = readline.createInterface({ input: fs.createReadStream(o.orderbookFile), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const report: LobsterImportReport = { messages: 0, events: 0, trades: 0, depth: 0, halts: 0, malformed: [] };
  const levels = 10;
  let prev: LobsterRow = { askPrice: new Float64Array(levels), askSize: new Float64Array(levels), bidPrice: new Float64Array(levels), bidSize: new Float64Array(levels) };
  const base = { symbol: o.symbol, seq: 0, epoch: 1, recvTime: 0, exchTime: 0 as number | null };
  const trade: TradeEvent = { ...base, kind: 'trade', price: 0, size: 0, aggressor: 'unknown', aggressorSource: 'venue' };
  const batch: DepthEvent[] = [];
  let line = 0;
  for await (const msg of messages) {
    line++;
    const next = await books.next();
    if (next.done) { report.malformed.push({ line, reason: 'orderbook file ended early' }); break; }
    const f = msg.split(',');
    const row = parseOrderbookRow(next.value, levels);
    const type = Number(f[1]);
    if (f.length < 6 || row === null || !Number.isFinite(type) || !/^\d+(\.\d+)?$/.test(f[0] ?? '')) {
      report.malformed.push({ line, reason: row === null ? 'bad orderbook row' : 'bad message line' });
      continue;
    }
    const t = midnight + lobsterMicros(f[0]!);
    report.messages++;
    if (type === 4 || type === 5) {
      trade.price = Number(f[4]); trade.size = Number(f[3]);
      trade.aggressor = Number(f[5]) === -1 ? 'buy' : 'sell';
      trade.recvTime = t; trade.exchTime = t;
      sink(trade);
      report.trades++; report.events++;
    } else if (type === 7) {
      const p = Number(f[4]);
      const status: FeedStatus = p === -1 ? 'halted' : p === 1 ? 'resumed' : 'trading';
      sink({ ...base, kind: 'status', status, reason: `LOBSTER halt message ${p}`, recvTime: t, exchTime: t });
      report.halts++; report.events++;
    }
    diffSide('ask', prev.askPrice, prev.askSize, row.askPrice, row.askSize, batch, base, t);
    diffSide('bid', prev.bidPrice, prev.bidSize, row.bidPrice, row.bidSize, batch, base, t);
    for (let i = 0; i < batch.length; i++) {
      batch[i]!.endOfBatch = i === batch.length - 1;
      sink(batch[i]!);
    }
    report.depth += batch.length; report.events += batch.length;
    batch.length = 0;
    onMessage?.(line, row);
    prev = row;
  }
  return report;
}

function diffSide(side: 'bid' | 'ask', pp: Float64Array, ps: Float64Array, np: Float64Array, ns: Float64Array, out: DepthEvent[], base: { symbol: string }, t: number): void {
  const push = (operation: DepthEvent['operation'], price: number, size: number) => out.push({
    kind: 'depth', symbol: base.symbol, side, position: -1, operation, price, size, marketMaker: '', endOfBatch: false, seq: 0, epoch: 1, recvTime: t, exchTime: t,
  });
  for (let i = 0; i < pp.length; i++) if (pp[i]! > 0 && np.indexOf(pp[i]!) < 0) push('delete', pp[i]!, 0);
  for (let i = 0; i < np.length; i++) {
    if (np[i]! <= 0) continue;
    const j = pp.indexOf(np[i]!);
    if (j < 0) push('insert', np[i]!, ns[i]!);
    else if (ps[j] !== ns[i]) push('update', np[i]!, ns[i]!);
  }
}

/** Import into a recording file. */
export async function importLobster(o: LobsterImportOptions): Promise<LobsterImportReport> {
  const writer = RecordingWriter.open(o.out, {
    symbol: o.symbol, date: o.date, tick: 100, timeZone: o.timeZone ?? 'America/New_York', source: 'lobster',
    createdBy: 'harvester import lobster', meta: { messageFile: o.messageFile, orderbookFile: o.orderbookFile, citation: 'LOBSTER, https://lobsterdata.com' },
  });
  try {
    return await importLobsterStream(o, (e) => writer.write(e));
  } finally {
    writer.close();
  }
}
