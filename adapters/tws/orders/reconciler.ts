import { EventName, type Contract, type Order, type OrderState } from '@stoqey/ib';
import { DateTime } from 'luxon';
import type { Micros } from '../../../core/domain/units.js';
import type { BrokerEvents } from '../../../ports/broker-adapter.js';
import { fromTws } from '../mapping/price.js';
import type { TwsConnection } from '../connection/connection.js';
import type { TwsHoldings } from './holdings.js';
import type { TwsOrderLedger } from './order-ledger.js';
import type { Emit, TwsOrderFlow } from './order-flow.js';

export type ReconcileTrigger = BrokerEvents['reconciliation.started']['trigger'];
export type ReconcileResult = BrokerEvents['reconciliation.completed'];

interface OpenReport {
  orderId: number;
  contract: Contract;
  order: Order;
  status: string;
}
interface PositionReport {
  symbol: string;
  qty: number;
  avgCost: number;
}

interface Snapshot {
  /** null: the query failed or timed out — "unknown", never "empty" (nautilus PR #4230). */
  open: Map<number, OpenReport> | null;
  executionsOk: boolean;
  positions: Map<string, PositionReport> | null;
  failures: string[];
}

export interface ReconcilerOptions {
  /** Per-query deadline (openOrderEnd, execDetailsEnd, positionEnd). */
  deadlineMs: number;
  account: string | null;
  clientId: number;
  /** Executions are requested from here on (the session start). */
  since: () => Micros;
}

const OPEN = new Set(['ApiPending', 'PendingSubmit', 'PreSubmitted', 'Submitted', 'PendingCancel']);

/**
 * One reconciliation pass: open orders, executions since session start and positions, requested together, each
 * with a deadline. Replayed executions flow through the live execution path (dedupe by exec id), so a replay can
 * neither lose nor duplicate a fill. Then: adopt our orders this instance does not know (the id journal, or an `hv:`
 * orderRef), settle orders TWS no longer lists, and compare positions (the broker wins; every difference is reported).
 */
export class TwsReconciler {
  private running: Promise<ReconcileResult> | null = null;

  constructor(
    private readonly conn: TwsConnection,
    private readonly flow: TwsOrderFlow,
    private readonly ledger: TwsOrderLedger,
    private readonly holdings: TwsHoldings,
    private readonly emit: Emit,
    private readonly now: () => Micros,
    private readonly o: ReconcilerOptions,
  ) {
    const ib = conn.ib;
    ib.on(EventName.openOrderEnd, () => {
      conn.registry.completeType('open-orders');
    });
    ib.on(EventName.execDetailsEnd, (reqId: number) => {
      conn.registry.complete(reqId);
    });
    ib.on(EventName.positionEnd, () => {
      if (conn.registry.completeType('positions') && conn.linkUp) ib.cancelPositions();
    });
  }

  /** Runs a pass; a call while one runs joins it. */
  run(trigger: ReconcileTrigger): Promise<ReconcileResult> {
    this.running ??= this.pass(trigger).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(trigger: ReconcileTrigger): Promise<ReconcileResult> {
    this.emit('reconciliation.started', { trigger, at: this.now() });
    this.flow.reconciling = true;
    // Only orders that existed before the queries went out can be judged absent (a manual pass runs while trading).
    const before = new Set(this.ledger.open().map((o) => o.orderId));
    let snap: Snapshot;
    try {
      snap = await this.query();
    } finally {
      this.flow.reconciling = false;
    }
    const result = this.apply(snap, before, trigger);
    this.emit('reconciliation.completed', result);
    return result;
  }

  private async query(): Promise<Snapshot> {
    const { conn } = this;
    if (!conn.linkUp) return { open: null, executionsOk: false, positions: null, failures: ['not connected'] };
    const ib = conn.ib;
    const open = new Map<number, OpenReport>();
    const positions = new Map<string, PositionReport>();
    const onOpen = (orderId: number, contract: Contract, order: Order, state: OrderState): void => {
      const status = String(state?.status ?? '');
      if (OPEN.has(status)) open.set(orderId, { orderId, contract, order, status });
      else open.delete(orderId);
    };
    const onPosition = (account: string, contract: Contract, pos: number, avgCost?: number): void => {
      if (this.o.account !== null && account !== this.o.account) return;
      const symbol = contract.symbol ?? '';
      positions.set(symbol, { symbol, qty: Number(pos ?? 0), avgCost: Number(avgCost ?? 0) });
    };
    ib.on(EventName.openOrder, onOpen);
    ib.on(EventName.position, onPosition);
    const deadlineMs = this.o.deadlineMs;
    const reg = conn.registry;
    const filter = {
      clientId: String(this.o.clientId),
      time: DateTime.fromMillis(Math.floor(this.o.since() / 1000), { zone: 'utc' }).toFormat('yyyyMMdd-HH:mm:ss'),
      ...(this.o.account !== null ? { acctCode: this.o.account } : {}),
    };
    const [a, b, c] = await Promise.allSettled([
      reg.call({ type: 'open-orders', origin: 'reconcile', deadlineMs, send: () => ib.reqOpenOrders() }),
      reg.call({ id: conn.allocateId(), type: 'executions', origin: 'reconcile', deadlineMs, send: (id) => ib.reqExecutions(id, filter) }),
      reg.call({ type: 'positions', origin: 'reconcile', deadlineMs, send: () => ib.reqPositions() }),
    ]);
    ib.off(EventName.openOrder, onOpen);
    ib.off(EventName.position, onPosition);
    const failures = [a, b, c].flatMap((r, i) =>
      r.status === 'rejected' ? [`${['open orders', 'executions', 'positions'][i]}: ${(r.reason as Error).message}`] : [],
    );
    return {
      open: a.status === 'fulfilled' ? open : null,
      executionsOk: b.status === 'fulfilled',
      positions: c.status === 'fulfilled' ? positions : null,
      failures,
    };
  }

  private apply(s: Snapshot, before: ReadonlySet<number>, trigger: ReconcileTrigger): ReconcileResult {
    const discrepancies: string[] = [...s.failures.map((f) => `query failed: ${f}`)];
    const adopted: string[] = [];
    let closed = 0;
    const unresolved: string[] = [];
    if (s.open !== null) {
      for (const r of s.open.values()) {
        this.conn.observeOrderId(r.orderId);
        const known = this.ledger.byId.get(r.orderId);
        if (known !== undefined) {
          // Found working: an order in "unknown" (sent, then the link dropped) is acknowledged by this verdict.
          if (!known.accepted || known.status === 'Unknown') {
            this.flow.reconciling = true;
            this.flow.accept(known, r.status === 'PreSubmitted' && known.req.parentCoid !== undefined, false);
            this.flow.reconciling = false;
          }
        } else if (this.flow.ownCoid(r.order.permId, r.order.orderRef) !== null) {
          // Ours, from this run or an earlier one: the journal gives back its coid (permId first, then orderRef).
          const o = this.flow.adopt(r.orderId, r.contract, r.order, r.status === 'PreSubmitted');
          this.flow.drainParked(o);
          adopted.push(o.req.coid);
        } else
          discrepancies.push(`external order ${r.orderId} ${r.contract.symbol ?? ''} (orderRef '${r.order.orderRef ?? ''}') not adopted`);
      }
    }
    // A periodic pass runs while trading: an execution parked now may still be waiting for its order's report, so it
    // is left to its own T_park verdict, and its symbol's position is compared on a later pass (never counted twice).
    const periodic = trigger === 'periodic';
    if (s.executionsOk && !periodic) adopted.push(...this.adoptFromExecutions(discrepancies));
    if (s.open !== null && s.executionsOk) {
      for (const o of this.ledger.open()) {
        if (s.open.has(o.orderId) || !before.has(o.orderId)) continue;
        if (o.status === 'Unknown' && trigger === 'ack-timeout') {
          // On a live link a silent placement may still be on its way to TWS: absent now is not "never arrived".
          // It stays Unknown until a later pass finds it (BRK-53 a, docs/conformance-cards.md#brk-53); it is never settled on a guess.
          unresolved.push(o.req.coid);
          continue;
        }
        // TWS no longer lists it and the executions are all in: it is not working any more (cancelled, expired,
        // or never arrived). Settle it so nothing waits forever on an order that cannot fill.
        this.flow.cancelled(o, o.cancelRequested ? 'requested' : 'venue');
        discrepancies.push(`${o.req.coid} absent at TWS: settled as cancelled (${o.filled}/${o.req.quantity} filled)`);
        closed++;
      }
    } else for (const o of this.ledger.open()) unresolved.push(o.req.coid);
    if (s.positions !== null) this.comparePositions(s.positions, discrepancies, periodic ? this.ledger.parkedSymbols() : new Set());
    const parts = [s.open !== null, s.executionsOk, s.positions !== null];
    const ok = parts.filter(Boolean).length;
    // The card vocabulary has two outcomes (BRK-84, docs/conformance-cards.md#brk-84); the finer reason stays in `detail` for operators and
    // the journal.
    const complete = ok === 3 && unresolved.length === 0;
    const detail = complete ? undefined : ok === 0 ? 'failed' : ok === 3 ? 'unresolved' : 'partial';
    return {
      status: complete ? 'complete' : 'incomplete',
      ...(detail !== undefined ? { detail } : {}),
      adopted: adopted.length,
      adoptedCoids: adopted,
      closed,
      unresolved: unresolved.length,
      unresolvedCoids: unresolved,
      discrepancies,
      at: this.now(),
    };
  }

  /** Our orders that filled while we could not see them (not open any more): adopt them from their executions. */
  private adoptFromExecutions(discrepancies: string[]): string[] {
    const parked = this.flow.parkedFor(() => true);
    const byOrder = new Map<number, typeof parked>();
    const coids: string[] = [];
    for (const p of parked) {
      if (this.flow.ownCoid(p.execution.permId, p.execution.orderRef) === null) {
        this.emit('broker.anomaly', {
          kind: 'external-fill',
          details: { execId: p.execution.execId, orderId: p.execution.orderId, symbol: p.contract.symbol },
          at: this.now(),
        });
        discrepancies.push(`external execution ${p.execution.execId ?? ''} not applied (positions reconcile it)`);
        continue;
      }
      const id = p.execution.orderId ?? -1;
      byOrder.set(id, [...(byOrder.get(id) ?? []), p]);
    }
    for (const [orderId, list] of byOrder) {
      const first = list[0]!;
      const quantity = Math.max(
        ...list.map((p) => Number(p.execution.cumQty ?? 0)),
        list.reduce((n, p) => n + Number(p.execution.shares ?? 0), 0),
      );
      const order = {
        action: first.execution.side === 'SLD' ? 'SELL' : 'BUY',
        orderType: 'MKT',
        totalQuantity: quantity,
        orderRef: first.execution.orderRef,
        permId: first.execution.permId,
      } as Order;
      this.conn.observeOrderId(orderId);
      const o = this.flow.adopt(orderId, first.contract, order, false);
      for (const p of list) this.flow.applyExecution(o, p.contract, p.execution);
      coids.push(o.req.coid);
    }
    return coids;
  }

  private comparePositions(broker: Map<string, PositionReport>, discrepancies: string[], pending: ReadonlySet<string>): void {
    const symbols = new Set([...broker.keys(), ...this.holdings.symbols()]);
    for (const symbol of [...symbols].sort()) {
      if (pending.has(symbol)) continue;
      const b = broker.get(symbol);
      const qty = b?.qty ?? 0;
      const delta = qty - this.holdings.quantity(symbol);
      if (delta === 0) continue;
      this.holdings.setFromBroker(symbol, qty, b === undefined ? 0 : fromTws(b.avgCost));
      const h = this.holdings.view(symbol);
      this.emit('position.changed', {
        symbol,
        qty: h.qty,
        avgPrice: h.avgPrice,
        realizedPnl: h.realizedPnl,
        source: 'reconcile',
        at: this.now(),
      });
      discrepancies.push(`${symbol} ${delta > 0 ? '+' : ''}${delta}`);
    }
  }
}
