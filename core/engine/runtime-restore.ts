import { DateTime } from 'luxon';
import type { Micros } from '../domain/units.js';
import type { Journal, JournalEntry, StoredSession } from '../../ports/journal.js';
import type { RiskReason, TradingState } from '../../ports/risk-policy.js';
import { EXIT_REASON } from './broker-event-handler.js';
import { counterOf, openCheckpoint, type CheckpointBody, type CheckpointOrder } from './checkpoint-codec.js';
import { Ledger } from './ledger.js';
import { TradeTracker } from './trade-tracker.js';

/** How many earlier sessions are read at most: a restart loop must not make startup slow. */
const LOOKBACK = 50;

export interface RestoreIdentity {
  sessionId: string;
  mode: string;
  tradingDay: string;
  timeZone: string;
  accountKey: string;
}

export interface KillSwitchCarry {
  state: TradingState;
  /** The root cause (a carried state keeps the reason that first raised it, not RISK.CARRIED_OVER). */
  reason: RiskReason | null;
  /** Session that raised it. */
  since: string | null;
}

export interface RestoredState {
  /** The checkpoint the state starts from (null: none valid today, rebuilt from the journal alone). */
  base: { sessionId: string; seq: number } | null;
  quarantined: { sessionId: string; seq: number | null; reason: string }[];
  /** Earlier sessions of the day still marked running whose process is gone. */
  crashed: { sessionId: string; lastRowAt: Micros | null }[];
  /** Earlier sessions of the day (same mode and account) read. */
  sessions: string[];
  replayedRows: number;
  killSwitch: KillSwitchCarry;
  ledger: Ledger;
  tracker: TradeTracker;
  counters: { intents: number; trades: number; ordersSent: number };
  /** Orders that were working when the state was saved, by coid (matched when the broker reports them again). */
  workingOrders: Map<string, CheckpointOrder>;
  memoryVersion: number | null;
  /** Executions (exec id + coid, see fillKey) already journaled today: a reconciliation that replays them must not count them twice. */
  execIds: Set<string>;
  commissionExecIds: Set<string>;
}

/** The row a session writes when it starts tracking an order of an earlier run (the order's meta as data). */
export const ORDER_TRACKED_ROW = 'order.tracked';

/** A carried-over escalation restates the state; the root reason and the session that raised it stay. */
export function nextKillSwitch(prev: KillSwitchCarry, to: TradingState, reason: RiskReason, sessionId: string): KillSwitchCarry {
  if (to === 'RUNNING') return { state: 'RUNNING', reason: null, since: null };
  if (reason?.code === 'RISK.CARRIED_OVER' && prev.state !== 'RUNNING') return { ...prev, state: to };
  return { state: to, reason, since: sessionId };
}

/** One execution of one order: TWS exec ids are unique, a simulated venue's restart at 1 in every process. */
export function fillKey(execId: string, coid: string): string {
  return `${execId}\u0000${coid}`;
}

export type Liveness = (sessionId: string) => 'alive' | 'gone' | 'unknown';

/** The identity row every venue session writes first (which day, mode and account its state belongs to). */
export const IDENTITY_ROW = 'session.identity';

/**
 * Rebuilds the day's runtime state for a restart (roadmap HV-008): the earlier sessions of the same trading day, mode
 * and account, oldest first; the newest checkpoint whose checksum and schema version verify (a corrupt one is
 * reported for quarantine and the one before it is used); then every journal row after it, through the same ledger
 * and trade-tracker code that produced them, so daily PnL, trade counts, consecutive losses, cooldowns and the kill
 * switch come back exactly. A carried HALT stays until a `risk.state-changed` to RUNNING (an operator's clear) — so
 * it survives any number of crashes, including one before the restarted session wrote anything.
 */
export async function restoreRuntime(
  journal: Journal,
  id: RestoreIdentity,
  startEquity: number,
  liveness: Liveness,
): Promise<RestoredState> {
  const all = await journal.sessions(LOOKBACK);
  const sameDay = (s: StoredSession): boolean =>
    DateTime.fromMillis(Math.floor(s.startedAt / 1000), { zone: id.timeZone }).toISODate() === id.tradingDay;
  const candidates = all
    .filter((s) => s.sessionId !== id.sessionId && s.mode === id.mode && sameDay(s))
    .sort((a, b) => a.startedAt - b.startedAt || a.wallStartedAt.localeCompare(b.wallStartedAt));
  const loaded: { s: StoredSession; rows: readonly JournalEntry[] }[] = [];
  for (const s of candidates) {
    const rows = await journal.entries(s.sessionId);
    const identity = rows.find((r) => r.type === IDENTITY_ROW);
    // A session of another account is not ours; one with no identity row (it died before its first commit, or
    // predates checkpoints) is taken as ours: carrying a HALT too far is safe, dropping one is not.
    if (identity !== undefined && identity.data.accountKey !== id.accountKey) continue;
    loaded.push({ s, rows });
  }
  const out: RestoredState = {
    base: null,
    quarantined: [],
    crashed: [],
    sessions: loaded.map((l) => l.s.sessionId),
    replayedRows: 0,
    killSwitch: { state: 'RUNNING', reason: null, since: null },
    ledger: new Ledger(startEquity),
    tracker: new TradeTracker(),
    counters: { intents: 0, trades: 0, ordersSent: 0 },
    workingOrders: new Map(),
    memoryVersion: null,
    execIds: new Set(),
    commissionExecIds: new Set(),
  };
  for (const { s, rows } of loaded) {
    if (s.status === 'running' && liveness(s.sessionId) !== 'alive') {
      let last: Micros | null = null;
      for (const r of rows) if (last === null || r.time > last) last = r.time;
      out.crashed.push({ sessionId: s.sessionId, lastRowAt: last });
    }
    for (const r of rows) {
      if (r.kind !== 'fill') continue;
      const execId = r.data.execId as string | undefined;
      if (execId === undefined) continue;
      if (r.type === 'order.filled') {
        out.execIds.add(fillKey(execId, r.coid ?? String(r.data.coid)));
        if (r.data.commission !== null && r.data.commission !== undefined) out.commissionExecIds.add(execId);
      } else if (r.type === 'commission.reported') out.commissionExecIds.add(execId);
    }
  }
  // The newest checkpoint that verifies; newer corrupt ones are quarantined (kept in the journal, never loaded).
  let start: { li: number; ri: number } | null = null;
  search: for (let li = loaded.length - 1; li >= 0; li--) {
    const { s, rows } = loaded[li]!;
    for (let ri = rows.length - 1; ri >= 0; ri--) {
      const r = rows[ri]!;
      if (r.kind !== 'checkpoint' || r.type !== 'checkpoint') continue;
      const v = openCheckpoint(r.data);
      if (!v.ok) {
        out.quarantined.push({ sessionId: s.sessionId, seq: typeof r.data.seq === 'number' ? r.data.seq : null, reason: v.reason });
        continue;
      }
      if (v.body.tradingDay !== id.tradingDay || v.body.mode !== id.mode || v.body.accountKey !== id.accountKey) continue;
      load(out, v.body);
      start = { li, ri };
      break search;
    }
  }
  const replay = new Replayer(out);
  for (let li = start?.li ?? 0; li < loaded.length; li++) {
    const { s, rows } = loaded[li]!;
    for (let ri = li === start?.li ? start.ri + 1 : 0; ri < rows.length; ri++) replay.apply(s.sessionId, rows[ri]!);
  }
  return out;
}

function load(out: RestoredState, b: CheckpointBody): void {
  out.base = { sessionId: b.sessionId, seq: b.seq };
  out.killSwitch = { ...b.killSwitch };
  out.ledger.restore(b.ledger);
  out.tracker.restore(b.tracker);
  out.counters = { ...b.counters };
  for (const o of b.workingOrders) out.workingOrders.set(o.coid, { ...o });
  out.memoryVersion = b.memoryVersion;
}

/** Applies journal rows written after the checkpoint, the way the engine applied the events that wrote them. */
class Replayer {
  private readonly reasons = new Map<string, string>();
  private readonly meta = new Map<string, CheckpointOrder>();
  private readonly seen = new Set<string>();
  private readonly seenCommission = new Set<string>();

  constructor(private readonly out: RestoredState) {
    for (const [coid, o] of out.workingOrders) this.meta.set(coid, o);
  }

  apply(sessionId: string, r: JournalEntry): void {
    const { out } = this;
    const d = r.data as Record<string, unknown>;
    out.replayedRows++;
    switch (r.type) {
      case 'risk.approved': {
        const intent = d.intent as { intentId?: string; reason?: string } | undefined;
        if (intent?.intentId !== undefined) this.reasons.set(intent.intentId, intent.reason ?? '');
        return;
      }
      case 'order.requested': {
        const coid = r.coid ?? String(d.coid);
        const o: CheckpointOrder = {
          coid,
          intentId: String(d.intentId ?? coid),
          strategyId: r.strategyId ?? '',
          symbol: r.symbol ?? String(d.symbol),
          tradeId: r.tradeId ?? null,
          role: d.role as CheckpointOrder['role'],
          side: d.side as CheckpointOrder['side'],
          quantity: Number(d.quantity),
          filled: 0,
        };
        this.meta.set(coid, o);
        out.workingOrders.set(coid, o);
        out.counters.intents = Math.max(out.counters.intents, counterOf(coid, 'i'));
        out.counters.trades = Math.max(out.counters.trades, counterOf(o.tradeId, 't'));
        out.counters.ordersSent++;
        return;
      }
      case 'order.cancelled':
      case 'order.rejected':
        if (r.coid !== undefined) out.workingOrders.delete(r.coid);
        return;
      case 'position.adopted':
        if (typeof d.tradeId === 'string') out.counters.trades = Math.max(out.counters.trades, counterOf(d.tradeId, 't'));
        if (typeof d.strategyId === 'string' && typeof d.symbol === 'string') {
          out.tracker.forget(d.strategyId, d.symbol);
          if (Number(d.quantity) !== 0)
            out.tracker.adopt(d.strategyId, d.symbol, String(d.tradeId), Number(d.quantity), Number(d.averagePrice), r.time);
        }
        if (typeof d.symbol === 'string' && typeof d.ledgerDelta === 'number' && d.ledgerDelta !== 0) {
          out.ledger.applyFill(d.symbol, d.ledgerDelta > 0 ? 'buy' : 'sell', Math.abs(d.ledgerDelta), Number(d.averagePrice), 0);
        }
        return;
      case ORDER_TRACKED_ROW: {
        // An order of an earlier run that the broker reported again and that session tracked from then on.
        if (r.coid === undefined || out.workingOrders.has(r.coid)) return;
        const o = { ...(d as unknown as CheckpointOrder), coid: r.coid };
        this.meta.set(r.coid, o);
        out.workingOrders.set(r.coid, o);
        return;
      }
      case 'order.filled': {
        const execId = String(d.execId);
        const k = fillKey(execId, r.coid ?? String(d.coid));
        if (this.seen.has(k)) return;
        this.seen.add(k);
        const commission = typeof d.commission === 'number' ? d.commission : 0;
        if (typeof d.commission === 'number') this.seenCommission.add(execId);
        const symbol = String(d.symbol);
        const side = d.side as 'buy' | 'sell';
        const qty = Number(d.qty);
        const price = Number(d.price);
        out.ledger.applyFill(symbol, side, qty, price, commission);
        out.ledger.mark(symbol, price);
        const o = r.coid === undefined ? undefined : this.meta.get(r.coid);
        if (o !== undefined && r.strategyId !== undefined) {
          o.filled += qty;
          if (d.status === 'Filled') out.workingOrders.delete(o.coid);
          const tradeId = r.tradeId ?? `${r.strategyId}-x${execId}`;
          const exitReason = EXIT_REASON[o.role] ?? this.reasons.get(o.intentId) ?? '';
          out.tracker.applyFill(r.strategyId, symbol, tradeId, side, qty, price, commission, Number(d.at ?? r.time), exitReason);
        }
        return;
      }
      case 'commission.reported': {
        const execId = String(d.execId);
        if (this.seenCommission.has(execId)) return;
        this.seenCommission.add(execId);
        const amount = Number(d.amount);
        out.ledger.addCommission(amount);
        const o = r.coid === undefined ? undefined : this.meta.get(r.coid);
        if (o !== undefined) out.tracker.addCommission(o.strategyId, o.symbol, amount);
        return;
      }
      case 'risk.state-changed':
        out.killSwitch = nextKillSwitch(out.killSwitch, d.to as TradingState, d.reason as RiskReason, sessionId);
        return;
      default:
    }
  }
}
