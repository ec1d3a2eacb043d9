import { fromPrice, toPrice, type Micros, type Money, type Price } from '../../core/domain/units.js';
import type { FakeMatcher, MatcherOrder } from './fake-matcher.js';
import type { ExecutionSpec, FakeContract, TwsMessages } from './messages.js';
import type { PlacedOrder } from './requests.js';
import { ERROR_TEXT, type ScenarioName } from './scenarios.js';
import type { TwsConnection } from './tws-connection.js';

/** An order as the fake TWS holds it. Prices in integer Price units. */
export interface DeskOrder {
  orderId: number;
  clientId: number;
  permId: number;
  placed: PlacedOrder;
  contract: FakeContract;
  status: string;
  filled: number;
  /** Σ price × qty of fills, exact in Money units. */
  fillNotional: Money;
  lastFillPrice: Price;
  /** Placed with transmit=false and not yet released by a transmitting child. */
  held: boolean;
}

export interface DeskExecution {
  spec: Omit<ExecutionSpec, 'reqId'>;
  commission: Money;
  realizedPnl: Money | undefined;
}

interface PositionRow {
  account: string;
  contract: FakeContract;
  qty: number;
  cost: Money;
}

export interface DeskDeps {
  matcher: FakeMatcher;
  scenario: () => ScenarioName;
  now: () => Micros;
  /** Live connections of a client id (orders belong to the client id, not to one socket). */
  connectionsOf: (clientId: number) => TwsConnection[];
  startingCash: Money;
}

const OPEN = new Set(['PreSubmitted', 'Submitted', 'PendingSubmit', 'PendingCancel', 'ApiPending']);
const COMMISSION_PER_SHARE: Money = 50; // $0.005
const MIN_COMMISSION: Money = 10_000; // $1.00
/** The reason TWS gives for an order the account cannot fund (201), as IB words it. */
const MARGIN_TEXT =
  'YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE MUST EXCEED THE INITIAL MARGIN';

/**
 * Order state, fills, executions and positions of the fake TWS, shared by all connections.
 *
 * Invariants: an order's filled quantity never exceeds its total; execIds are unique unless a duplicate is injected
 * on purpose; a held (transmit=false) order never reaches the matcher; a bracket child works only after its parent
 * filled, and the first child fill cancels its siblings (OCA).
 */
export class OrderDesk {
  readonly orders = new Map<number, DeskOrder>();
  readonly executions: DeskExecution[] = [];
  readonly positions = new Map<string, PositionRow>();
  readonly cash = new Map<string, Money>();
  readonly realized = new Map<string, Money>();
  /** New orders placed per orderRef (a modify is not a placement): a crash drill's "no order placed twice" check. */
  readonly placements = new Map<string, number>();
  private highestId = 0;
  private permSeq = 0;
  private execSeq = 0;
  private acking = new Set<number>();

  constructor(private readonly d: DeskDeps) {
    d.matcher.setSink({ fill: (id, qty, price) => this.onFill(id, qty, price), reject: (id, r) => this.onReject(id, r) });
  }

  place(conn: TwsConnection, p: PlacedOrder, contract: FakeContract): void {
    const m = conn.msgs;
    const existing = this.orders.get(p.orderId);
    if (existing) return this.modify(conn, existing, p);
    this.placements.set(p.orderRef, (this.placements.get(p.orderRef) ?? 0) + 1);
    if (p.orderId <= this.highestId) return conn.send(m.error(p.orderId, 103, ERROR_TEXT[103]!));
    this.highestId = p.orderId;
    const o: DeskOrder = {
      orderId: p.orderId,
      clientId: conn.clientId ?? 0,
      permId: 1_000_000 + ++this.permSeq,
      placed: p,
      contract,
      status: 'PreSubmitted',
      filled: 0,
      fillNotional: 0,
      lastFillPrice: 0,
      held: !p.transmit,
    };
    this.orders.set(o.orderId, o);
    const scenario = this.d.scenario();
    if (scenario === 'reject') {
      o.status = 'Cancelled';
      conn.send(m.error(o.orderId, 201, `${ERROR_TEXT[201]}fake TWS scenario "reject"`));
      return this.sendStatus(o);
    }
    if (scenario === 'margin-check' && !this.affordable(p)) {
      // What TWS answers an order whose value exceeds the account's funds: 201 with its margin text, then Cancelled.
      o.status = 'Cancelled';
      conn.send(m.error(o.orderId, 201, `${ERROR_TEXT[201]}${MARGIN_TEXT}`));
      return this.sendStatus(o);
    }
    if (scenario === 'inactive') {
      o.status = 'Inactive';
      return this.ack(o);
    }
    if (o.held) return this.ack(o);
    const parent = this.orders.get(p.parentId);
    if (parent && parent.held) {
      // The transmitting child releases the whole bracket: parent works, children wait for its fill.
      parent.held = false;
      for (const c of this.children(parent.orderId)) c.held = false;
      this.activate(parent);
      for (const c of this.children(parent.orderId)) this.ack(c);
      return;
    }
    if (parent && parent.status !== 'Filled') return this.ack(o);
    this.activate(o);
  }

  /** A buy whose limit value (a market order: any size passes) fits the account's cash (scenario `margin-check`). */
  private affordable(p: PlacedOrder): boolean {
    if (p.action !== 'BUY' || p.lmtPrice === undefined) return true;
    const cash = this.cash.get(p.account || 'DU0000001') ?? this.d.startingCash;
    return p.totalQuantity * toPrice(p.lmtPrice) <= cash;
  }

  cancel(conn: TwsConnection, orderId: number): void {
    const o = this.orders.get(orderId);
    if (!o) return conn.send(conn.msgs.error(orderId, 10147, `OrderId ${orderId} ${ERROR_TEXT[10147]}`));
    if (!OPEN.has(o.status)) {
      return conn.send(
        conn.msgs.error(orderId, 10148, `OrderId ${orderId} that needs to be cancelled cannot be cancelled, state: ${o.status}.`),
      );
    }
    this.cancelOrder(o, 'Order Canceled - reason:');
  }

  globalCancel(): void {
    for (const o of this.orders.values()) if (OPEN.has(o.status)) this.cancelOrder(o, ERROR_TEXT[202]!);
  }

  /** OPEN_ORDER + ORDER_STATUS per open order of the client (or of every client), then OPEN_ORDER_END. */
  openOrders(conn: TwsConnection, all: boolean): void {
    for (const o of this.orders.values()) {
      if (!OPEN.has(o.status) || (!all && o.clientId !== conn.clientId)) continue;
      conn.send(conn.msgs.openOrder(this.openSpec(o)));
      conn.send(conn.msgs.orderStatus(this.statusSpec(o)));
    }
    conn.send(conn.msgs.openOrderEnd());
  }

  replayExecutions(conn: TwsConnection, reqId: number, f: { clientId: string; account: string; symbol: string }): void {
    for (const x of this.executions) {
      if (f.clientId !== '' && f.clientId !== '0' && String(x.spec.clientId) !== f.clientId) continue;
      if (f.account !== '' && x.spec.account !== f.account) continue;
      if (f.symbol !== '' && x.spec.contract.symbol !== f.symbol) continue;
      conn.send(conn.msgs.execution({ ...x.spec, reqId }));
      if (this.d.scenario() !== 'no-commission') conn.send(this.commissionFrame(conn.msgs, x));
    }
    conn.send(conn.msgs.executionEnd(reqId));
  }

  /** Forces a fill of an open order, bypassing the matcher (tests). */
  forceFill(orderId: number, quantity?: number, price?: Price): void {
    const o = this.orders.get(orderId);
    if (!o || !OPEN.has(o.status)) return;
    const qty = quantity ?? o.placed.totalQuantity - o.filled;
    this.d.matcher.cancel(orderId);
    this.onFill(orderId, qty, price ?? toPrice(o.placed.lmtPrice ?? o.placed.auxPrice ?? 100));
    if (OPEN.has(o.status) && !o.held) this.d.matcher.submit(this.matcherOrder(o, o.placed.totalQuantity - o.filled));
  }

  private modify(conn: TwsConnection, o: DeskOrder, p: PlacedOrder): void {
    if (!OPEN.has(o.status)) {
      const code = o.status === 'Filled' ? 104 : 103;
      return conn.send(conn.msgs.error(o.orderId, code, code === 104 ? "Can't modify a filled order" : ERROR_TEXT[103]!));
    }
    const wasHeld = o.held;
    o.placed = { ...p, transmit: p.transmit };
    if (wasHeld && p.transmit) {
      o.held = false;
      this.activate(o);
      return;
    }
    this.ack(o);
    if (!o.held && o.status === 'Submitted') {
      this.d.matcher.modify(o.orderId, {
        quantity: p.totalQuantity,
        limitPrice: p.lmtPrice === undefined ? undefined : toPrice(p.lmtPrice),
        triggerPrice: p.auxPrice === undefined ? undefined : toPrice(p.auxPrice),
      });
    }
  }

  private activate(o: DeskOrder): void {
    o.status = 'Submitted';
    const early = this.d.scenario() === 'exec-before-open-order';
    if (early) this.acking.add(o.orderId);
    else this.ack(o);
    this.d.matcher.submit(this.matcherOrder(o, o.placed.totalQuantity - o.filled));
    if (early) {
      this.acking.delete(o.orderId);
      this.ack(o);
    }
  }

  private ack(o: DeskOrder): void {
    for (const c of this.d.connectionsOf(o.clientId)) c.send(c.msgs.openOrder(this.openSpec(o)));
    this.sendStatus(o);
  }

  private sendStatus(o: DeskOrder): void {
    const times = this.d.scenario() === 'duplicate-order-status' ? 2 : 1;
    for (const c of this.d.connectionsOf(o.clientId)) {
      for (let i = 0; i < times; i++) c.send(c.msgs.orderStatus(this.statusSpec(o)));
    }
  }

  private cancelOrder(o: DeskOrder, reason: string): void {
    this.d.matcher.cancel(o.orderId);
    o.status = 'Cancelled';
    this.sendStatus(o);
    for (const c of this.d.connectionsOf(o.clientId)) c.send(c.msgs.error(o.orderId, 202, reason));
    for (const child of this.children(o.orderId)) if (OPEN.has(child.status)) this.cancelOrder(child, reason);
  }

  private onReject(orderId: number, reason: string): void {
    const o = this.orders.get(orderId);
    if (!o || !OPEN.has(o.status)) return;
    o.status = 'Cancelled';
    for (const c of this.d.connectionsOf(o.clientId)) c.send(c.msgs.error(orderId, 201, `${ERROR_TEXT[201]}${reason}`));
    this.sendStatus(o);
  }

  private onFill(orderId: number, qty: number, price: Price): void {
    const o = this.orders.get(orderId);
    if (!o || qty <= 0) return;
    qty = Math.min(qty, o.placed.totalQuantity - o.filled);
    if (qty <= 0) return;
    o.filled += qty;
    o.fillNotional += price * qty;
    o.lastFillPrice = price;
    o.status = o.filled >= o.placed.totalQuantity ? 'Filled' : 'Submitted';
    const x = this.book(o, qty, price);
    const scenario = this.d.scenario();
    for (const c of this.d.connectionsOf(o.clientId)) {
      const exec = c.msgs.execution({ ...x.spec, reqId: -1 });
      if (scenario === 'commission-before-exec') c.send(this.commissionFrame(c.msgs, x));
      c.send(exec);
      if (scenario === 'duplicate-executions') c.send(exec);
      if (!this.acking.has(o.orderId)) c.send(c.msgs.openOrder(this.openSpec(o)));
    }
    if (!this.acking.has(o.orderId)) this.sendStatus(o);
    if (scenario !== 'commission-before-exec' && scenario !== 'no-commission') {
      for (const c of this.d.connectionsOf(o.clientId)) c.send(this.commissionFrame(c.msgs, x));
    }
    if (o.status !== 'Filled') return;
    for (const child of this.children(o.orderId)) if (child.status === 'PreSubmitted' && !child.held) this.activate(child);
    if (o.placed.parentId !== 0) {
      for (const sib of this.children(o.placed.parentId)) {
        if (sib !== o && OPEN.has(sib.status)) this.cancelOrder(sib, 'Order Canceled - reason:OCA');
      }
    }
  }

  /** Records the execution, moves position and cash. */
  private book(o: DeskOrder, qty: number, price: Price): DeskExecution {
    const buy = o.placed.action === 'BUY';
    const account = o.placed.account || 'DU0000001';
    const key = `${account}|${o.contract.symbol}`;
    const pos = this.positions.get(key) ?? { account, contract: o.contract, qty: 0, cost: 0 };
    const signed = buy ? qty : -qty;
    let realized: Money | undefined;
    if (pos.qty !== 0 && Math.sign(pos.qty) !== Math.sign(signed)) {
      const closing = Math.min(Math.abs(signed), Math.abs(pos.qty));
      const avg = pos.cost / pos.qty;
      realized = Math.round((price - avg) * closing * Math.sign(pos.qty));
      pos.cost -= Math.round(avg * closing * Math.sign(pos.qty));
      pos.qty += Math.sign(signed) * closing;
      const rest = Math.abs(signed) - closing;
      if (rest > 0) {
        pos.qty += Math.sign(signed) * rest;
        pos.cost = price * pos.qty;
      }
    } else {
      pos.qty += signed;
      pos.cost += price * signed;
    }
    if (pos.qty === 0) pos.cost = 0;
    this.positions.set(key, pos);
    const commission = Math.max(MIN_COMMISSION, COMMISSION_PER_SHARE * qty);
    this.cash.set(account, (this.cash.get(account) ?? this.d.startingCash) - price * signed - commission);
    this.realized.set(account, (this.realized.get(account) ?? 0) + (realized ?? 0) - commission);
    const execId = `0000e0d5.${(++this.execSeq).toString(16).padStart(8, '0')}.01.01`;
    const x: DeskExecution = {
      spec: {
        orderId: o.orderId,
        contract: o.contract,
        execId,
        time: execTime(this.d.now()),
        account,
        exchange: o.contract.primaryExchange,
        side: buy ? 'BOT' : 'SLD',
        shares: qty,
        price: fromPrice(price),
        permId: o.permId,
        clientId: o.clientId,
        cumQty: o.filled,
        avgPrice: fromPrice(Math.round(o.fillNotional / o.filled)),
        orderRef: o.placed.orderRef,
      },
      commission,
      realizedPnl: realized,
    };
    this.executions.push(x);
    return x;
  }

  commissionFrame(m: TwsMessages, x: DeskExecution): ReturnType<TwsMessages['commissionReport']> {
    return m.commissionReport(
      x.spec.execId,
      fromPrice(x.commission),
      x.spec.contract.currency,
      x.realizedPnl === undefined ? undefined : fromPrice(x.realizedPnl),
    );
  }

  private children(parentId: number): DeskOrder[] {
    const out: DeskOrder[] = [];
    for (const o of this.orders.values()) if (o.placed.parentId === parentId && parentId !== 0) out.push(o);
    return out;
  }

  private matcherOrder(o: DeskOrder, quantity: number): MatcherOrder {
    const t = o.placed.orderType.toUpperCase();
    const type = t === 'LMT' ? 'limit' : t === 'STP' ? 'stop' : t === 'STP LMT' ? 'stop-limit' : 'market';
    return {
      orderId: o.orderId,
      symbol: o.contract.symbol,
      side: o.placed.action === 'BUY' ? 'buy' : 'sell',
      type,
      quantity,
      limitPrice: o.placed.lmtPrice === undefined ? undefined : toPrice(o.placed.lmtPrice),
      triggerPrice: o.placed.auxPrice === undefined ? undefined : toPrice(o.placed.auxPrice),
    };
  }

  private openSpec(o: DeskOrder): Parameters<TwsMessages['openOrder']>[0] {
    const p = o.placed;
    return {
      orderId: o.orderId,
      contract: o.contract,
      action: p.action,
      totalQuantity: p.totalQuantity,
      orderType: p.orderType,
      lmtPrice: p.lmtPrice,
      auxPrice: p.auxPrice,
      tif: p.tif || 'DAY',
      ocaGroup: p.ocaGroup,
      account: p.account || 'DU0000001',
      orderRef: p.orderRef,
      clientId: o.clientId,
      permId: o.permId,
      parentId: p.parentId,
      status: o.status,
    };
  }

  private statusSpec(o: DeskOrder): Parameters<TwsMessages['orderStatus']>[0] {
    return {
      orderId: o.orderId,
      status: o.status,
      filled: o.filled,
      remaining: o.placed.totalQuantity - o.filled,
      avgFillPrice: o.filled > 0 ? fromPrice(Math.round(o.fillNotional / o.filled)) : 0,
      permId: o.permId,
      parentId: o.placed.parentId,
      lastFillPrice: fromPrice(o.lastFillPrice),
      clientId: o.clientId,
      whyHeld: o.held ? 'child' : '',
    };
  }
}

/** `yyyymmdd hh:mm:ss UTC`; the client passes it through as text. */
function execTime(now: Micros): string {
  const iso = new Date(Math.floor(now / 1000)).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 19)} UTC`;
}
