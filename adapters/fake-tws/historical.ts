import { DateTime } from 'luxon';
import { Sfc32 } from '../../core/domain/random.js';
import type { Micros } from '../../core/domain/units.js';
import type { Field } from './wire.js';

/** A decoded REQ_HISTORICAL_DATA (sv ≥ 124: no version field; the contract block starts at t[2]). */
export interface HistoricalQuery {
  reqId: number;
  symbol: string;
  conId: number;
  /** endDateTime as sent: '' (now), 'yyyyMMdd-HH:mm:ss' (UTC) or 'yyyyMMdd HH:mm:ss[ zone]'. */
  end: string;
  barSize: string;
  duration: string;
  rth: boolean;
  what: string;
  formatDate: number;
}

const BAR_SECONDS: Readonly<Record<string, number>> = {
  '1 secs': 1,
  '5 secs': 5,
  '10 secs': 10,
  '15 secs': 15,
  '30 secs': 30,
  '1 min': 60,
  '2 mins': 120,
  '3 mins': 180,
  '5 mins': 300,
  '15 mins': 900,
  '30 mins': 1800,
  '1 hour': 3600,
  '1 day': 86_400,
};
const WHAT = new Set(['TRADES', 'MIDPOINT', 'BID', 'ASK']);
const NY = 'America/New_York';
const S = 1_000_000;

export function decodeHistorical(t: readonly string[]): HistoricalQuery {
  if (t.length < 21) throw new RangeError(`request 20 has ${t.length} tokens, needs 21`);
  return {
    reqId: parseInt(t[1] ?? '', 10) || 0,
    conId: parseInt(t[2] ?? '', 10) || 0,
    symbol: t[3] ?? '',
    end: t[15] ?? '',
    barSize: t[16] ?? '',
    duration: t[17] ?? '',
    rth: t[18] === '1',
    what: t[19] ?? '',
    formatDate: parseInt(t[20] ?? '', 10) || 1,
  };
}

/** TWS's pacing rules for historical data (docs/tws-adapter.md), counted across every connection of this TWS. */
export class HistoricalPacingLedger {
  private readonly log: Array<{ key: string; contract: string; at: Micros }> = [];

  /** Records the request and answers whether it broke a rule (then TWS answers 162 "pacing violation"). */
  violates(q: HistoricalQuery, now: Micros): boolean {
    const key = `${q.symbol}|${q.end}|${q.barSize}|${q.duration}|${q.rth}|${q.what}`;
    const contract = `${q.symbol}|${q.what}`;
    while (this.log.length > 0 && this.log[0]!.at <= now - 600 * S) this.log.shift();
    const identical = this.log.some((e) => e.key === key && e.at > now - 15 * S);
    const sameContract = this.log.filter((e) => e.contract === contract && e.at > now - 2 * S).length;
    const broke = identical || sameContract >= 5 || this.log.length >= 60;
    this.log.push({ key, contract, at: now });
    return broke;
  }
}

export type HistoricalAnswer = { ok: true; fields: Field[] } | { ok: false; code: number; text: string };

/**
 * Bars from the fake's synthetic market, as a pure function of the query, the server seed and the anchor price (the
 * market's last mid, or $100 before any quote): the same request against the same market answers the same bars.
 * Each bar's path is drawn from a generator seeded by (seed, symbol, bar start), so overlapping requests agree on the
 * bars they share. Sessions are weekdays, 09:30–16:00 New York (04:00–20:00 outside RTH); "n D" is the last n sessions.
 */
export function historicalBars(q: HistoricalQuery, now: Micros, seed: number, anchor: number): HistoricalAnswer {
  const bar = BAR_SECONDS[q.barSize];
  if (bar === undefined)
    return {
      ok: false,
      code: 321,
      text: `Error validating request:-'bX' : cause - Historical data bar size setting is invalid: ${q.barSize}`,
    };
  if (!WHAT.has(q.what)) return { ok: false, code: 321, text: `Error validating request:-'bX' : cause - Invalid what to show: ${q.what}` };
  const end = parseEnd(q.end, now);
  if (end === null) return { ok: false, code: 321, text: `Error validating request:-'bX' : cause - Invalid end date/time: ${q.end}` };
  const m = /^(\d+) ([SD])$/.exec(q.duration);
  if (m === null)
    return { ok: false, code: 321, text: `Error validating request:-'bX' : cause - Historical data duration is invalid: ${q.duration}` };
  const n = Number(m[1]);
  const starts = barStarts(end, m[2] === 'D' ? { days: n } : { seconds: n }, bar, q.rth);
  if (starts.length === 0)
    return { ok: false, code: 162, text: 'Historical Market Data Service error message:HMDS query returned no data' };
  const tick = 0.01;
  const mix = symbolHash(q.symbol) ^ seed;
  // Walk back from the anchor: the last bar closes at it, each earlier bar's close is the next one's open.
  const moves = starts.map((t) => new Sfc32((mix ^ Math.floor(t / S / bar)) >>> 0).int(-3, 4));
  const closes: number[] = new Array(starts.length);
  let level = Math.max(1, Math.round(anchor / tick));
  for (let i = starts.length - 1; i >= 0; i--) {
    closes[i] = level;
    level = Math.max(1, level - moves[i]!);
  }
  const fields: Field[] = [17, q.reqId, stamp(starts[0]!), stamp(end), starts.length];
  const trades = q.what === 'TRADES';
  for (let i = 0; i < starts.length; i++) {
    const t = starts[i]!;
    const rng = new Sfc32((mix ^ Math.floor(t / S / bar) ^ 0x5bd1) >>> 0);
    const close = closes[i]!;
    const open = i === 0 ? Math.max(1, close - moves[0]!) : closes[i - 1]!;
    const high = Math.max(open, close) + rng.int(0, 3);
    const low = Math.max(1, Math.min(open, close) - rng.int(0, 3));
    const date =
      bar === 86_400
        ? DateTime.fromMillis(t / 1_000, { zone: NY }).toFormat('yyyyMMdd')
        : q.formatDate === 2
          ? String(t / S)
          : DateTime.fromMillis(t / 1_000, { zone: NY }).toFormat('yyyyMMdd HH:mm:ss') + ' US/Eastern';
    const volume = trades ? 100 * rng.int(1, 50) : -1;
    const count = trades ? rng.int(1, 40) : -1;
    const wap = trades ? cents(Math.round((high + low + close) / 3)) : '-1';
    fields.push(date, cents(open), cents(high), cents(low), cents(close), volume, wap, count);
  }
  return { ok: true, fields };
}

const cents = (n: number): string => (n / 100).toFixed(2);
const stamp = (t: Micros): string => DateTime.fromMillis(t / 1_000, { zone: NY }).toFormat('yyyyMMdd HH:mm:ss') + ' US/Eastern';

function symbolHash(symbol: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function parseEnd(text: string, now: Micros): Micros | null {
  const s = text.trim();
  if (s === '') return now;
  const utc = DateTime.fromFormat(s, 'yyyyMMdd-HH:mm:ss', { zone: 'UTC' });
  if (utc.isValid) return utc.toMillis() * 1_000;
  const [date, time, zone] = s.split(/\s+/);
  const local = DateTime.fromFormat(`${date} ${time}`, 'yyyyMMdd HH:mm:ss', {
    zone: zone === 'US/Eastern' || zone === undefined ? NY : zone,
  });
  return local.isValid ? local.toMillis() * 1_000 : null;
}

/** Bar start times (epoch µs, ascending) that end-of-span `end` and the duration cover, inside sessions. */
function barStarts(end: Micros, span: { days: number } | { seconds: number }, bar: number, rth: boolean): Micros[] {
  const endLocal = DateTime.fromMillis(end / 1_000, { zone: NY });
  const sessions: Array<[Micros, Micros]> = [];
  // Sessions of the last days, newest first, from the end's own day backwards.
  for (let d = 0, found = 0; d < 400 && ('days' in span ? found < span.days : d < 3); d++) {
    const day = endLocal.startOf('day').minus({ days: d });
    if (day.weekday > 5) continue;
    const open = day.set(rth ? { hour: 9, minute: 30 } : { hour: 4, minute: 0 }).toMillis() * 1_000;
    const close = day.set(rth ? { hour: 16, minute: 0 } : { hour: 20, minute: 0 }).toMillis() * 1_000;
    if (open >= end) continue;
    sessions.push([open, Math.min(close, end)]);
    found++;
  }
  const from = 'days' in span ? -Infinity : end - span.seconds * S;
  const out: Micros[] = [];
  for (const [open, close] of sessions.reverse()) {
    if (bar === 86_400) {
      if (open >= from)
        out.push(
          DateTime.fromMillis(open / 1_000, { zone: NY })
            .startOf('day')
            .toMillis() * 1_000,
        );
      continue;
    }
    for (let t = open; t + bar * S <= close || (t < close && close === end); t += bar * S) if (t >= from) out.push(t);
  }
  return out;
}
