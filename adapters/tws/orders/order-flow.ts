import type { CommissionReport, Contract, Execution, Order, OrderState } from '@stoqey/ib';
import type { OrderRequest, OrderSide } from '../../../core/domain/orders.js';
import { TERMINAL_STATUSES } from '../../../core/domain/orders.js';
import type { Micros } from '../../../core/domain/units.js';
import type { ErrorCode } from '../../../core/domain/error-codes.js';
import type { BrokerEventName, BrokerEvents, CancelReason } from '../../../ports/broker-adapter.js';
import { fromTws } from '../mapping/price.js';
import { coidFromRef, fromIbOrder, ibOrderValues, isHarvesterRef } from '../mapping/order.js';
import { TwsIdJournal } from './id-journal.js';
import type { TwsHoldings } from './holdings.js';
import { modifyTarget, splitExecId, type ParkedExecution, type TwsOrder, type TwsOrderLedger } from './order-ledger.js';

export type Emit = <K extends BrokerEventName>(event: K, payload: BrokerEvents[K]) => void;

/** What the adapter around the flow needs to hear: the ack watch and the bracket guard. */
export interface FlowHooks {
  /** TWS answered for the order (any report): its acknowledgement timer stops. */
  heard(o: TwsOrder): void;
  /** The order reached a terminal state. */
  terminal(o: TwsOrder, outcome: 'Filled' | 'Cancelled' | 'Rejected'): void;
  /** An execution for an unknown order was parked (it is adopted as external after T_park). */
  executionParked?(execId: string): void;
  /** A commission arrived before its execution and was parked (it expires after T_park). */
  commissionParked?(execId: string): void;
}

const KNOWN_STATUSES = new Set([
  'ApiPending',
  'PendingSubmit',
  'PreSubmitted',
  'Submitted',
  'PendingCancel',
  'ApiCancelled',
  'Cancelled',
  'Filled',
  'Inactive',
]);

/** IB's "unset" commission sentinels (max double; −1 while pending per nautilus PR #4230) are "missing", not money. */
function commissionAmount(value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value) || value < 0 || value > 1e9) return null;
  return fromTws(value);
}

/**
 * openOrder / orderStatus / execDetails / commissionReport → Harvester order events. Every report is processed in
 * every connection state (LEAN #249 dropped fills during a 1100 window). Nothing here throws on the reader path.
 */
export class TwsOrderFlow {
  /** True while a reconciliation pass runs: acknowledgements found by it carry `reconciled: true`. */
  reconciling = false;
  commissionsPaid = 0;
  lastHeard: Micros | null = null;

  hooks: FlowHooks = { heard: () => undefined, terminal: () => undefined };

  constructor(
    private readonly ledger: TwsOrderLedger,
    private readonly holdings: TwsHoldings,
    private readonly emit: Emit,
    private readonly now: () => Micros,
    /** coid ↔ orderId ↔ permId ↔ orderRef of every order sent, kept across restarts (docs/tws-adapter.md#id-journal). */
    readonly ids: TwsIdJournal = new TwsIdJournal(),
  ) {
    ledger.onBound = (o) => ids.sent(o.req.coid, o.orderId, o.req.orderRef);
  }

  /** A terminal order has nothing left to recover after a restart: the journal lets it go, then the adapter hears. */
  private ended(o: TwsOrder, outcome: 'Filled' | 'Cancelled' | 'Rejected'): void {
    this.ids.closed(o.req.coid);
    this.hooks.terminal(o, outcome);
  }

  /**
   * The coid of an order this adapter (or an earlier run on the same journal) placed, or null for an order placed
   * elsewhere: the journal by permId, then by orderRef; then a Harvester `hv:` orderRef, which carries its coid.
   */
  ownCoid(permId: number | null | undefined, orderRef: string | null | undefined): string | null {
    const hit = this.ids.match(permId, orderRef);
    if (hit !== undefined) return hit.coid;
    const ref = orderRef ?? '';
    return isHarvesterRef(ref) ? coidFromRef(ref) : null;
  }

  /**
   * An execution for an order this instance does not hold that claims to be ours by its orderRef alone (an `hv:`
   * ref, or one the journal has under other ids): neither our placements nor the id journal know its order ids, so
   * it is refused with an `untrusted-exec` anomaly and never becomes a fill or an adoption (docs/tws-wire-safety.md).
   * Its exec id is marked seen, so a repeat is a duplicate, not a second anomaly.
   */
  private untrusted(contract: Contract, e: Execution): boolean {
    const ref = e.orderRef ?? '';
    const claims = isHarvesterRef(ref) || (ref !== '' && this.ids.match(null, ref) !== undefined);
    if (!claims || this.ids.byVenueIds(e.orderId, e.permId) !== undefined) return false;
    this.ledger.refuse(e.execId ?? '');
    this.emit('broker.anomaly', {
      kind: 'untrusted-exec',
      details: {
        execId: e.execId,
        brokerOrderId: e.orderId ?? null,
        permId: e.permId ?? null,
        orderRef: ref,
        symbol: contract.symbol ?? null,
        shares: e.shares ?? null,
        refused: true,
      },
      at: this.now(),
    });
    return true;
  }

  /** TWS told the order's permId: kept on the order and, once, in the journal. */
  private learnPermId(o: TwsOrder, permId: number | undefined): void {
    if (!permId || o.permId === permId) return;
    o.permId = permId;
    this.ids.identified(o.req.coid, permId);
  }

  onOpenOrder(orderId: number, _contract: Contract, order: Order | undefined, state: OrderState | undefined): void {
    this.lastHeard = this.now();
    const o = this.ledger.byId.get(orderId);
    if (o === undefined) {
      // An unknown order is the reconciler's to adopt, unless executions for it are parked: then its own report is
      // what they waited for, and they are replayed from the park now (BRK-74 b, docs/conformance-cards.md#brk-74).
      const parked = this.ledger.parkedFor(orderId);
      if (parked > 0 && order !== undefined) this.drainParked(this.adopt(orderId, _contract, order, false));
      return;
    }
    this.hooks.heard(o);
    this.learnPermId(o, order?.permId);
    const status = String(state?.status ?? '');
    if (status === 'Inactive') return this.inactive(o, '');
    if (status === 'PreSubmitted' || status === 'Submitted' || status === 'PendingCancel') {
      this.accept(o, status === 'PreSubmitted' && o.req.parentCoid !== undefined, false);
      // The openOrder that follows a modify carries the venue's values: that is the modify's acknowledgement.
      if (order !== undefined) this.confirmModify(o, order);
    }
  }

  onStatus(orderId: number, status: string, permId: number | undefined, whyHeld: string | undefined): void {
    this.lastHeard = this.now();
    const o = this.ledger.byId.get(orderId);
    if (o === undefined) return;
    this.learnPermId(o, permId);
    if (!KNOWN_STATUSES.has(status)) {
      this.emit('broker.anomaly', { kind: 'unknown-status', details: { orderId, status }, at: this.now() });
      return;
    }
    this.hooks.heard(o);
    if (status === 'Filled') o.venueFilled = true; // informational: fills come only from executions
    if (TERMINAL_STATUSES.has(o.status)) return; // terminal states absorb later statuses
    if (status === 'PreSubmitted' || status === 'Submitted') {
      this.accept(o, status === 'PreSubmitted' && o.req.parentCoid !== undefined, false);
    } else if (status === 'Cancelled' || status === 'ApiCancelled') this.cancelled(o, this.cancelReason(o));
    else if (status === 'Inactive') this.inactive(o, whyHeld ?? '');
    else if (status === 'PendingCancel') o.status = 'PendingCancel';
  }

  /** `reqId` ≥ 0: an answer to reqExecutions (a replay, expected to repeat what we have); −1: a live report. */
  onExecution(reqId: number, contract: Contract, e: Execution): void {
    this.lastHeard = this.now();
    const execId = e.execId ?? '';
    if (execId === '') return;
    if (this.ledger.wasApplied(execId)) {
      if (reqId < 0) this.emit('broker.anomaly', { kind: 'duplicate-exec', details: { execId }, at: this.now() });
      return;
    }
    const o = (e.orderId !== undefined ? this.ledger.byId.get(e.orderId) : undefined) ?? this.ledger.byPermId(e.permId ?? 0);
    if (o === undefined) {
      if (this.untrusted(contract, e)) return;
      // An execution for an order not known (yet): park it; reconciliation adopts its order or reports it.
      const dropped = this.ledger.park(execId, { contract, execution: e });
      if (dropped !== null)
        this.emit('broker.anomaly', { kind: 'external-fill', details: { execId: dropped, dropped: true }, at: this.now() });
      else this.hooks.executionParked?.(execId);
      return;
    }
    this.applyExecution(o, contract, e);
  }

  onCommission(r: CommissionReport): void {
    const execId = r.execId ?? '';
    const amount = commissionAmount(r.commission);
    if (execId === '' || amount === null) return;
    const verdict = this.ledger.commissionArrived(execId, amount);
    if (verdict === 'parked') this.hooks.commissionParked?.(execId);
    if (verdict !== 'report') return;
    this.commissionsPaid += amount;
    this.emit('commission.reported', { execId, amount, currency: r.currency ?? 'USD', at: this.now() });
  }

  /**
   * T_park passed and the parked execution's order never became known: report it, then adopt the order as external
   * and apply the fill, so the position shows what the venue did (BRK-74 a, docs/conformance-cards.md#brk-74). Nothing is dropped.
   */
  expireExecution(execId: string): void {
    const [p] = this.ledger.unpark((x) => x.execution.execId === execId);
    if (p === undefined) return;
    const e = p.execution;
    const orderId = e.orderId ?? -1;
    this.emit('broker.anomaly', {
      kind: 'external-fill',
      details: { execId, brokerOrderId: orderId, symbol: p.contract.symbol },
      at: this.now(),
    });
    const known = this.ledger.byId.get(orderId);
    if (known !== undefined) return this.applyExecution(known, p.contract, e);
    const qty = Math.max(Number(e.cumQty ?? 0), Number(e.shares ?? 0));
    const order = {
      action: e.side === 'SLD' ? 'SELL' : 'BUY',
      orderType: 'MKT',
      totalQuantity: qty,
      orderRef: e.orderRef ?? '',
      permId: e.permId,
    } as Order;
    const o = this.adopt(orderId, p.contract, order, false);
    this.applyExecution(o, p.contract, e);
    this.drainParked(o);
  }

  /**
   * T_park passed and the commission's execution never came: a diagnostic, never an invented fill
   * (BRK-71 c, docs/conformance-cards.md#brk-71).
   */
  expireCommission(execId: string): void {
    const amount = this.ledger.expireCommission(execId);
    if (amount !== null) this.emit('broker.anomaly', { kind: 'orphan-commission', details: { execId, amount }, at: this.now() });
  }

  /** Applies the parked executions of a now-known order (adopted, or tracked late). */
  drainParked(o: TwsOrder): number {
    const found = this.ledger.unpark((p) => p.execution.orderId === o.orderId || (o.permId !== null && p.execution.permId === o.permId));
    for (const p of found) this.applyExecution(o, p.contract, p.execution);
    return found.length;
  }

  /**
   * Adopts an order TWS reported that this instance does not know: ours (its coid from the journal or its `hv:`
   * orderRef, see ownCoid), or `external` (placed elsewhere), which gets the coid `EXT-<order id>`.
   */
  adopt(orderId: number, contract: Contract, order: Order, held: boolean, filled = 0): TwsOrder {
    let own = this.ownCoid(order.permId, order.orderRef);
    // A report naming the coid of an order we hold under another order id is not that order: external.
    const clash = own === null ? undefined : this.ledger.byCoid.get(own);
    if (clash !== undefined && clash.orderId !== orderId) own = null;
    const external = own === null;
    const req: OrderRequest = { ...fromIbOrder(contract, order), coid: own ?? `EXT-${orderId}` };
    const o: TwsOrder = { req, orderId, permId: order.permId || null, status: 'Accepted', filled, accepted: true, cancelRequested: false };
    this.ledger.add(o);
    if (!external) this.ids.adopted({ coid: req.coid, orderId, permId: o.permId, orderRef: req.orderRef });
    this.emit('order.adopted', {
      coid: req.coid,
      brokerOrderId: String(orderId),
      permId: o.permId === null ? null : String(o.permId),
      external,
      at: this.now(),
    });
    this.emit('order.accepted', {
      coid: req.coid,
      brokerOrderId: String(orderId),
      permId: o.permId === null ? null : String(o.permId),
      held,
      holdReason: held ? 'reported held by TWS' : null,
      synthetic: false,
      reconciled: true,
      at: this.now(),
    });
    return o;
  }

  parkedFor(match: (p: ParkedExecution) => boolean): ParkedExecution[] {
    return this.ledger.unpark(match);
  }

  accept(o: TwsOrder, held: boolean, synthetic: boolean, holdReason: string | null = held ? 'parent not filled' : null): void {
    if (o.accepted && o.status !== 'Unknown') return;
    o.accepted = true;
    if (o.status === 'PendingSubmit' || o.status === 'Unknown') o.status = o.filled > 0 ? 'PartiallyFilled' : 'Accepted';
    const permId = o.permId === null ? null : String(o.permId);
    this.emit('order.accepted', {
      coid: o.req.coid,
      brokerOrderId: String(o.orderId),
      permId,
      held,
      holdReason: held ? holdReason : null,
      synthetic,
      reconciled: this.reconciling,
      at: this.now(),
    });
  }

  cancelled(o: TwsOrder, reason: CancelReason): void {
    if (TERMINAL_STATUSES.has(o.status)) return;
    o.status = 'Cancelled';
    o.modifies = [];
    this.emit('order.cancelled', {
      coid: o.req.coid,
      filledQty: o.filled,
      cancelledQty: Math.max(0, o.req.quantity - o.filled),
      reason,
      at: this.now(),
    });
    this.ended(o, 'Cancelled');
  }

  /**
   * TWS says only "Cancelled"; the reason is inferred from what the adapter knows: its own cancel, a failed bracket,
   * a cancelled parent (TWS cancels the children with it), or an OCA sibling that filled (TWS cancels the group).
   */
  cancelReason(o: TwsOrder): CancelReason {
    if (o.cancelReason !== undefined) return o.cancelReason;
    if (o.cancelRequested) return 'requested';
    const parent = o.req.parentCoid === undefined ? undefined : this.ledger.byCoid.get(o.req.parentCoid);
    if (parent !== undefined && (parent.status === 'Cancelled' || parent.cancelRequested)) return 'parent-cancelled';
    const group = o.req.ocaGroup;
    if (group !== undefined) {
      for (const sib of this.ledger.byCoid.values()) {
        if (sib !== o && sib.req.ocaGroup === group && (sib.filled > 0 || sib.venueFilled === true)) return 'oca';
      }
    }
    return 'venue';
  }

  applyExecution(o: TwsOrder, contract: Contract, e: Execution): void {
    const execId = e.execId ?? '';
    if (!this.ledger.markApplied(execId)) return;
    this.hooks.heard(o);
    const { base, revision } = splitExecId(execId);
    const prior = this.ledger.execs.get(base);
    if (prior !== undefined) return this.correct(o, contract, base, revision, e);
    const qty = e.shares ?? 0;
    const price = fromTws(e.price ?? 0);
    if (o.filled + qty > o.req.quantity) {
      // More than the order's quantity cannot be one of our fills: refused, never applied (a real venue overfill
      // shows up in the position reconciliation, where the broker wins). The kernel escalates on the anomaly.
      this.ledger.refuse(execId);
      this.emit('broker.anomaly', {
        kind: 'overfill',
        details: { execId, coid: o.req.coid, filled: o.filled, qty, quantity: o.req.quantity, refused: true },
        at: this.now(),
      });
      return;
    }
    if (!o.accepted || o.status === 'Unknown') this.accept(o, false, !this.reconciling);
    // TWS reports no trigger; a stop that executes has triggered, so the edge is emitted before its first fill.
    if ((o.req.type === 'stop' || o.req.type === 'stop-limit') && o.triggered !== true) {
      o.triggered = true;
      this.emit('order.triggered', { coid: o.req.coid, at: this.now() });
    }
    if (TERMINAL_STATUSES.has(o.status) && o.status !== 'Filled')
      this.emit('broker.anomaly', { kind: 'late-fill', details: { execId, coid: o.req.coid, status: o.status }, at: this.now() });
    o.filled += qty;
    const done = o.filled >= o.req.quantity;
    o.status = done ? 'Filled' : 'PartiallyFilled';
    const commission = this.ledger.takeCommission(execId);
    if (commission !== null) this.commissionsPaid += commission;
    const side: OrderSide = e.side === 'SLD' ? 'sell' : e.side === 'BOT' ? 'buy' : o.req.side;
    this.ledger.execs.set(base, { coid: o.req.coid, symbol: o.req.symbol, side, revision, qty, price, commission });
    this.emit('order.filled', {
      coid: o.req.coid,
      execId,
      symbol: contract.symbol ?? o.req.symbol,
      side,
      qty,
      price,
      cumQty: o.filled,
      leavesQty: Math.max(0, o.req.quantity - o.filled),
      status: done ? 'Filled' : 'PartiallyFilled',
      commission,
      orderRef: o.req.orderRef,
      at: this.now(),
    });
    const h = this.holdings.applyFill(o.req.symbol, side, qty, price);
    this.emit('position.changed', {
      symbol: h.symbol,
      qty: h.qty,
      avgPrice: h.avgPrice,
      realizedPnl: h.realizedPnl,
      source: 'fill',
      at: this.now(),
    });
    if (done) this.ended(o, 'Filled');
  }

  /**
   * A revision of an applied execution (same base, another suffix, docs/tws-adapter.md#fills): the highest revision replaces the earlier
   * economics as a delta — the order's filled quantity and the position move by the difference, never by a second
   * fill. A lower or equal revision arriving late changes nothing.
   */
  private correct(o: TwsOrder, contract: Contract, base: string, revision: number, e: Execution): void {
    const prior = this.ledger.execs.get(base)!;
    if (revision <= prior.revision) return;
    const qty = e.shares ?? 0;
    const price = fromTws(e.price ?? 0);
    const qtyDelta = qty - prior.qty;
    this.ledger.execs.set(base, { ...prior, revision, qty, price });
    o.filled += qtyDelta;
    if (!TERMINAL_STATUSES.has(o.status) || o.status === 'Filled')
      o.status = o.filled >= o.req.quantity ? 'Filled' : o.filled > 0 ? 'PartiallyFilled' : o.status;
    this.emit('order.fill-corrected', { coid: o.req.coid, execId: base, revision, price, qtyDelta, at: this.now() });
    const h = this.holdings.correct(contract.symbol ?? o.req.symbol, prior.side, prior.qty, prior.price, qty, price);
    this.emit('position.changed', {
      symbol: h.symbol,
      qty: h.qty,
      avgPrice: h.avgPrice,
      realizedPnl: h.realizedPnl,
      source: 'fill',
      at: this.now(),
    });
  }

  /**
   * Confirms the latest sent modify whose values TWS now reports (and every one before it: the venue has moved past
   * them). An openOrder sent for another reason, e.g. a fill racing the modify, still shows the old values and
   * confirms nothing.
   */
  private confirmModify(o: TwsOrder, order: Order): void {
    const list = o.modifies ?? [];
    if (list.length === 0 || TERMINAL_STATUSES.has(o.status)) return;
    const venue = ibOrderValues(order, o.req.type);
    let hit = -1;
    list.forEach((m, i) => {
      if (!m.sent) return;
      const target = modifyTarget(o, m);
      if ((Object.keys(target) as (keyof typeof target)[]).every((k) => target[k] === undefined || venue[k] === target[k])) hit = i;
    });
    if (hit < 0) return;
    list.splice(0, hit + 1);
    o.req = { ...o.req, ...venue };
    this.emit('order.modified', {
      coid: o.req.coid,
      price: o.req.limitPrice ?? null,
      qty: o.req.quantity,
      triggerPrice: o.req.triggerPrice ?? null,
      leavesQty: Math.max(0, o.req.quantity - o.filled),
      reason: 'requested',
      at: this.now(),
    });
  }

  private inactive(o: TwsOrder, whyHeld: string): void {
    if (TERMINAL_STATUSES.has(o.status)) return;
    // Inactive is a reject (nautilus #3603: dropping it left orders SUBMITTED forever), except a short-sale locate hold.
    // The hold reason is TWS's own (`whyHeld`, e.g. "locate"), so the engine can tell a locate from a bracket child.
    if (whyHeld.toLowerCase().includes('locate')) return this.accept(o, true, false, whyHeld);
    this.rejected(o, o.lastError ?? 'Inactive at TWS', null);
  }

  /** A definitive refusal by TWS (an invalidating error, or Inactive). */
  rejected(o: TwsOrder, reason: string, venueCode: number | null, code: ErrorCode = 'ORDER.REJECTED'): void {
    if (TERMINAL_STATUSES.has(o.status)) return;
    o.status = 'Rejected';
    o.modifies = [];
    this.emit('order.rejected', { coid: o.req.coid, origin: 'broker', code, reason, venueCode, at: this.now() });
    this.ended(o, 'Rejected');
  }
}
