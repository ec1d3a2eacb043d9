import fs from 'node:fs';
import readline from 'node:readline';
import { DateTime } from 'luxon';
import type { DepthEvent, FeedStatus, MarketEvent, TradeEvent } from '../../../core/domain/market.js';
import { RecordingWriter } from '../recording/recording-writer.js';
import { HarvesterError } from '../../../core/errors/harvester-error.js';

export interface LobsterImportOptions {
  messageFile: string;
  orderbookFile: string;
  out: string;
  symbol: string;
  /** YYYY-MM-DD, the trading date (LOBSTER times are seconds after midnight, New York). */
  date: string;
  timeZone?: string;
  /** Levels the caller expects; the file's own count (its columns ÷ 4) is used and must match when given. */
  levels?: number;
  /** The import fails when more than this share of the lines is rejected (default 0.05); a file with none fails too. */
  maxRejectShare?: number;
  /** false: write stored blocks (format v2, no inflate on replay, ~7× the size); default true (v1). */
  compress?: boolean;
}

/** What can be wrong with a LOBSTER pair, each counted (docs/recordings.md). */
export type LobsterAnomaly =
  | 'bad-message-line'
  | 'bad-orderbook-row'
  | 'negative-size'
  | 'time-backwards'
  | 'crossed-book'
  | 'orderbook-ended-early'
  | 'extra-orderbook-rows';

export interface LobsterImportReport {
  /** Levels per side, read from the orderbook file. */
  levels: number;
  lines: number;
  messages: number;
  events: number;
  trades: number;
  depth: number;
  halts: number;
  /** Lines not imported, with why (the first 1,000 kept). */
  malformed: { line: number; reason: string }[];
  rejected: number;
  /** Every anomaly by kind; crossed books are imported (and counted), the others are rejected lines. */
  anomalies: Partial<Record<LobsterAnomaly, number>>;
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
  if (f.length !== levels * 4) return null;
  const row: LobsterRow = {
    askPrice: new Float64Array(levels),
    askSize: new Float64Array(levels),
    bidPrice: new Float64Array(levels),
    bidSize: new Float64Array(levels),
  };
  for (let k = 0; k < levels; k++) {
    const ap = Number(f[4 * k]);
    const as = Number(f[4 * k + 1]);
    const bp = Number(f[4 * k + 2]);
    const bs = Number(f[4 * k + 3]);
    if (![ap, as, bp, bs].every(Number.isFinite)) return null;
    // LOBSTER's dummy prices mark an empty level.
    row.askPrice[k] = ap === EMPTY_ASK ? 0 : ap;
    row.askSize[k] = ap === EMPTY_ASK ? 0 : as;
    row.bidPrice[k] = bp === EMPTY_BID ? 0 : bp;
    row.bidSize[k] = bp === EMPTY_BID ? 0 : bs;
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
  const levels = await levelsOf(o.orderbookFile);
  if (o.levels !== undefined && o.levels !== levels) {
    throw new HarvesterError(
      'DATA.UNSUPPORTED_FORMAT',
      `${o.orderbookFile}: the orderbook file has ${levels} level(s) per side, not the ${o.levels} asked for (--levels)`,
    );
  }
  const messages = readline.createInterface({ input: fs.createReadStream(o.messageFile), crlfDelay: Infinity });
  const books = readline.createInterface({ input: fs.createReadStream(o.orderbookFile), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const report: LobsterImportReport = {
    levels,
    lines: 0,
    messages: 0,
    events: 0,
    trades: 0,
    depth: 0,
    halts: 0,
    malformed: [],
    rejected: 0,
    anomalies: {},
  };
  const reject = (line: number, kind: LobsterAnomaly, reason: string): void => {
    report.rejected++;
    report.anomalies[kind] = (report.anomalies[kind] ?? 0) + 1;
    if (report.malformed.length < 1_000) report.malformed.push({ line, reason });
  };
  let lastTime = -Infinity;
  let prev: LobsterRow = {
    askPrice: new Float64Array(levels),
    askSize: new Float64Array(levels),
    bidPrice: new Float64Array(levels),
    bidSize: new Float64Array(levels),
  };
  const base = { symbol: o.symbol, seq: 0, epoch: 1, recvTime: 0, exchTime: 0 as number | null };
  const trade: TradeEvent = { ...base, kind: 'trade', price: 0, size: 0, aggressor: 'unknown', aggressorSource: 'venue' };
  const batch: DepthEvent[] = [];
  let line = 0;
  for await (const msg of messages) {
    line++;
    report.lines++;
    const next = await books.next();
    if (next.done) {
      reject(line, 'orderbook-ended-early', 'orderbook file ended early');
      break;
    }
    const f = msg.split(',');
    const row = parseOrderbookRow(next.value, levels);
    const type = Number(f[1]);
    if (row === null) {
      reject(line, 'bad-orderbook-row', 'bad orderbook row');
      continue;
    }
    if (
      f.length < 6 ||
      !Number.isFinite(type) ||
      !/^\d+(\.\d+)?$/.test(f[0] ?? '') ||
      ![f[3], f[4], f[5]].every((x) => Number.isFinite(Number(x)))
    ) {
      reject(line, 'bad-message-line', 'bad message line');
      continue;
    }
    if (hasNegative(row) || Number(f[3]) < 0) {
      reject(line, 'negative-size', 'negative size or price');
      continue;
    }
    const t = midnight + lobsterMicros(f[0]!);
    if (t < lastTime) {
      reject(line, 'time-backwards', `time ${f[0]} is before the previous line's`);
      continue;
    }
    lastTime = t;
    if (row.bidPrice[0]! > 0 && row.askPrice[0]! > 0 && row.bidPrice[0]! >= row.askPrice[0]!)
      report.anomalies['crossed-book'] = (report.anomalies['crossed-book'] ?? 0) + 1;
    report.messages++;
    if (type === 4 || type === 5) {
      trade.price = Number(f[4]);
      trade.size = Number(f[3]);
      trade.aggressor = Number(f[5]) === -1 ? 'buy' : 'sell';
      trade.recvTime = t;
      trade.exchTime = t;
      sink(trade);
      report.trades++;
      report.events++;
    } else if (type === 7) {
      const p = Number(f[4]);
      const status: FeedStatus = p === -1 ? 'halted' : p === 1 ? 'resumed' : 'trading';
      sink({ ...base, kind: 'status', status, reason: `LOBSTER halt message ${p}`, recvTime: t, exchTime: t });
      report.halts++;
      report.events++;
    }
    diffSide('ask', prev.askPrice, prev.askSize, row.askPrice, row.askSize, batch, base, t);
    diffSide('bid', prev.bidPrice, prev.bidSize, row.bidPrice, row.bidSize, batch, base, t);
    for (let i = 0; i < batch.length; i++) {
      batch[i]!.endOfBatch = i === batch.length - 1;
      sink(batch[i]!);
    }
    report.depth += batch.length;
    report.events += batch.length;
    batch.length = 0;
    onMessage?.(line, row);
    prev = row;
  }
  let extra = 0;
  for (let n = await books.next(); !n.done; n = await books.next()) if (n.value.trim() !== '') extra++;
  if (extra > 0) {
    report.anomalies['extra-orderbook-rows'] = extra;
    report.rejected += extra;
    report.malformed.push({ line: line + 1, reason: `${extra} orderbook row(s) beyond the last message line` });
  }
  const share = report.lines === 0 ? 1 : report.rejected / Math.max(report.lines, 1);
  if (report.messages === 0 || share > (o.maxRejectShare ?? 0.05)) {
    throw new HarvesterError(
      'DATA.MALFORMED_LINE',
      `${o.messageFile}: ${report.rejected} of ${report.lines} line(s) rejected ` +
        `(${(100 * share).toFixed(1)} %, more than the ${(100 * (o.maxRejectShare ?? 0.05)).toFixed(1)} ` +
        `% allowed): ${describeAnomalies(report.anomalies)}; first: ` +
        `${report.malformed
          .slice(0, 3)
          .map((m) => `line ${m.line} ${m.reason}`)
          .join('; ')}`,
      { details: { report } },
    );
  }
  return report;
}

export function describeAnomalies(a: Partial<Record<LobsterAnomaly, number>>): string {
  const parts = Object.entries(a)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${k} ${n}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** Levels per side of a LOBSTER orderbook file: its first row's column count ÷ 4 (LOBSTER ships 1, 5, 10, 20, 30, 50). */
async function levelsOf(file: string): Promise<number> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  try {
    for await (const first of rl) {
      const columns = first.split(',').length;
      if (columns < 4 || columns % 4 !== 0)
        throw new HarvesterError(
          'DATA.UNSUPPORTED_FORMAT',
          `${file}: the first orderbook row has ${columns} column(s); LOBSTER rows hold 4 per level`,
        );
      return columns / 4;
    }
  } finally {
    rl.close();
  }
  throw new HarvesterError('DATA.UNSUPPORTED_FORMAT', `${file}: the orderbook file is empty`);
}

function hasNegative(row: LobsterRow): boolean {
  for (let k = 0; k < row.askPrice.length; k++) {
    if (row.askSize[k]! < 0 || row.bidSize[k]! < 0 || row.askPrice[k]! < 0 || row.bidPrice[k]! < 0) return true;
  }
  return false;
}

function diffSide(
  side: 'bid' | 'ask',
  pp: Float64Array,
  ps: Float64Array,
  np: Float64Array,
  ns: Float64Array,
  out: DepthEvent[],
  base: { symbol: string },
  t: number,
): void {
  const push = (operation: DepthEvent['operation'], price: number, size: number) =>
    out.push({
      kind: 'depth',
      symbol: base.symbol,
      side,
      position: -1,
      operation,
      price,
      size,
      marketMaker: '',
      endOfBatch: false,
      seq: 0,
      epoch: 1,
      recvTime: t,
      exchTime: t,
    });
  for (let i = 0; i < pp.length; i++) if (pp[i]! > 0 && np.indexOf(pp[i]!) < 0) push('delete', pp[i]!, 0);
  for (let i = 0; i < np.length; i++) {
    if (np[i]! <= 0) continue;
    const j = pp.indexOf(np[i]!);
    if (j < 0) push('insert', np[i]!, ns[i]!);
    else if (ps[j] !== ns[i]) push('update', np[i]!, ns[i]!);
  }
}

/** Import into a recording file, written under a temporary name and renamed: a failed import leaves no file. */
export async function importLobster(o: LobsterImportOptions): Promise<LobsterImportReport> {
  const tmp = `${o.out}.${process.pid}.tmp`;
  const writer = RecordingWriter.open(
    tmp,
    {
      symbol: o.symbol,
      date: o.date,
      tick: 100,
      timeZone: o.timeZone ?? 'America/New_York',
      source: 'lobster',
      createdBy: 'harvester import lobster',
      meta: { messageFile: o.messageFile, orderbookFile: o.orderbookFile, citation: 'LOBSTER, https://lobsterdata.com' },
    },
    { compress: o.compress ?? true },
  );
  let closed = false;
  try {
    const report = await importLobsterStream(o, (e) => writer.write(e));
    writer.close();
    closed = true;
    fs.renameSync(tmp, o.out);
    return report;
  } catch (error) {
    if (!closed) writer.close();
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
