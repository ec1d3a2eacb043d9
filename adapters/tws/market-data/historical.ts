import { EventName, type BarSizeSetting, type WhatToShow } from '@stoqey/ib';
import { DateTime } from 'luxon';
import type { HarvesterError } from '../../../core/errors/harvester-error.js';
import type { Micros } from '../../../core/domain/units.js';
import type { Clock } from '../../../ports/clock.js';
import {
  HISTORICAL_BAR_SECONDS,
  type HistoricalBar,
  type HistoricalBars,
  type HistoricalBarsRequest,
  type HistoricalBarsResult,
  type HistoricalWhat,
} from '../../../ports/market-data-feed.js';
import { MALFORMED, positivePrice } from '../mapping/market-data.js';
import type { TwsConnection } from '../connection/connection.js';
import type { TwsContracts } from '../mapping/contracts.js';
import type { TwsOutboundPacer } from '../connection/outbound-pacer.js';

const DAY_S = 86_400;
const S = 1_000_000;

/** IB's `barSizeSetting` for each bar length the port offers. */
const BAR_SIZE: Readonly<Record<number, string>> = {
  1: '1 secs',
  5: '5 secs',
  10: '10 secs',
  15: '15 secs',
  30: '30 secs',
  60: '1 min',
  120: '2 mins',
  180: '3 mins',
  300: '5 mins',
  900: '15 mins',
  1800: '30 mins',
  3600: '1 hour',
  86_400: '1 day',
};
const WHAT: Readonly<Record<HistoricalWhat, string>> = { trades: 'TRADES', midpoint: 'MIDPOINT', bid: 'BID', ask: 'ASK' };

/** IB's historical-data pacing rules (docs/tws-adapter.md, "Historical bars"). */
export interface HistoricalPacingRules {
  /** No identical request within this window (IB: 15 s). */
  identicalMs: number;
  /** At most `sameContractMax` requests for one contract and kind within `sameContractMs` (IB: 6 or more in 2 s is a violation). */
  sameContractMs: number;
  sameContractMax: number;
  /** At most `windowMax` requests in any `windowMs` (IB: 60 in 10 minutes). */
  windowMs: number;
  windowMax: number;
  /** How long every request waits after the venue itself answered with a pacing violation (162). */
  penaltyMs: number;
}

export const IB_HISTORICAL_PACING: HistoricalPacingRules = {
  identicalMs: 15_000,
  sameContractMs: 2_000,
  sameContractMax: 5,
  windowMs: 600_000,
  windowMax: 60,
  penaltyMs: 15_000,
};

interface Sent {
  key: string;
  contract: string;
  at: Micros;
}

/**
 * The pacing ledger on the Clock: `check` answers how long a request must wait (0: it may go now), `record` counts
 * one that went out. IB applies these limits to bars of 30 s or less; Harvester applies them to every bar size,
 * because a violation costs a whole window of history for every strategy on the connection.
 */
export class HistoricalPacing {
  private readonly sent: Sent[] = [];
  private blockedUntil: Micros = 0;

  constructor(
    private readonly clock: Clock,
    private readonly rules: HistoricalPacingRules = IB_HISTORICAL_PACING,
  ) {}

  /** Milliseconds until a request with this identity may be sent, with the rule that holds it; 0 when it may go now. */
  check(key: string, contract: string): { waitMs: number; rule: string } {
    const now = this.clock.now();
    const r = this.rules;
    this.prune(now);
    if (this.blockedUntil > now) return { waitMs: ms(this.blockedUntil - now), rule: 'the venue reported a pacing violation' };
    let identical: Sent | undefined;
    for (let i = this.sent.length - 1; i >= 0 && identical === undefined; i--) {
      const s = this.sent[i]!;
      if (s.key === key && s.at > now - r.identicalMs * 1_000) identical = s;
    }
    if (identical !== undefined)
      return { waitMs: ms(identical.at + r.identicalMs * 1_000 - now), rule: `an identical request within ${r.identicalMs / 1_000} s` };
    const same = this.sent.filter((s) => s.contract === contract && s.at > now - r.sameContractMs * 1_000);
    if (same.length >= r.sameContractMax) {
      return {
        waitMs: ms(same[same.length - r.sameContractMax]!.at + r.sameContractMs * 1_000 - now),
        rule: `${r.sameContractMax + 1} requests for one contract within ${r.sameContractMs / 1_000} s`,
      };
    }
    if (this.sent.length >= r.windowMax) {
      return {
        waitMs: ms(this.sent[this.sent.length - r.windowMax]!.at + r.windowMs * 1_000 - now),
        rule: `more than ${r.windowMax} requests in ${r.windowMs / 60_000} minutes`,
      };
    }
    return { waitMs: 0, rule: '' };
  }

  record(key: string, contract: string): void {
    this.sent.push({ key, contract, at: this.clock.now() });
  }

  /** The venue answered 162 "pacing violation": nothing goes for `penaltyMs`. */
  violated(): number {
    this.blockedUntil = this.clock.now() + this.rules.penaltyMs * 1_000;
    return this.rules.penaltyMs;
  }

  private prune(now: Micros): void {
    const cutoff = now - this.rules.windowMs * 1_000;
    let drop = 0;
    while (drop < this.sent.length && this.sent[drop]!.at <= cutoff) drop++;
    if (drop > 0) this.sent.splice(0, drop);
  }
}

const ms = (us: Micros): number => Math.max(1, Math.ceil(us / 1_000));

export interface TwsHistoricalOptions {
  /** Deadline for the whole result set (ib-adapter-behaviour: 60 s per chunk). */
  timeoutMs?: number;
  pacing?: HistoricalPacingRules;
  /** The connection's outbound pacer: historical requests take the lowest lane. */
  pacer?: TwsOutboundPacer | null;
}

interface Collecting {
  bars: HistoricalBar[];
  dropped: number;
}

/**
 * Historical bars over `reqHistoricalData`. The unmodified @stoqey/ib client decodes the whole result set from one
 * HISTORICAL_DATA frame and marks its end with a `historicalData` event whose date starts with "finished"; that
 * marker completes the registered request. Dates are asked as epoch seconds (formatDate 2); daily bars come as
 * yyyyMMdd and are placed at midnight New York time. Every outcome is a value (ports/market-data-feed.ts).
 */
export class TwsHistoricalBars implements HistoricalBars {
  private readonly collecting = new Map<number, Collecting>();
  private readonly pacing: HistoricalPacing;
  private readonly timeoutMs: number;
  private readonly pacer: TwsOutboundPacer | null;

  constructor(
    private readonly conn: TwsConnection,
    private readonly clock: Clock,
    private readonly contracts: TwsContracts,
    o: TwsHistoricalOptions = {},
  ) {
    this.pacing = new HistoricalPacing(clock, o.pacing ?? IB_HISTORICAL_PACING);
    this.timeoutMs = o.timeoutMs ?? 60_000;
    this.pacer = o.pacer ?? null;
    conn.ib.on(
      EventName.historicalData,
      (
        reqId: number,
        time: string,
        open: number,
        high: number,
        low: number,
        close: number,
        volume: number,
        count: number | undefined,
        wap: number,
      ) => this.onBar(reqId, time, open, high, low, close, volume, count, wap),
    );
  }

  async bars(req: HistoricalBarsRequest): Promise<HistoricalBarsResult> {
    const invalid = validate(req);
    if (invalid !== null) return { ok: false, code: 'FEED.INVALID_REQUEST', reason: invalid, ibCode: null };
    const what = req.what ?? 'trades';
    const rth = req.rthOnly ?? true;
    const end = req.end ?? this.clock.now();
    const endText = DateTime.fromMillis(Math.floor(end / 1_000), { zone: 'UTC' }).toFormat('yyyyMMdd-HH:mm:ss');
    const duration = req.durationSeconds % DAY_S === 0 ? `${req.durationSeconds / DAY_S} D` : `${req.durationSeconds} S`;
    const key = `${req.symbol}|${what}|${req.barSeconds}|${duration}|${endText}|${rth ? 1 : 0}`;
    const contractKey = `${req.symbol}|${what}`;
    const held = this.pacing.check(key, contractKey);
    if (held.waitMs > 0) {
      return {
        ok: false,
        code: 'FEED.PACING',
        reason: `historical ${req.symbol} not sent: ${held.rule} breaks IB's pacing rules`,
        retryAfterMs: held.waitMs,
        ibCode: null,
      };
    }
    if (!this.conn.linkUp) return { ok: false, code: 'FEED.NOT_CONNECTED', reason: `TWS link is ${this.conn.state}`, ibCode: null };
    try {
      await this.contracts.qualify(req.symbol);
    } catch (e) {
      const err = e as HarvesterError;
      if (err.code === 'BROKER.NOT_CONNECTED') return { ok: false, code: 'FEED.NOT_CONNECTED', reason: err.message, ibCode: null };
      return { ok: false, code: 'FEED.UNKNOWN_SYMBOL', reason: err.message, ibCode: 200 };
    }
    // Counted when it is sent, so a refused or unqualified request does not use up the budget.
    this.pacing.record(key, contractKey);
    let reqId = -1;
    try {
      const bars = await this.conn.call<HistoricalBar[] | null>({
        type: 'historical',
        origin: `historical ${req.symbol} ${duration} × ${BAR_SIZE[req.barSeconds]}`,
        deadlineMs: this.timeoutMs,
        send: (id) => {
          reqId = id;
          this.collecting.set(id, { bars: [], dropped: 0 });
          const send = (): number => {
            if (!this.conn.linkUp) return 0; // the registry's deadline or failAll answers
            this.conn.ib.reqHistoricalData(
              id,
              this.contracts.contract(req.symbol),
              endText,
              duration,
              BAR_SIZE[req.barSeconds] as BarSizeSetting,
              WHAT[what] as WhatToShow,
              rth ? 1 : 0,
              2,
              false,
            );
            return 1;
          };
          if (this.pacer === null) send();
          else this.pacer.enqueue({ lane: 'entry', key: `historical ${req.symbol}`, send, drop: () => undefined });
        },
      });
      return { ok: true, symbol: req.symbol, barSeconds: req.barSeconds, bars: (bars ?? []).filter((b) => b.time <= end) };
    } catch (e) {
      return this.failure(e as HarvesterError, reqId, req.symbol);
    } finally {
      this.collecting.delete(reqId);
    }
  }

  private failure(err: HarvesterError, reqId: number, symbol: string): HistoricalBarsResult {
    const ibCode = typeof err.details?.ibCode === 'number' ? err.details.ibCode : null;
    if (err.code === 'BROKER.REQUEST_TIMEOUT') {
      // The answer is unknown, not empty: cancel it so a late result set does not arrive for nobody.
      if (reqId >= 0 && this.conn.linkUp) this.conn.ib.cancelHistoricalData(reqId);
      return { ok: false, code: 'FEED.REQUEST_TIMEOUT', reason: err.message, ibCode: null };
    }
    if (ibCode === 162 && /pacing violation/i.test(err.message)) {
      const wait = this.pacing.violated();
      return { ok: false, code: 'FEED.PACING', reason: `IB 162 for historical ${symbol}: ${err.message}`, retryAfterMs: wait, ibCode };
    }
    if (err.code === 'BROKER.NOT_CONNECTED' || err.code === 'BROKER.DISPOSED')
      return { ok: false, code: 'FEED.NOT_CONNECTED', reason: err.message, ibCode };
    if (ibCode === 200) return { ok: false, code: 'FEED.UNKNOWN_SYMBOL', reason: err.message, ibCode };
    if (err.code === 'FEED.NOT_ENTITLED') return { ok: false, code: 'FEED.NOT_ENTITLED', reason: err.message, ibCode };
    return { ok: false, code: 'FEED.HISTORICAL_FAILED', reason: err.message, ibCode };
  }

  private onBar(
    reqId: number,
    time: string,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    count: number | undefined,
    wap: number,
  ): void {
    const c = this.collecting.get(reqId);
    if (c === undefined) return;
    if (typeof time === 'string' && time.startsWith('finished')) {
      this.conn.registry.complete(reqId, c.bars);
      return;
    }
    const t = barTime(time);
    const [o, h, l, cl] = [positivePrice(open), positivePrice(high), positivePrice(low), positivePrice(close)];
    const prev = c.bars.at(-1);
    if (
      t === null ||
      o === MALFORMED ||
      h === MALFORMED ||
      l === MALFORMED ||
      cl === MALFORMED ||
      l > Math.min(o, cl) ||
      h < Math.max(o, cl) ||
      (prev !== undefined && t <= prev.time)
    ) {
      c.dropped++; // a bar that breaks the port's invariants is not passed on
      return;
    }
    const w = positivePrice(wap);
    c.bars.push({
      time: t,
      open: o,
      high: h,
      low: l,
      close: cl,
      volume: typeof volume === 'number' && Number.isFinite(volume) && volume >= 0 ? Math.round(volume) : null,
      wap: w === MALFORMED ? null : w,
      count: typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : null,
    });
  }
}

/** A bar's date as TWS sends it with formatDate 2: epoch seconds, or yyyyMMdd for daily bars (New York midnight). */
export function barTime(text: unknown): Micros | null {
  if (typeof text !== 'string') return null;
  const s = text.trim();
  if (/^\d{8}$/.test(s)) {
    const d = DateTime.fromFormat(s, 'yyyyMMdd', { zone: 'America/New_York' });
    return d.isValid ? d.toMillis() * 1_000 : null;
  }
  if (/^\d{9,11}$/.test(s)) return Number(s) * S;
  return null;
}

function validate(req: HistoricalBarsRequest): string | null {
  if (typeof req.symbol !== 'string' || req.symbol === '') return 'symbol is empty';
  if (!(HISTORICAL_BAR_SECONDS as readonly number[]).includes(req.barSeconds))
    return `barSeconds ${req.barSeconds} is not one of ${HISTORICAL_BAR_SECONDS.join(', ')}`;
  const d = req.durationSeconds;
  if (!Number.isSafeInteger(d) || d <= 0) return `durationSeconds ${d} must be a positive whole number`;
  if (d % DAY_S !== 0 && d > DAY_S) return `durationSeconds ${d}: a span longer than a day must be whole days (86400 × n)`;
  if (d < req.barSeconds) return `durationSeconds ${d} is shorter than one bar (${req.barSeconds} s)`;
  if (req.what !== undefined && !(req.what in WHAT)) return `what '${String(req.what)}' is not one of ${Object.keys(WHAT).join(', ')}`;
  if (req.end !== undefined && (!Number.isSafeInteger(req.end) || req.end <= 0)) return `end ${req.end} is not a Clock time`;
  return null;
}
