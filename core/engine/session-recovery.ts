import { DateTime } from 'luxon';
import type { BrokerEvents, IBrokerAdapter } from '../../ports/broker-adapter.js';
import type { Clock } from '../../ports/clock.js';
import type { Journal } from '../../ports/journal.js';
import type { RiskReason, TradingState } from '../../ports/risk-policy.js';
import type { StrategyLog } from '../../ports/strategy.js';
import type { EventBus } from '../events/event-bus.js';
import type { RiskGate } from '../risk/risk-gate.js';
import { CHECKPOINT_SCHEMA_VERSION, counterOf, sealCheckpoint, type CheckpointBody, type CheckpointOrder } from './checkpoint-codec.js';
import type { EventLoop } from './event-loop.js';
import type { JournalWriter } from './journal-writer.js';
import type { Ledger } from './ledger.js';
import type { RecoveryHooks } from './order-manager-deps.js';
import type { OrderManager } from './order-manager.js';
import type { OrderRole, TrackedOrder } from './order-registry.js';
import {
  fillKey,
  IDENTITY_ROW,
  nextKillSwitch,
  ORDER_TRACKED_ROW,
  restoreRuntime,
  type KillSwitchCarry,
  type Liveness,
} from './runtime-restore.js';
import type { MemoryHolder } from './strategy-host.js';
import type { TradeTracker } from './trade-tracker.js';

export interface RecoveryPlan {
  /** What an adopted (inherited) position gets: kept with its protective legs, else closed; or always closed. */
  adoptedPositions: 'protect' | 'flatten';
  accountKey: string;
  liveness: Liveness;
}

export interface SessionRecoveryDeps {
  sessionId: string;
  mode: string;
  timeZone: string;
  startEquity: number;
  plan: RecoveryPlan;
  journal: Journal;
  writer: JournalWriter;
  clock: Clock;
  loop: EventLoop;
  bus: EventBus;
  ledger: Ledger;
  tracker: TradeTracker;
  orders: () => OrderManager;
  gate: () => RiskGate;
  broker: IBrokerAdapter;
  memory: MemoryHolder;
  /** The strategy that trades a symbol (an adopted position belongs to it), if any. */
  ownerOf(symbol: string): string | undefined;
  log: StrategyLog;
}

/** Written once restore and the broker's reconciliation have both completed (trading may start after it). */
export const READY_ROW = 'session.ready';

const ROLE_BY_SUFFIX: Record<string, OrderRole> = { p: 'entry', sl: 'stop-loss', tp: 'take-profit' };

/**
 * Restart recovery for venue sessions (paper, live, sim-live; replays never carry state): the identity row, restore
 * from the newest valid checkpoint plus the journal after it, adoption of the broker's orders and positions, and a
 * checkpoint row after every change of state that matters (coalesced to one per kernel input).
 *
 * Trading stays blocked until both restore and broker reconciliation have completed: the engine starts no strategy
 * before `restore()` and `reconciled()` returned.
 */
export class SessionRecovery implements RecoveryHooks {
  killSwitch: KillSwitchCarry = { state: 'RUNNING', reason: null, since: null };
  private working = new Map<string, CheckpointOrder>();
  private readonly execIds = new Set<string>();
  private readonly commissionIds = new Set<string>();
  private readonly adoptedCoids = new Set<string>();
  private seq = 0;
  private active = false;
  private dirty = false;
  private tradingDay = '';

  constructor(private readonly d: SessionRecoveryDeps) {}

  /** Before connecting: restore the day's state, say what was found (journal + log), write the first checkpoint. */
  async restore(): Promise<void> {
    const { d } = this;
    this.tradingDay = DateTime.fromMillis(Math.floor(d.clock.now() / 1000), { zone: d.timeZone }).toISODate() ?? '';
    d.writer.write('event', IDENTITY_ROW, { tradingDay: this.tradingDay, mode: d.mode, accountKey: d.plan.accountKey });
    const r = await restoreRuntime(
      d.journal,
      { sessionId: d.sessionId, mode: d.mode, tradingDay: this.tradingDay, timeZone: d.timeZone, accountKey: d.plan.accountKey },
      d.startEquity,
      d.plan.liveness,
    );
    for (const c of r.crashed) {
      d.writer.write('event', 'session.crashed', { sessionId: c.sessionId, lastRowAt: c.lastRowAt });
      d.log.warn(
        `session ${c.sessionId} of this trading day, mode and account crashed ` +
          `(still marked running, process gone); last durable row at ` +
          `${c.lastRowAt === null ? 'none' : new Date(c.lastRowAt / 1000).toISOString()}`,
      );
    }
    for (const q of r.quarantined) {
      d.writer.write('event', 'checkpoint.quarantined', { sessionId: q.sessionId, seq: q.seq, reason: q.reason });
      d.log.warn(`checkpoint ${q.sessionId}#${q.seq ?? '?'} quarantined (kept, not loaded): ${q.reason}`);
    }
    d.ledger.restore(r.ledger.snapshot());
    d.tracker.restore(r.tracker.snapshot());
    d.orders().restoreCounters(r.counters);
    this.working = r.workingOrders;
    for (const x of r.execIds) this.execIds.add(x);
    for (const x of r.commissionExecIds) this.commissionIds.add(x);
    this.killSwitch = r.killSwitch;
    d.writer.write('event', 'session.restored', {
      from: r.base,
      sessions: r.sessions,
      replayedRows: r.replayedRows,
      killSwitch: r.killSwitch,
      counters: r.counters,
      realized: r.ledger.realized(),
      commissions: r.ledger.commissions(),
      tradesToday: r.tracker.tradesToday,
      consecutiveLosses: r.tracker.consecutiveLosses,
      openTrades: r.tracker.openTrades().length,
      workingOrders: r.workingOrders.size,
      memoryVersion: r.memoryVersion,
    });
    if (r.sessions.length > 0)
      d.log.info(
        `restored the day's state from ${r.base === null ? 'the journal' : `checkpoint ${r.base.sessionId}#${r.base.seq}`} ` +
          `+ ${r.replayedRows} rows: kill switch ${r.killSwitch.state}`,
      );
    this.active = true;
    if (r.killSwitch.state !== 'RUNNING') {
      const root = r.killSwitch.reason;
      d.gate().escalate(
        r.killSwitch.state,
        {
          code: 'RISK.CARRIED_OVER',
          limit: 'restart',
          observed: 1,
          threshold: 0,
          message:
            `${r.killSwitch.state} from session ${r.killSwitch.since ?? '?'} ` +
            `(${root?.code ?? '?'}${root?.message ? `: ${root.message}` : ''}) still holds after the restart; an operator must clear it`,
        },
        'restart',
      );
    }
    this.checkpoint();
    await d.journal.flush();
  }

  /**
   * After the broker's first reconciliation: positions at the broker that the restored ledger and trades do not cover
   * are adopted (ledger, risk exposure, an open trade so flatten/halt/session end close them); working entries of an
   * earlier run are cancelled (their strategy state is gone); inherited positions are kept with their protective legs
   * or closed per `adoptedPositions`; a carried HALT flattens what it finds.
   */
  reconciled(): void {
    const { d } = this;
    const orders = d.orders();
    const broker = new Map(d.broker.positions().map((p) => [p.symbol, p]));
    const symbols = new Set<string>([
      ...broker.keys(),
      ...d.ledger.positions().map((p) => p.symbol),
      ...d.tracker.openTrades().map((t) => t.symbol),
    ]);
    for (const symbol of [...symbols].sort()) {
      const b = broker.get(symbol);
      const bq = b?.quantity ?? 0;
      const lq = d.ledger.quantity(symbol);
      const trades = d.tracker.openTrades().filter((t) => t.symbol === symbol);
      const tq = trades.reduce((n, t) => n + (t.side === 'long' ? t.quantity : -t.quantity), 0);
      if (bq === lq && bq === tq) continue;
      const price = b !== undefined && b.averagePrice > 0 ? b.averagePrice : (d.ledger.position(symbol)?.averagePrice ?? 0);
      const ledgerDelta = bq - lq;
      if (ledgerDelta !== 0) d.ledger.applyFill(symbol, ledgerDelta > 0 ? 'buy' : 'sell', Math.abs(ledgerDelta), price, 0);
      const strategyId = trades[0]?.strategyId ?? d.ownerOf(symbol) ?? 'adopted';
      for (const t of trades) d.tracker.forget(t.strategyId, symbol);
      const tradeId = trades[0]?.tradeId ?? orders.nextTradeId(strategyId);
      if (bq !== 0) d.tracker.adopt(strategyId, symbol, tradeId, bq, price, d.clock.now());
      d.writer.write(
        'risk',
        'position.adopted',
        { symbol, quantity: bq, averagePrice: price, ledgerDelta, strategyId, tradeId, previous: { ledger: lq, trades: tq } },
        { symbol, strategyId, tradeId },
      );
      d.log.warn(`position ${symbol} ${bq} adopted from the broker (ledger had ${lq}, trades ${tq})`);
    }
    for (const o of orders.registry.working()) {
      if (this.adoptedCoids.has(o.coid) && o.role === 'entry') orders.cancel(o.strategyId, o.coid);
    }
    if (d.gate().state === 'HALT') orders.flattenAll('kill-switch: HALT carried over a restart');
    else {
      const close = new Set<string>();
      for (const t of d.tracker.openTrades()) {
        const covered = orders.registry
          .working()
          .some((o) => o.symbol === t.symbol && o.strategyId === t.strategyId && (o.role === 'stop-loss' || o.role === 'flatten'));
        if (this.d.plan.adoptedPositions === 'flatten' || !covered) close.add(`${t.strategyId}\u0000${t.symbol}`);
      }
      if (close.size > 0)
        orders.flattenAll(
          `restart: inherited position ` +
            `${this.d.plan.adoptedPositions === 'flatten' ? '(adoptedPositions: flatten)' : 'without a working stop'}`,
          (symbol, strategyId) => close.has(`${strategyId}\u0000${symbol}`),
        );
    }
    // Restore and reconciliation are both done: from here on strategies may run (and trade, if the gate allows).
    d.writer.write('event', READY_ROW, {
      state: d.gate().state,
      openTrades: d.tracker.openTrades().length,
      workingOrders: orders.registry.workingOrderCount,
    });
    this.checkpoint();
  }

  adopted(p: BrokerEvents['order.adopted']): TrackedOrder | undefined {
    if (p.external) return undefined;
    const meta = this.working.get(p.coid);
    const open = this.d.broker.openOrders().find((o) => o.coid === p.coid);
    const m = /^(.+)-([ik])(\d+)(?:\.(p|sl|tp))?$/.exec(p.coid);
    const strategyId = meta?.strategyId ?? m?.[1];
    const symbol = meta?.symbol ?? open?.symbol;
    if (strategyId === undefined || symbol === undefined) return undefined;
    const role: OrderRole = meta?.role ?? (m?.[2] === 'k' ? 'flatten' : (ROLE_BY_SUFFIX[m?.[4] ?? 'p'] ?? 'entry'));
    const tradeId = meta?.tradeId ?? this.d.tracker.current(strategyId, symbol)?.tradeId ?? null;
    const o: TrackedOrder = {
      coid: p.coid,
      intentId: meta?.intentId ?? p.coid.replace(/\.(p|sl|tp)$/, ''),
      strategyId,
      symbol,
      tradeId,
      role,
      reason: 'adopted',
      side: meta?.side ?? open?.side ?? 'buy',
      quantity: meta?.quantity ?? open?.quantity ?? 0,
      filled: meta?.filled ?? open?.filledQuantity ?? 0,
      terminal: false,
      type: open?.type ?? (role === 'stop-loss' ? 'stop' : role === 'take-profit' ? 'limit' : 'market'),
    };
    this.adoptedCoids.add(o.coid);
    // Its number is taken, whatever the journal kept: the next intent of this run must not reuse it.
    this.d.orders().restoreCounters({ intents: counterOf(p.coid, 'i'), trades: counterOf(tradeId, 't'), ordersSent: 0 });
    const row: Omit<CheckpointOrder, 'coid'> = {
      intentId: o.intentId,
      strategyId,
      symbol,
      tradeId,
      role,
      side: o.side,
      quantity: o.quantity,
      filled: o.filled,
    };
    this.d.writer.write('order', ORDER_TRACKED_ROW, { ...row }, { coid: o.coid, symbol, strategyId, tradeId: tradeId ?? undefined });
    this.schedule();
    return o;
  }

  replayedFill(execId: string, coid: string): boolean {
    const k = fillKey(execId, coid);
    if (this.execIds.has(k)) return true;
    this.execIds.add(k);
    return false;
  }

  replayedCommission(execId: string): boolean {
    if (this.commissionIds.has(execId)) return true;
    this.commissionIds.add(execId);
    return false;
  }

  stateChanged(to: TradingState, reason: RiskReason): void {
    this.killSwitch = nextKillSwitch(this.killSwitch, to, reason, this.d.sessionId);
    this.schedule();
    // A kill-switch transition must outlive a crash right after it: start the commit now, not at the next batch.
    this.d.loop.post(() => {
      void this.d.journal.flush().catch(() => {});
    });
  }

  /** Subscribes the checkpoint triggers; returns the disposer. */
  attach(): () => void {
    const { bus } = this.d;
    const offs = (
      [
        'order.filled',
        'commission.reported',
        'trade.closed',
        'intent.sent',
        'order.cancelled',
        'order.rejected',
        'kill-switch.flattened',
      ] as const
    ).map((e) => bus.on(e, () => this.schedule(), 'checkpoint'));
    return () => {
      for (const off of offs) off();
    };
  }

  /** One checkpoint per kernel input, however many state changes it caused. */
  schedule(): void {
    if (!this.active || this.dirty) return;
    this.dirty = true;
    this.d.loop.post(() => {
      this.dirty = false;
      this.checkpoint();
    });
  }

  checkpoint(): void {
    if (!this.active) return;
    const { d } = this;
    const orders = d.orders();
    const body: CheckpointBody = {
      schemaVersion: CHECKPOINT_SCHEMA_VERSION,
      tradingDay: this.tradingDay,
      mode: d.mode,
      accountKey: d.plan.accountKey,
      sessionId: d.sessionId,
      seq: ++this.seq,
      killSwitch: { ...this.killSwitch },
      ledger: d.ledger.snapshot(),
      tracker: d.tracker.snapshot(),
      counters: orders.counters,
      workingOrders: orders.registry.working().map((o) => ({
        coid: o.coid,
        intentId: o.intentId,
        strategyId: o.strategyId,
        symbol: o.symbol,
        tradeId: o.tradeId,
        role: o.role,
        side: o.side,
        quantity: o.quantity,
        filled: o.filled,
      })),
      memoryVersion: d.memory.current?.version ?? null,
    };
    d.writer.write('checkpoint', 'checkpoint', { ...sealCheckpoint(body) });
  }

  /** After the last checkpoint of the session (it ended in order): nothing more to save. */
  finish(): void {
    if (this.active) this.checkpoint();
    this.active = false;
  }
}
