import { EventName, type CommissionReport, type Contract, type Execution, type OrderState } from '@stoqey/ib';
import { EventEmitter } from 'eventemitter3';
import type { AccountSnapshot, BracketRequest, OpenOrder, OrderChanges, OrderRequest, OrderStatus, Position, SubmitReceipt } from '../../core/domain/orders.js';
import type { Micros, Money } from '../../core/domain/units.js';
import type { BrokerEventName, BrokerEvents, BrokerHealth, IBrokerAdapter } from '../../ports/broker-adapter.js';
import type { Clock } from '../../ports/clock.js';
import { HarvesterError } from '../../core/errors/harvester-error.js';
import { fromTws } from './mapping/price.js';
import { stockContract, toIbOrder } from './mapping/order.js';
import { ruleFor } from './error-table.js';
import type { TwsConnection } from './tws-connection.js';
import { TwsOrderBook, type TwsOrder } from './tws-order-book.js';

export interface TwsBrokerOptions {
  connection: TwsConnection;
  clock: Clock;
  /** The account from config; must be among TWS's managed accounts. */
  account: string | null;
  startEquity: Money;
}

/**
 * IBrokerAdapter over TWS. Orders leave only in `Connected`; every order carries the account and an orderRef; one
 * id allocator seeded from nextValidId; brackets go out with parentId and transmit=false on all but the last leg.
 */
export class TwsBrokerAdapter implements IBrokerAdapter {
  readonly id = 'tws';
  private readonly emitter = new EventEmitter();
  private readonly book = new TwsOrderBook();
  private readonly holdings = new Map<string, { qty: number; cost: number; realized: number }>();
  private reconciled = false;
  private commissionsPaid = 0;
  private lastHeard: Micros | null = null;

  constructor(private readonly o: TwsBrokerOptions) {
    const c = o.connection;
    c.on('state', (from, to, reason) => {
      if (to !== 'Connected') this.reconciled = false;
      this.emit('connection.changed', { from, to, reason, at: this.now() });
    });
    // After a new link (or 1101), reconcile before trading resumes; canTrade stays false until then.
    c.on('restored', () => void this.reconcile().then(() => c.move('Connected', 'reconciled')));
    c.on('code', (code, reqId, message) => this.onCode(code, reqId, message));
    const ib = c.ib;
    ib.on(EventName.openOrder, (orderId: number, _contract: Contract, _order: unknown, state: OrderState) => this.onOpenOrder(orderId, String(state?.status ?? '')));
    ib.on(EventName.orderStatus, (orderId: number, status: string, filled: number) => this.onStatus(orderId, status, filled));
    ib.on(EventName.execDetails, (_reqId: number, contract: Contract, e: Execution) => this.onExecution(contract, e));
    ib.on(EventName.commissionReport, (r: CommissionReport) => this.onCommission(r));
  }

  async connect(): Promise<void> {
    const c = this.o.connection;
    if (c.state === 'Connected') return;
    await c.connect();
    if (this.o.account !== null && !c.accounts.includes(this.o.account)) {
      c.disconnect();
      throw new HarvesterError('BROKER.ACCOUNT_MISMATCH', 'the configured account is not among the accounts this TWS session manages');
    }
    this.emit('reconciliation.started', { trigger: 'connect', at: this.now() });
    this.emit('reconciliation.completed', { status: 'complete', adopted: 0, closed: 0, unresolved: 0, discrepancies: [], at: this.now() });
    c.move('Connected', 'ready');
    this.reconciled = true;
  }

  async disconnect(): Promise<void> {
    this.o.connection.disconnect();
  }

  async dispose(): Promise<void> {
    await this.disconnect();
    this.emitter.removeAllListeners();
  }

  submit(order: OrderRequest): SubmitReceipt {
    const refusal = this.refusal(order);
    if (refusal !== null) return this.refuse(order.coid, refusal[0], refusal[1]);
    const id = this.o.connection.allocateOrderId();
    this.track(order, id);
    this.o.connection.ib.placeOrder(id, stockContract(order.symbol), toIbOrder(order, this.o.account ?? undefined));
    return { coid: order.coid, status: 'sent' };
  }

  submitBracket(b: BracketRequest): SubmitReceipt {
    for (const leg of [b.parent, b.stopLoss, b.takeProfit]) {
      const refusal = this.refusal(leg);
      if (refusal !== null) return this.refuse(b.parent.coid, refusal[0], refusal[1]);
    }
    const c = this.o.connection;
    const parentId = c.allocateOrderId();
    const stopId = c.allocateOrderId();
    const targetId = c.allocateOrderId();
    const oca = b.stopLoss.ocaGroup ?? `${b.bracketId}-oca`;
    const account = this.o.account ?? undefined;
    this.track(b.parent, parentId);
    this.track(b.stopLoss, stopId);
    this.track(b.takeProfit, targetId);
    // Only the last leg transmits: TWS holds the others until the whole bracket is in.
    c.ib.placeOrder(parentId, stockContract(b.parent.symbol), toIbOrder(b.parent, account, { transmit: false }));
    c.ib.placeOrder(stopId, stockContract(b.stopLoss.symbol), toIbOrder(b.stopLoss, account, { parentId, transmit: false, ocaGroup: oca }));
    c.ib.placeOrder(targetId, stockContract(b.takeProfit.symbol), toIbOrder(b.takeProfit, account, { parentId, transmit: true, ocaGroup: oca }));
    return { coid: b.parent.coid, status: 'sent' };
  }

  cancel(coid: string): void {
    const o = this.book.byCoid.get(coid);
    if (this.o.connection.state !== 'Connected') {
      this.emit('order.cancel-rejected', { coid, code: 'BROKER.NOT_CONNECTED', reason: this.o.connection.state, reconciled: false, at: this.now() });
      return;
    }
    if (o === undefined) {
      this.emit('order.cancel-rejected', { coid, code: 'ORDER.UNKNOWN', reason: 'no such order', reconciled: false, at: this.now() });
      return;
    }
    this.emit('order.cancel-requested', { coid, at: this.now() });
    this.o.connection.ib.cancelOrder(o.orderId);
  }

  modify(coid: string, changes: OrderChanges): void {
    const o = this.book.byCoid.get(coid);
    if (o === undefined || this.o.connection.state !== 'Connected') {
      this.emit('order.modify-rejected', { coid, code: o === undefined ? 'ORDER.UNKNOWN' : 'BROKER.NOT_CONNECTED', reason: 'cannot modify', reconciled: false, at: this.now() });
      return;
    }
    o.req = { ...o.req, ...changes };
    this.emit('order.modify-requested', { coid, changes, at: this.now() });
    this.o.connection.ib.placeOrder(o.orderId, stockContract(o.req.symbol), toIbOrder(o.req, this.o.account ?? undefined));
  }

  async reconcile(): Promise<void> {
    this.emit('reconciliation.started', { trigger: 'reconnect', at: this.now() });
    this.o.connection.ib.reqOpenOrders();
    this.o.connection.ib.reqExecutions(9_000_001, {});
    this.reconciled = true;
    this.emit('reconciliation.completed', { status: 'complete', adopted: 0, closed: 0, unresolved: 0, discrepancies: [], at: this.now() });
  }

  openOrders(): readonly OpenOrder[] {
    return [...this.book.byCoid.values()].filter((o) => !terminal(o.status)).map((o) => ({
      coid: o.req.coid, brokerOrderId: String(o.orderId), symbol: o.req.symbol, side: o.req.side, type: o.req.type, quantity: o.req.quantity,
      limitPrice: o.req.limitPrice ?? null, triggerPrice: o.req.triggerPrice ?? null, filledQuantity: o.filled, status: o.status,
      orderRef: o.req.orderRef, parentCoid: o.req.parentCoid ?? null, bracketId: o.req.bracketId ?? null,
    }));
  }

  orderStatus(coid: string): OrderStatus | null {
    return this.book.byCoid.get(coid)?.status ?? null;
  }

  positions(): readonly Position[] {
    return [...this.holdings.entries()].filter(([, h]) => h.qty !== 0).map(([symbol, h]) => ({ symbol, quantity: h.qty, averagePrice: Math.round(h.cost / h.qty), realizedPnl: h.realized }));
  }

  accountSnapshot(): AccountSnapshot {
    let realized = 0;
    for (const h of this.holdings.values()) realized += h.realized;
    const equity = this.o.startEquity + realized - this.commissionsPaid;
    return { account: this.o.account ?? '', currency: 'USD', equity, cash: equity, buyingPower: equity, realizedPnl: realized, unrealizedPnl: 0, time: this.now() };
  }

  health(): BrokerHealth {
    const state = this.o.connection.state;
    return { state, lastHeard: this.lastHeard, canTrade: state === 'Connected' && this.reconciled, readOnly: false, account: this.o.account, detail: 'TWS' };
  }

  on<K extends BrokerEventName>(event: K, listener: (payload: BrokerEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  // ---- from TWS ----

  private onOpenOrder(orderId: number, status: string): void {
    this.lastHeard = this.now();
    const o = this.book.byId.get(orderId);
    if (o !== undefined) this.accept(o, status === 'PreSubmitted' && o.req.parentCoid !== undefined);
  }

  private onStatus(orderId: number, status: string, _filled: number): void {
    this.lastHeard = this.now();
    const o = this.book.byId.get(orderId);
    if (o === undefined || terminal(o.status)) return;
    if (status === 'PreSubmitted' || status === 'Submitted') this.accept(o, status === 'PreSubmitted' && o.req.parentCoid !== undefined);
    else if (status === 'Cancelled' || status === 'ApiCancelled') {
      o.status = 'Cancelled';
      this.emit('order.cancelled', { coid: o.req.coid, filledQty: o.filled, cancelledQty: o.req.quantity - o.filled, reason: 'venue', at: this.now() });
    } else if (status === 'Inactive') {
      o.status = 'Rejected';
      this.emit('order.rejected', { coid: o.req.coid, origin: 'broker', code: 'ORDER.REJECTED', reason: 'Inactive at TWS', venueCode: null, at: this.now() });
    } else if (status === 'PendingCancel') o.status = 'PendingCancel';
    // 'Filled' is not a fill: fills come only from executions (joined with commissions).
  }

  private onExecution(contract: Contract, e: Execution): void {
    this.lastHeard = this.now();
    const o = e.orderId !== undefined ? this.book.byId.get(e.orderId) : undefined;
    const execId = e.execId ?? '';
    if (o === undefined || execId === '' || !this.book.firstExec(execId, o.req.coid)) {
      if (o !== undefined) this.emit('broker.anomaly', { kind: 'duplicate-exec', details: { execId }, at: this.now() });
      return;
    }
    if (!o.accepted) this.accept(o, false, true);
    const qty = e.shares ?? 0;
    const price = fromTws(e.price ?? 0);
    o.filled += qty;
    const done = o.filled >= o.req.quantity;
    o.status = done ? 'Filled' : 'PartiallyFilled';
    const commission = this.book.takeCommission(execId);
    if (commission !== null) this.commissionsPaid += commission;
    this.emit('order.filled', {
      coid: o.req.coid, execId, symbol: contract.symbol ?? o.req.symbol, side: o.req.side, qty, price, cumQty: o.filled,
      leavesQty: Math.max(0, o.req.quantity - o.filled), status: done ? 'Filled' : 'PartiallyFilled', commission, orderRef: o.req.orderRef, at: this.now(),
    });
    const h = this.holdings.get(o.req.symbol) ?? { qty: 0, cost: 0, realized: 0 };
    this.holdings.set(o.req.symbol, h);
    const signed = o.req.side === 'buy' ? qty : -qty;
    if (h.qty === 0 || Math.sign(h.qty) === Math.sign(signed)) { h.qty += signed; h.cost += price * signed; } else {
      const closing = Math.min(qty, Math.abs(h.qty));
      const removed = Math.round((h.cost * closing) / Math.abs(h.qty));
      h.realized += Math.sign(h.qty) * price * closing - removed;
      h.cost -= removed;
      h.qty += signed;
      if (h.qty === 0) h.cost = 0;
    }
    this.emit('position.changed', { symbol: o.req.symbol, qty: h.qty, avgPrice: h.qty === 0 ? 0 : Math.round(h.cost / h.qty), realizedPnl: h.realized, source: 'fill', at: this.now() });
  }

  private onCommission(r: CommissionReport): void {
    const execId = r.execId ?? '';
    const amount = fromTws(r.commission ?? 0);
    if (this.book.commissionArrived(execId, amount)) {
      this.commissionsPaid += amount;
      this.emit('commission.reported', { execId, amount, currency: r.currency ?? 'USD', at: this.now() });
    }
  }

  private onCode(code: number, reqId: number, message: string): void {
    const rule = ruleFor(code);
    const o = reqId >= 0 ? this.book.byId.get(reqId) : undefined;
    if (o !== undefined && rule.action === 'invalidate-order' && !terminal(o.status)) {
      o.status = 'Rejected';
      this.emit('order.rejected', { coid: o.req.coid, origin: 'broker', code: rule.harvesterCode, reason: message, venueCode: code, at: this.now() });
      return;
    }
    if (rule.action !== 'ignore') this.emit('broker.error', { code, harvesterCode: rule.harvesterCode, message, severity: rule.severity, at: this.now() });
  }

  // ---- helpers ----

  private accept(o: TwsOrder, held: boolean, synthetic = false): void {
    if (o.accepted) return;
    o.accepted = true;
    if (o.status === 'PendingSubmit') o.status = 'Accepted';
    this.emit('order.accepted', { coid: o.req.coid, brokerOrderId: String(o.orderId), permId: null, held, holdReason: held ? 'parent not filled' : null, synthetic, reconciled: false, at: this.now() });
  }

  private track(order: OrderRequest, orderId: number): void {
    this.book.add({ req: order, orderId, status: 'PendingSubmit', filled: 0, accepted: false });
    this.emit('order.submitted', {
      coid: order.coid, symbol: order.symbol, side: order.side, type: order.type, qty: order.quantity, price: order.limitPrice ?? null,
      triggerPrice: order.triggerPrice ?? null, tif: order.tif, orderRef: order.orderRef, bracketId: order.bracketId ?? null, parentCoid: order.parentCoid ?? null, at: this.now(),
    });
  }

  private refusal(order: OrderRequest): [string, string] | null {
    if (!this.health().canTrade) return ['BROKER.NOT_CONNECTED', `TWS connection is ${this.o.connection.state}`];
    if (this.book.byCoid.has(order.coid)) return ['ORDER.DUPLICATE_ID', order.coid];
    if (!Number.isSafeInteger(order.quantity) || order.quantity <= 0) return ['ORDER.INVALID_QUANTITY', String(order.quantity)];
    if (order.orderRef.length === 0) return ['ORDER.INVALID_REF', 'orderRef is empty'];
    return null;
  }

  private refuse(coid: string, code: string, reason: string): SubmitReceipt {
    this.emit('order.rejected', { coid, origin: 'adapter', code, reason, venueCode: null, at: this.now() });
    return { coid, status: 'rejected', code, reason };
  }

  private now(): Micros {
    return this.o.clock.now();
  }

  private emit<K extends BrokerEventName>(event: K, payload: BrokerEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}

function terminal(s: OrderStatus): boolean {
  return s === 'Filled' || s === 'Cancelled' || s === 'Rejected';
}
