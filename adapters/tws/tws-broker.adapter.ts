import { EventName, type CommissionReport, type Contract, type Execution, type Order, type OrderState } from '@stoqey/ib';
import { EventEmitter } from 'eventemitter3';
import type { AccountSnapshot, BracketRequest, OpenOrder, OrderChanges, OrderRequest, OrderStatus, Position, SubmitReceipt } from '../../core/domain/orders.js';
import { TERMINAL_STATUSES } from '../../core/domain/orders.js';
import type { Micros, Money, Price } from '../../core/domain/units.js';
import type { BrokerEventName, BrokerEvents, BrokerHealth, IBrokerAdapter } from '../../ports/broker-adapter.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import { HarvesterError } from '../../core/errors/harvester-error.js';
import { TwsAckWatch } from './tws-ack-watch.js';
import { TwsBracketGuard } from './tws-bracket-guard.js';
import type { SyncTrigger, SyncVerdict, TwsConnection } from './tws-connection.js';
import { TwsErrorPolicy } from './tws-error-policy.js';
import { TwsHoldings } from './tws-holdings.js';
import type { TwsIdJournal } from './tws-id-journal.js';
import { localRefusal } from './tws-order-checks.js';
import type { TwsContracts } from './tws-contracts.js';
import { TwsOrderBook, UNSENT, type TwsOrder } from './tws-order-book.js';
import { TwsOrderFlow, type Emit } from './tws-order-flow.js';
import { TwsOrderSender } from './tws-order-sender.js';
import { TwsOutboundPacer } from './tws-outbound-pacer.js';
import { TwsReconciler, type ReconcileResult, type ReconcileTrigger } from './tws-reconciler.js';

export interface TwsBrokerOptions {
  connection: TwsConnection;
  clock: Clock;
  /** The account from config; must be among TWS's managed accounts. */
  account: string | null;
  startEquity: Money;
  clientId?: number;
  /** Deadline of each reconciliation query (openOrderEnd, execDetailsEnd, positionEnd); default 15 s. */
  reconcileDeadlineMs?: number;
  /** Executions are reconciled from here on; default: the first connect. */
  sessionStart?: Micros;
  /** T_ack: silence after a placement this long makes the order "unknown, reconcile"; default 5 s (§3.3). */
  ackTimeoutMs?: number;
  /** T_park: how long a commission waits for its execution before it is reported orphaned; default 60 s (§4.2). */
  parkTimeoutMs?: number;
  /** The configured tick of an instrument (Price units); without one, the US-stock tick rule applies. */
  tickOf?: (symbol: string) => Price | undefined;
  /** coid ↔ orderId ↔ permId ↔ orderRef, kept across restarts (IB §4.5); default: in memory, for this adapter only. */
  ids?: TwsIdJournal;
  /** The connection's qualification cache (shared with the feed): no placement before its symbol has a conId. */
  contracts?: TwsContracts;
  /** The connection's outbound pacer (shared with the contract requests); default: one of its own on the Clock. */
  pacer?: TwsOutboundPacer;
}

/** Keys of the cancel and modify acknowledgement timers (a placement's timer is keyed by its bare coid). */
const CANCEL = 'cancel:';
const MODIFY = 'modify:';

/** Wraps a reader-path handler: a throw inside must never reach @stoqey/ib's decoder loop (LEAN #219). */
function safe<A extends unknown[]>(onError: (e: unknown) => void, fn: (...a: A) => void): (...a: A) => void {
  return (...a: A) => {
    try { fn(...a); } catch (e) { onError(e); }
  };
}

/**
 * IBrokerAdapter over TWS. Orders leave only when `health().canTrade` (Connected and the last reconciliation
 * complete); every order carries the account and an orderRef; one id allocator seeded from nextValidId; brackets go
 * out with parentId and transmit=false on all but the last leg. Reconciliation runs at connect, after every
 * reconnect and after 1101/1102, through the connection's sync handler, and gates the return to Connected.
 */
export class TwsBrokerAdapter implements IBrokerAdapter {
  readonly id = 'tws';
  private readonly emitter = new EventEmitter();
  private readonly book = new TwsOrderBook();
  private readonly holdings = new TwsHoldings();
  private readonly flow: TwsOrderFlow;
  private readonly reconciler: TwsReconciler;
  private readonly errors: TwsErrorPolicy;
  private readonly acks: TwsAckWatch;
  private readonly brackets: TwsBracketGuard;
  private readonly pacer: TwsOutboundPacer;
  private readonly sender: TwsOrderSender;
  private reconciled = false;
  private disposed = false;
  private readonly parkTimers = new Set<TimerHandle>();
  private sessionStart: Micros | null;

  constructor(private readonly o: TwsBrokerOptions) {
    const c = o.connection;
    this.sessionStart = o.sessionStart ?? null;
    const emit: Emit = (event, payload) => this.emit(event, payload);
    const now = (): Micros => this.now();
    this.flow = new TwsOrderFlow(this.book, this.holdings, emit, now, o.ids);
    c.observeOrderId(this.flow.ids.maxOrderId); // ids of an earlier run on this journal are taken (IB 103 otherwise)
    this.reconciler = new TwsReconciler(c, this.flow, this.book, this.holdings, emit, now, {
      deadlineMs: o.reconcileDeadlineMs ?? 15_000, account: o.account, clientId: o.clientId ?? 0, since: () => this.sessionStart ?? this.now(),
    });
    this.errors = new TwsErrorPolicy(emit, now);
    this.acks = new TwsAckWatch(o.clock, (o.ackTimeoutMs ?? 5_000) * 1_000, (key) => {
      if (key.startsWith(CANCEL)) void this.requestTimedOut('cancel', key.slice(CANCEL.length));
      else if (key.startsWith(MODIFY)) void this.requestTimedOut('modify', key.slice(MODIFY.length));
      else this.ackTimedOut(key);
    });
    this.brackets = new TwsBracketGuard(this.book, emit, now, (leg) => this.sendCancel(leg));
    this.pacer = o.pacer ?? new TwsOutboundPacer(o.clock);
    this.sender = new TwsOrderSender({
      connection: c, contracts: o.contracts ?? null, pacer: this.pacer, book: this.book, flow: this.flow, holdings: this.holdings,
      account: o.account ?? undefined, emit, now, canTrade: () => this.health().canTrade, sent: (key) => this.acks.start(key),
    });
    this.flow.hooks = {
      heard: (x) => this.acks.stop(x.req.coid),
      terminal: (x, outcome) => {
        this.acks.stop(x.req.coid);
        this.acks.stop(CANCEL + x.req.coid);
        this.acks.stop(MODIFY + x.req.coid);
        if (outcome === 'Rejected') this.brackets.legFailed(x, 'rejected');
        this.brackets.onTerminal(x);
      },
      // On the injected Clock like T_ack: T_park is part of the order contract, replayed under virtual time.
      commissionParked: (execId) => this.park(execId, () => this.flow.expireCommission(execId)),
      executionParked: (execId) => this.park(execId, () => this.flow.expireExecution(execId)),
    };
    c.setSyncHandler((trigger) => this.sync(trigger));
    c.on('state', (from, to, reason) => {
      if (to !== 'Connected') this.reconciled = false;
      if (to !== 'Connected' && to !== 'Degraded') this.acks.stopAll(); // in-flight placements: the disconnect path decides
      this.emit('connection.changed', { from, to, reason, at: this.now() });
      // Nothing waits to be sent on a link that is not Connected (BRK-06): unsent orders are refused before the
      // in-flight ones are judged, so they never count as "sent, then the link dropped".
      if (to !== 'Connected') this.sender.abortAll(`TWS ${to}`);
      if (to === 'Reconnecting') this.markUnknown();
    });
    c.on('code', (code, reqId, message, route) => this.onCode(code, reqId, message, route));
    c.on('notice', (n) => this.emit('broker.error', { code: n.code, harvesterCode: n.harvesterCode, message: n.message, severity: n.severity, at: this.now() }));
    const ib = c.ib;
    const oops = (e: unknown): void => this.emit('broker.anomaly', { kind: 'unknown-status', details: { handlerError: (e as Error)?.message ?? String(e) }, at: this.now() });
    ib.on(EventName.openOrder, safe(oops, (orderId: number, contract: Contract, order: Order, state: OrderState) => this.flow.onOpenOrder(orderId, contract, order, state)));
    ib.on(EventName.orderStatus, safe(oops, (orderId: number, status: string, _f: number, _r: number, _a: number, permId?: number, _p?: number, _l?: number, _c?: number, whyHeld?: string) => this.flow.onStatus(orderId, String(status), permId, whyHeld)));
    ib.on(EventName.execDetails, safe(oops, (reqId: number, contract: Contract, e: Execution) => this.flow.onExecution(reqId ?? -1, contract, e)));
    ib.on(EventName.commissionReport, safe(oops, (r: CommissionReport) => this.flow.onCommission(r)));
  }

  /** The shared connection (state machine, registry), for the feed and for diagnostics. */
  get connection(): TwsConnection {
    return this.o.connection;
  }

  async connect(): Promise<void> {
    this.guard();
    this.sessionStart ??= this.now();
    await this.o.connection.connect();
  }

  async disconnect(): Promise<void> {
    this.o.connection.disconnect();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.acks.stopAll();
    this.sender.abortAll('disposed');
    this.pacer.dispose();
    for (const h of this.parkTimers) this.o.clock.cancelTimer(h);
    this.parkTimers.clear();
    this.o.connection.dispose();
    this.disposed = true;
    this.emitter.removeAllListeners();
  }

  submit(order: OrderRequest): SubmitReceipt {
    this.guard();
    const refusal = this.refusal(order);
    if (refusal !== null) return this.refuse(order.coid, refusal[0], refusal[1]);
    // The receipt and order.submitted now; the placement leaves once qualified and paced (acknowledged from then on).
    this.sender.place([this.track(order)]);
    return { coid: order.coid, status: 'sent' };
  }

  submitBracket(b: BracketRequest): SubmitReceipt {
    this.guard();
    for (const leg of [b.parent, b.stopLoss, b.takeProfit]) {
      const refusal = this.refusal(leg);
      if (refusal !== null) return this.refuse(b.parent.coid, refusal[0], refusal[1]);
    }
    this.brackets.add(b);
    // The legs leave together with contiguous ids; every leg must then be acknowledged within T_ack (§4.4).
    this.sender.place([this.track(b.parent), this.track(b.stopLoss), this.track(b.takeProfit)], b.stopLoss.ocaGroup ?? `${b.bracketId}-oca`);
    return { coid: b.parent.coid, status: 'sent' };
  }

  cancel(coid: string): void {
    this.guard();
    const o = this.book.byCoid.get(coid);
    if (!this.health().canTrade) {
      this.emit('order.cancel-rejected', { coid, code: 'BROKER.NOT_CONNECTED', reason: this.o.connection.state, reconciled: false, at: this.now() });
      return;
    }
    if (o === undefined) {
      this.emit('order.cancel-rejected', { coid, code: 'ORDER.UNKNOWN', reason: 'no such order', reconciled: false, at: this.now() });
      return;
    }
    if (TERMINAL_STATUSES.has(o.status)) {
      // Nothing to cancel: answering locally keeps TWS out of it (it would say 10148, or 10147 after a restart).
      this.emit('order.cancel-rejected', { coid, code: 'ORDER.NOT_OPEN', reason: `order is ${o.status}`, reconciled: false, at: this.now() });
      return;
    }
    if (o.orderId === UNSENT) return this.sender.cancel(o); // never sent: cancelled here, nothing leaves
    o.cancelRequested = true;
    this.emit('order.cancel-requested', { coid, at: this.now() });
    this.sender.cancel(o);
  }

  modify(coid: string, changes: OrderChanges): void {
    this.guard();
    const o = this.book.byCoid.get(coid);
    const refusal = o === undefined ? 'ORDER.UNKNOWN' : !this.health().canTrade ? 'BROKER.NOT_CONNECTED' : TERMINAL_STATUSES.has(o.status) ? 'ORDER.NOT_OPEN'
      : localRefusal({ ...o.req, ...changes }, this.o.tickOf ?? (() => undefined))?.[0] ?? null;
    if (o === undefined || refusal !== null) {
      this.emit('order.modify-rejected', { coid, code: refusal ?? 'ORDER.UNKNOWN', reason: 'cannot modify', reconciled: false, at: this.now() });
      return;
    }
    // The order keeps its venue values until TWS acknowledges the new ones (a refused modify changes nothing, §4.3);
    // an order not yet sent takes them at once.
    if (o.orderId !== UNSENT) this.emit('order.modify-requested', { coid, changes, at: this.now() });
    this.sender.modify(o, changes);
  }

  /** A reconciliation pass on request; it never unblocks trading by itself (only the connection's sync does). */
  async reconcile(): Promise<void> {
    this.guard();
    await this.reconciler.run('request');
  }

  openOrders(): readonly OpenOrder[] {
    return this.book.open(true).map((o) => ({
      coid: o.req.coid, brokerOrderId: o.orderId === UNSENT ? null : String(o.orderId), symbol: o.req.symbol, side: o.req.side, type: o.req.type, quantity: o.req.quantity,
      limitPrice: o.req.limitPrice ?? null, triggerPrice: o.req.triggerPrice ?? null, filledQuantity: o.filled, status: o.status,
      orderRef: o.req.orderRef, parentCoid: o.req.parentCoid ?? null, bracketId: o.req.bracketId ?? null,
    }));
  }

  orderStatus(coid: string): OrderStatus | null {
    return this.book.byCoid.get(coid)?.status ?? null;
  }

  positions(): readonly Position[] {
    return this.holdings.positions();
  }

  accountSnapshot(): AccountSnapshot {
    // Cash is what the fills and commissions moved; positions are carried at cost (the adapter keeps no marks), so
    // equity = cash + cost basis and unrealized PnL is 0 here.
    const realized = this.holdings.realized();
    const cash = this.o.startEquity + this.holdings.cashFlow - this.flow.commissionsPaid;
    const equity = cash + this.holdings.carried();
    return { account: this.o.account ?? '', currency: 'USD', equity, cash, buyingPower: cash, realizedPnl: realized, unrealizedPnl: 0, time: this.now() };
  }

  health(): BrokerHealth {
    const c = this.o.connection;
    const canTrade = c.state === 'Connected' && this.reconciled && !this.disposed;
    const detail = canTrade ? 'TWS ready' : c.state === 'Connected' ? 'TWS: reconciliation pending' : `TWS ${c.state}`;
    return {
      state: c.state, lastHeard: this.flow.lastHeard ?? c.lastHeartbeatAt, canTrade, readOnly: false, account: this.o.account, detail,
      lastHeartbeatAt: c.lastHeartbeatAt, clockSkew: c.clockSkewUs, reconnectCount: c.reconnects,
    };
  }

  on<K extends BrokerEventName>(event: K, listener: (payload: BrokerEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  // ---- sync, codes ----

  private async sync(trigger: SyncTrigger): Promise<SyncVerdict> {
    const c = this.o.connection;
    if (this.o.account !== null && !c.accounts.includes(this.o.account)) {
      // The venue refused the configured account: an authentication failure (card BRK-01 b), fatal and never retried.
      // The account id is an identifier, not a credential, so naming it tells the operator which one to fix.
      return new HarvesterError('BROKER.AUTH_FAILED', `the configured account ${this.o.account} is not among the accounts this TWS session manages`);
    }
    const map: Record<SyncTrigger, ReconcileTrigger> = { connect: 'connect', reconnect: 'reconnect', restored: 'restored' };
    const result: ReconcileResult = await this.reconciler.run(map[trigger]);
    this.reconciled = result.status === 'complete';
    return this.reconciled ? 'ok' : 'retry';
  }

  /** The link dropped: orders sent but never acknowledged are "unknown" until reconciliation finds them. */
  private markUnknown(): void {
    for (const o of this.book.open()) {
      if (o.status !== 'PendingSubmit') continue;
      this.acks.stop(o.req.coid);
      o.status = 'Unknown';
      this.emit('order.unknown', { coid: o.req.coid, cause: 'disconnect-after-send', at: this.now() });
    }
  }

  private onCode(code: number, reqId: number, message: string, route: 'system' | 'request' | 'late' | 'none'): void {
    if (code === 100) {
      // TWS counted more than it allows: slow the pacer down (BRK-08 b). The broker.error below still reaches the
      // kill switch, which decides what repeated violations mean (RISK-14).
      this.pacer.backoff();
      this.emit('broker.anomaly', { kind: 'pacing', details: { code, message, ratePerSecond: Math.round(this.pacer.ratePerSecond) }, at: this.now() });
    }
    const o = route === 'none' && reqId >= 0 ? this.book.byId.get(reqId) : undefined;
    if (o !== undefined) o.lastError = `IB ${code}: ${message}`;
    if (o !== undefined && this.errors.invalidatesOrder(code) && (o.status === 'PendingSubmit' || o.status === 'Accepted' || o.status === 'Unknown')) {
      this.flow.rejected(o, message, code, this.errors.harvesterCode(code));
      return;
    }
    if (o !== undefined && this.refusesCancelOrModify(o, code, message)) return;
    if (route === 'late') return; // an answer for a request that already ended: absorbed (§3.2)
    this.errors.report(code, reqId, message, this.o.connection.state);
  }

  /**
   * Cancel and modify refusals leave the order's TWS state alone (§4.3): the cancel or modify failed, not the order.
   * "Not found" (10147) can mean filled or bound under another id after a gateway restart: reconcile to find out.
   */
  private refusesCancelOrModify(o: TwsOrder, code: number, message: string): boolean {
    const coid = o.req.coid;
    if (code === 10147 || code === 10148 || code === 161) {
      this.acks.stop(CANCEL + coid); // the venue answered the cancel
      const filled = o.status === 'Filled' || /filled/i.test(message);
      const hc = code === 10147 ? 'ORDER.NOT_FOUND' : filled ? 'ORDER.ALREADY_FILLED' : 'ORDER.NOT_OPEN';
      this.emit('order.cancel-rejected', { coid, code: hc, reason: `IB ${code}: ${message}`, reconciled: false, at: this.now() });
      if (code === 10147 && this.health().canTrade) void this.reconciler.run('request');
      return true;
    }
    if (code === 104 || code === 105 || code === 2102) {
      const hc = code === 104 ? 'ORDER.ALREADY_FILLED' : code === 105 ? 'ORDER.REJECTED' : 'ORDER.MODIFY_IN_PROGRESS';
      // 104: nothing of any pending modify can happen. 105 and 2102 refuse the modify they answer, the last one sent:
      // an earlier one is still on its way and its acknowledgement still counts.
      const list = o.modifies ?? [];
      if (code === 104) list.splice(0);
      else {
        const last = list.map((m) => m.sent).lastIndexOf(true);
        if (last >= 0) list.splice(last, 1);
      }
      if (list.length === 0) this.acks.stop(MODIFY + coid);
      this.emit('order.modify-rejected', { coid, code: hc, reason: `IB ${code}: ${message}`, reconciled: false, at: this.now() });
      return true;
    }
    return false;
  }

  // ---- helpers ----

  /** Books the order (id allocated when its placement leaves) and emits order.submitted. */
  private track(order: OrderRequest): TwsOrder {
    const o: TwsOrder = { req: order, orderId: UNSENT, permId: null, status: 'PendingSubmit', filled: 0, accepted: false, cancelRequested: false };
    this.book.add(o);
    this.emit('order.submitted', {
      coid: order.coid, symbol: order.symbol, side: order.side, type: order.type, qty: order.quantity, price: order.limitPrice ?? null,
      triggerPrice: order.triggerPrice ?? null, tif: order.tif, orderRef: order.orderRef, bracketId: order.bracketId ?? null, parentCoid: order.parentCoid ?? null, at: this.now(),
    });
    return o;
  }

  private refusal(order: OrderRequest): [string, string] | null {
    const h = this.health();
    if (!h.canTrade) return ['BROKER.NOT_CONNECTED', h.detail];
    if (this.book.byCoid.has(order.coid)) return ['ORDER.DUPLICATE_ID', order.coid];
    return localRefusal(order, this.o.tickOf ?? (() => undefined));
  }

  /** A cancel the adapter decides itself (a failed bracket); only on a tradable link, else reconciliation settles it. */
  private sendCancel(o: TwsOrder): boolean {
    if (!this.health().canTrade && o.orderId !== UNSENT) return false;
    this.sender.cancelLeg(o);
    return true;
  }

  /**
   * TWS never acknowledged a placement within T_ack: "unknown, reconcile" (§4.7), never a guessed reject and never a
   * re-send. A bracket leg fails its bracket first, so the reconciliation sees the cancels of the other legs.
   */
  private ackTimedOut(coid: string): void {
    const o = this.book.byCoid.get(coid);
    if (o === undefined || o.status !== 'PendingSubmit' || this.disposed) return;
    o.status = 'Unknown';
    this.emit('order.unknown', { coid, cause: 'ack-timeout', at: this.now() });
    const reconcile = (): void => { if (this.o.connection.linkUp) void this.reconciler.run('ack-timeout'); };
    if (!this.brackets.legFailed(o, 'unknown', reconcile)) reconcile();
  }

  /** Runs `expire` after T_park on the injected Clock, unless the adapter is disposed first. */
  private park(execId: string, expire: () => void): void {
    const h = this.o.clock.setTimeout((this.o.parkTimeoutMs ?? 60_000) * 1_000, () => {
      this.parkTimers.delete(h);
      expire();
    }, `tws park ${execId}`);
    this.parkTimers.add(h);
  }

  /**
   * TWS never answered a cancel or modify within T_ack (BRK-53 b, c): reconcile, then judge from what the venue shows.
   * Nothing is refused at the timeout itself: the answer may still be on its way, and a refusal there would be a guess.
   */
  private async requestTimedOut(kind: 'cancel' | 'modify', coid: string): Promise<void> {
    const o = this.book.byCoid.get(coid);
    if (o === undefined || this.disposed || TERMINAL_STATUSES.has(o.status)) return;
    if (kind === 'cancel' && (!o.cancelRequested || o.status === 'PendingCancel')) return;
    if (kind === 'modify' && (o.modifies ?? []).length === 0) return;
    if (!this.o.connection.linkUp) return; // the reconnect's own reconciliation settles it
    await this.reconciler.run('ack-timeout');
    if (this.disposed || TERMINAL_STATUSES.has(o.status)) return; // the verdict settled it (cancelled, or filled)
    if (kind === 'cancel' && o.cancelRequested) {
      o.cancelRequested = false;
      this.emit('order.cancel-rejected', { coid, code: 'ORDER.CANCEL_UNCONFIRMED', reason: 'no answer from TWS; the order is still working there', reconciled: true, at: this.now() });
    } else if (kind === 'modify' && (o.modifies ?? []).length > 0) {
      o.modifies = [];
      this.emit('order.modify-rejected', { coid, code: 'ORDER.MODIFY_UNCONFIRMED', reason: 'no answer from TWS; the order keeps its venue values', reconciled: true, at: this.now() });
    }
  }

  private refuse(coid: string, code: string, reason: string): SubmitReceipt {
    this.emit('order.rejected', { coid, origin: 'adapter', code, reason, venueCode: null, at: this.now() });
    return { coid, status: 'rejected', code, reason };
  }

  private guard(): void {
    if (this.disposed) throw new HarvesterError('BROKER.DISPOSED', 'TWS broker adapter used after dispose()');
  }

  private now(): Micros {
    return this.o.clock.now();
  }

  private emit<K extends BrokerEventName>(event: K, payload: BrokerEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}
