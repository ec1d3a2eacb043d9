import type { BrokerEventName, BrokerEvents, BrokerHealth, ConnectionState, IBrokerAdapter } from '../../../ports/broker-adapter.js';
import type { ErrorCode } from '../../../core/domain/error-codes.js';
import type { Clock } from '../../../ports/clock.js';
import type { Disposer } from '../../../ports/create-token.js';
import type {
  AccountSnapshot,
  BracketRequest,
  OpenOrder,
  OrderChanges,
  OrderRequest,
  OrderStatus,
  Position,
  SubmitReceipt,
} from '../../../core/domain/orders.js';
import { HarvesterError } from '../../../core/errors/index.js';
import type { BrokerDriver } from '../../../plugins/conformance/index.js';

/** Faults the kit's self-test injects to prove that cards fail. */
export type ToyFault = 'noExecId' | 'doubleTerminal' | 'routeWhileDisconnected' | 'fillBeforeAccept';

interface ToyOrder extends OpenOrder {
  held: boolean;
  ocaGroup: string | null;
}

/**
 * A tiny, synchronous, in-memory broker and its venue double, written to the cards. It exists to test the kit
 * itself: correct by default, broken on request. It is not a simulator: orders fill only at the touch or when
 * the driver says so.
 */
export class ToyBroker implements IBrokerAdapter {
  readonly id = 'toy';
  private state: ConnectionState = 'Disconnected';
  private disposed = false;
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();
  private readonly orders = new Map<string, ToyOrder>();
  private readonly pos = new Map<string, Position>();
  private cash: number;
  private nextId = 1;
  private nextExec = 1;
  private rejectNext: { reason: string; venueCode?: number } | null = null;
  readonly quotes = new Map<string, { bid: number; ask: number }>();
  readonly venueLog: { kind: 'place' | 'cancel' | 'modify'; coid: string }[] = [];

  constructor(
    private readonly clock: Clock,
    startCash: number,
    private readonly faults: ReadonlySet<ToyFault> = new Set(),
  ) {
    this.cash = startCash;
  }

  driver(): BrokerDriver {
    return {
      quote: (symbol, bid, _bs, ask) => void this.quotes.set(symbol, { bid, ask }),
      fill: (coid, o) => this.venueFill(coid, o?.qty, o?.price),
      reject: (o) => void (this.rejectNext = o),
      received: () => this.venueLog,
    };
  }

  async connect(): Promise<void> {
    this.live();
    if (this.state !== 'Disconnected') return;
    this.transition('Connecting', 'requested');
    this.emit('reconciliation.started', { trigger: 'connect', at: this.clock.now() });
    this.emit('reconciliation.completed', {
      status: 'complete',
      adopted: 0,
      adoptedCoids: [],
      closed: 0,
      unresolved: 0,
      unresolvedCoids: [],
      discrepancies: [],
      at: this.clock.now(),
    });
    this.transition('Connected', 'ready');
  }

  async disconnect(): Promise<void> {
    if (this.state !== 'Disconnected') this.transition('Disconnected', 'requested');
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    if (this.state !== 'Disconnected') this.transition('Disconnected', 'disposed');
    this.disposed = true;
    this.listeners.clear();
  }

  submit(order: OrderRequest): SubmitReceipt {
    this.live();
    const refuse = (code: ErrorCode, reason: string): SubmitReceipt => {
      this.emit('order.rejected', { coid: order.coid, origin: 'adapter', code, reason, venueCode: null, at: this.clock.now() });
      return { coid: order.coid, status: 'rejected', code, reason };
    };
    if (this.state !== 'Connected' && !this.faults.has('routeWhileDisconnected')) return refuse('BROKER.NOT_CONNECTED', this.state);
    if (!Number.isSafeInteger(order.quantity) || order.quantity <= 0) return refuse('ORDER.INVALID_QUANTITY', 'qty');
    for (const p of [order.limitPrice, order.triggerPrice])
      if (p !== undefined && (!Number.isSafeInteger(p) || p <= 0 || p % 100 !== 0)) return refuse('ORDER.INVALID_PRICE', 'tick');
    if (order.symbol !== 'XYZ') return refuse('ORDER.UNKNOWN_INSTRUMENT', order.symbol);
    if (this.orders.has(order.coid)) return refuse('ORDER.DUPLICATE_ID', order.coid);
    this.place(order, false);
    return { coid: order.coid, status: 'sent' };
  }

  submitBracket(b: BracketRequest): SubmitReceipt {
    const r = this.submit(b.parent);
    if (r.status !== 'sent') return r;
    this.place(b.stopLoss, true);
    this.place(b.takeProfit, true);
    return r;
  }

  cancel(coid: string): void {
    this.live();
    const o = this.orders.get(coid);
    const refuse = (code: ErrorCode): void =>
      this.emit('order.cancel-rejected', { coid, code, reason: code, reconciled: false, at: this.clock.now() });
    if (this.state !== 'Connected') return refuse('BROKER.NOT_CONNECTED');
    if (o === undefined) return refuse('ORDER.UNKNOWN');
    if (isClosed(o.status)) return refuse('ORDER.NOT_OPEN');
    this.emit('order.cancel-requested', { coid, at: this.clock.now() });
    this.venueLog.push({ kind: 'cancel', coid });
    // The venue confirms after 1 ms, so a fill can still land while the cancel is pending (BRK-23).
    o.status = 'PendingCancel';
    this.clock.setTimeout(
      1000,
      () => {
        if (isClosed(o.status)) return;
        this.close(o, 'requested');
        for (const child of this.orders.values())
          if (child.parentCoid === coid && !isClosed(child.status)) this.close(child, 'parent-cancelled');
      },
      'toy-cancel',
    );
  }

  modify(coid: string, changes: OrderChanges): void {
    this.live();
    const o = this.orders.get(coid);
    const refuse = (code: ErrorCode): void =>
      this.emit('order.modify-rejected', { coid, code, reason: code, reconciled: false, at: this.clock.now() });
    if (this.state !== 'Connected') return refuse('BROKER.NOT_CONNECTED');
    if (o === undefined) return refuse('ORDER.UNKNOWN');
    if (isClosed(o.status)) return refuse('ORDER.NOT_OPEN');
    this.emit('order.modify-requested', { coid, changes, at: this.clock.now() });
    this.venueLog.push({ kind: 'modify', coid });
    if (changes.quantity !== undefined) o.quantity = changes.quantity;
    if (changes.limitPrice !== undefined) o.limitPrice = changes.limitPrice;
    if (changes.triggerPrice !== undefined) o.triggerPrice = changes.triggerPrice;
    this.emit('order.modified', {
      coid,
      price: o.limitPrice,
      qty: o.quantity,
      triggerPrice: o.triggerPrice,
      leavesQty: o.quantity - o.filledQuantity,
      reason: 'requested',
      at: this.clock.now(),
    });
  }

  async reconcile(): Promise<void> {
    this.emit('reconciliation.started', { trigger: 'request', at: this.clock.now() });
    this.emit('reconciliation.completed', {
      status: 'complete',
      adopted: 0,
      adoptedCoids: [],
      closed: 0,
      unresolved: 0,
      unresolvedCoids: [],
      discrepancies: [],
      at: this.clock.now(),
    });
  }

  openOrders(): readonly OpenOrder[] {
    return [...this.orders.values()].filter((o) => !isClosed(o.status)).map((o) => ({ ...o }));
  }

  orderStatus(coid: string): OrderStatus | null {
    return this.orders.get(coid)?.status ?? null;
  }

  positions(): readonly Position[] {
    return [...this.pos.values()].map((p) => ({ ...p }));
  }

  accountSnapshot(): AccountSnapshot {
    const realized = [...this.pos.values()].reduce((s, p) => s + p.realizedPnl, 0);
    return {
      account: 'TOY',
      currency: 'USD',
      equity: this.cash,
      cash: this.cash,
      buyingPower: this.cash,
      realizedPnl: realized,
      unrealizedPnl: 0,
      time: this.clock.now(),
    };
  }

  health(): BrokerHealth {
    return { state: this.state, lastHeard: null, canTrade: this.state === 'Connected', readOnly: false, account: 'TOY', detail: '' };
  }

  on<K extends BrokerEventName>(event: K, listener: (payload: BrokerEvents[K]) => void): Disposer {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => void this.listeners.get(event)?.delete(l);
  }

  private place(req: OrderRequest, held: boolean): void {
    const o: ToyOrder = {
      coid: req.coid,
      brokerOrderId: String(this.nextId++),
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      quantity: req.quantity,
      limitPrice: req.limitPrice ?? null,
      triggerPrice: req.triggerPrice ?? null,
      filledQuantity: 0,
      status: 'PendingSubmit',
      orderRef: req.orderRef,
      parentCoid: req.parentCoid ?? null,
      bracketId: req.bracketId ?? null,
      held,
      ocaGroup: req.ocaGroup ?? null,
    };
    this.orders.set(o.coid, o);
    this.emit('order.submitted', {
      coid: o.coid,
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      qty: o.quantity,
      price: o.limitPrice,
      triggerPrice: o.triggerPrice,
      tif: req.tif,
      orderRef: o.orderRef,
      bracketId: o.bracketId,
      parentCoid: o.parentCoid,
      at: this.clock.now(),
    });
    this.venueLog.push({ kind: 'place', coid: o.coid });
    if (this.rejectNext !== null) {
      const r = this.rejectNext;
      this.rejectNext = null;
      o.status = 'Rejected';
      this.emit('order.rejected', {
        coid: o.coid,
        origin: 'broker',
        code: 'ORDER.REJECTED',
        reason: r.reason,
        venueCode: r.venueCode ?? null,
        at: this.clock.now(),
      });
      return;
    }
    const q = this.quotes.get(o.symbol);
    const touch = q === undefined ? null : o.side === 'buy' ? q.ask : q.bid;
    const marketable =
      !held &&
      touch !== null &&
      (o.type === 'market' || (o.type === 'limit' && (o.side === 'buy' ? o.limitPrice! >= touch : o.limitPrice! <= touch)));
    if (!(marketable && this.faults.has('fillBeforeAccept'))) this.accept(o);
    if (marketable) this.fillOrder(o, o.quantity, touch!);
  }

  private accept(o: ToyOrder): void {
    o.status = 'Accepted';
    this.emit('order.accepted', {
      coid: o.coid,
      brokerOrderId: o.brokerOrderId!,
      permId: null,
      held: o.held,
      holdReason: o.held ? 'parent' : null,
      synthetic: false,
      reconciled: false,
      at: this.clock.now(),
    });
  }

  private venueFill(coid: string, qty?: number, price?: number): void {
    const o = this.orders.get(coid);
    if (o === undefined || isClosed(o.status)) return;
    if (o.type === 'stop') this.emit('order.triggered', { coid, at: this.clock.now() });
    this.fillOrder(o, qty ?? o.quantity - o.filledQuantity, price ?? o.limitPrice ?? o.triggerPrice!);
  }

  private fillOrder(o: ToyOrder, qty: number, price: number): void {
    o.filledQuantity += qty;
    const leaves = o.quantity - o.filledQuantity;
    o.status = leaves === 0 ? 'Filled' : 'PartiallyFilled';
    const execId = this.faults.has('noExecId') ? '' : `toy-${this.nextExec++}`;
    const signed = o.side === 'buy' ? qty : -qty;
    this.cash -= signed * price + 10_000;
    this.emit('order.filled', {
      coid: o.coid,
      execId,
      symbol: o.symbol,
      side: o.side,
      qty,
      price,
      cumQty: o.filledQuantity,
      leavesQty: leaves,
      status: leaves === 0 ? 'Filled' : 'PartiallyFilled',
      commission: 10_000,
      orderRef: o.orderRef,
      at: this.clock.now(),
    });
    this.applyPosition(o.symbol, signed, price);
    if (leaves === 0) {
      for (const c of this.orders.values()) {
        if (c.parentCoid === o.coid && c.held) {
          c.held = false;
        }
        if (o.ocaGroup !== null && c !== o && c.ocaGroup === o.ocaGroup && !isClosed(c.status)) this.close(c, 'oca');
      }
    }
  }

  private applyPosition(symbol: string, signed: number, price: number): void {
    const p = this.pos.get(symbol) ?? { symbol, quantity: 0, averagePrice: 0, realizedPnl: 0 };
    if (p.quantity === 0 || Math.sign(p.quantity) === Math.sign(signed)) {
      p.averagePrice = Math.round(
        (p.averagePrice * Math.abs(p.quantity) + price * Math.abs(signed)) / (Math.abs(p.quantity) + Math.abs(signed)),
      );
    } else {
      p.realizedPnl += (price - p.averagePrice) * Math.min(Math.abs(signed), Math.abs(p.quantity)) * Math.sign(p.quantity);
    }
    p.quantity += signed;
    if (p.quantity === 0) p.averagePrice = 0;
    this.pos.set(symbol, p);
    this.emit('position.changed', {
      symbol,
      qty: p.quantity,
      avgPrice: p.averagePrice,
      realizedPnl: p.realizedPnl,
      source: 'fill',
      at: this.clock.now(),
    });
  }

  private close(o: ToyOrder, reason: 'requested' | 'oca' | 'parent-cancelled'): void {
    o.status = 'Cancelled';
    const payload = {
      coid: o.coid,
      filledQty: o.filledQuantity,
      cancelledQty: o.quantity - o.filledQuantity,
      reason,
      at: this.clock.now(),
    };
    this.emit('order.cancelled', payload);
    if (this.faults.has('doubleTerminal')) this.emit('order.cancelled', payload);
  }

  private transition(to: ConnectionState, reason: string): void {
    const from = this.state;
    this.state = to;
    this.emit('connection.changed', { from, to, reason, at: this.clock.now() });
  }

  private live(): void {
    if (this.disposed) throw new HarvesterError('BROKER.DISPOSED', 'toy broker disposed');
  }

  private emit<K extends BrokerEventName>(event: K, payload: BrokerEvents[K]): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }
}

function isClosed(s: OrderStatus): boolean {
  return s === 'Filled' || s === 'Cancelled' || s === 'Rejected';
}
