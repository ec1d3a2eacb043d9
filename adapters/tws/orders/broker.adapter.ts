import { EventEmitter } from 'eventemitter3';
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
import { TERMINAL_STATUSES } from '../../../core/domain/orders.js';
import type { Micros } from '../../../core/domain/units.js';
import type { ErrorCode } from '../../../core/domain/error-codes.js';
import type { BrokerEventName, BrokerEvents, BrokerHealth, IBrokerAdapter } from '../../../ports/broker-adapter.js';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { TwsAccountIdentity } from './account-identity.js';
import { openOrderViews } from './account-view.js';
import { TwsAccountSummary } from './account-summary.js';
import { TwsCommissionWatch } from './commission-watch.js';
import { TwsPeriodicSync } from './periodic-sync.js';
import { DEFAULT_SKEW, TwsSkewWatch } from '../connection/skew-watch.js';
import { CANCEL, MODIFY, TwsAckWatch } from './ack-watch.js';
import { TwsBracketGuard } from './bracket-guard.js';
import { TwsCodeRouter } from '../errors/code-router.js';
import type { SyncTrigger, SyncVerdict, TwsConnection } from '../connection/connection.js';
import { TwsHoldings } from './holdings.js';
import { localRefusal } from './order-checks.js';
import { TwsOrderLedger, UNSENT, type TwsOrder } from './order-ledger.js';
import { listenForOrderEvents } from './order-events.js';
import { TwsOrderFlow, type Emit } from './order-flow.js';
import { TwsOrderSender } from './order-sender.js';
import { TwsOrderTimeouts } from './order-timeouts.js';
import { TwsOutboundPacer } from '../connection/outbound-pacer.js';
import { TwsReconciler, type ReconcileResult, type ReconcileTrigger } from './reconciler.js';
import type { TwsBrokerOptions } from './broker.types.js';

export type { TwsBrokerOptions } from './broker.types.js';

/**
 * IBrokerAdapter over TWS. Orders leave only when `health().canTrade` (Connected and the last reconciliation
 * complete); every order carries the account and an orderRef; one id allocator seeded from nextValidId; brackets go
 * out with parentId and transmit=false on all but the last leg. Reconciliation runs at connect, after every
 * reconnect and after 1101/1102, through the connection's sync handler, and gates the return to Connected.
 */
export class TwsBrokerAdapter implements IBrokerAdapter {
  readonly id = 'tws';
  private readonly emitter = new EventEmitter();
  private readonly ledger = new TwsOrderLedger();
  private readonly holdings = new TwsHoldings();
  private readonly flow: TwsOrderFlow;
  private readonly reconciler: TwsReconciler;
  private readonly codes: TwsCodeRouter;
  private readonly acks: TwsAckWatch;
  private readonly timeouts: TwsOrderTimeouts;
  private readonly brackets: TwsBracketGuard;
  private readonly pacer: TwsOutboundPacer;
  private readonly sender: TwsOrderSender;
  private readonly summary: TwsAccountSummary;
  private readonly periodic: TwsPeriodicSync;
  private readonly commissions: TwsCommissionWatch;
  private readonly skew: TwsSkewWatch;
  private readonly identity: TwsAccountIdentity;
  private reconciled = false;
  private disposed = false;
  /** TWS's text of the first read-only refusal; non-null means no order message leaves again this session. */
  private readOnlyText: string | null = null;
  /** The read-only probe in flight (its order id), and whether TWS has answered one this session. */
  private probe: { id: number; answered: () => void; abandon: () => void } | null = null;
  private probed = false;
  private sessionStart: Micros | null;

  constructor(private readonly o: TwsBrokerOptions) {
    const c = o.connection;
    this.sessionStart = o.sessionStart ?? null;
    const emit: Emit = (event, payload) => this.emit(event, payload);
    const now = (): Micros => this.now();
    this.flow = new TwsOrderFlow(this.ledger, this.holdings, emit, now, o.ids);
    c.observeOrderId(this.flow.ids.maxOrderId); // ids of an earlier run on this journal are taken (IB 103 otherwise)
    this.reconciler = new TwsReconciler(c, this.flow, this.ledger, this.holdings, emit, now, {
      deadlineMs: o.reconcileDeadlineMs ?? 15_000,
      account: o.account,
      clientId: o.clientId ?? 0,
      since: () => this.sessionStart ?? this.now(),
    });
    this.acks = new TwsAckWatch(o.clock, (o.ackTimeoutMs ?? 5_000) * 1_000, (key) => this.timeouts.expired(key));
    this.brackets = new TwsBracketGuard(this.ledger, emit, now, (leg) => this.sendCancel(leg));
    this.timeouts = new TwsOrderTimeouts({
      clock: o.clock,
      parkTimeoutMs: o.parkTimeoutMs,
      ledger: this.ledger,
      brackets: this.brackets,
      reconciler: this.reconciler,
      emit,
      now,
      linkUp: () => c.linkUp,
      disposed: () => this.disposed,
    });
    this.pacer = o.pacer ?? new TwsOutboundPacer(o.clock);
    this.codes = new TwsCodeRouter({
      ledger: this.ledger,
      flow: this.flow,
      pacer: this.pacer,
      acks: this.acks,
      reconciler: this.reconciler,
      emit,
      now,
      state: () => c.state,
      canTrade: () => this.health().canTrade,
      readOnly: (m) => this.onReadOnly(m),
      probeAnswered: (reqId) => {
        if (this.probe?.id !== reqId) return false;
        this.probe.answered();
        return true;
      },
    });
    this.sender = new TwsOrderSender({
      connection: c,
      contracts: o.contracts ?? null,
      pacer: this.pacer,
      ledger: this.ledger,
      flow: this.flow,
      holdings: this.holdings,
      account: o.account ?? undefined,
      emit,
      now,
      canTrade: () => this.health().canTrade,
      sent: (key) => this.acks.start(key),
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
      commissionParked: (execId) => this.timeouts.park(execId, () => this.flow.expireCommission(execId)),
      executionParked: (execId) => this.timeouts.park(execId, () => this.flow.expireExecution(execId)),
    };
    // Account truth, periodic reconciliation, commission-missing and clock skew (docs/tws-account-and-reconciliation.md).
    const deadlineMs = o.reconcileDeadlineMs ?? 15_000;
    this.summary = new TwsAccountSummary(c, o.account, emit, now, deadlineMs);
    this.identity = new TwsAccountIdentity(c, o.account, o.startEquity, this.holdings, this.flow, this.summary);
    this.periodic = new TwsPeriodicSync(c.timers, o.reconcileIntervalMs ?? 60_000, () => this.periodicPass());
    this.commissions = new TwsCommissionWatch(o.clock, o.commissionTimeoutMs ?? 60_000, emit);
    this.skew = new TwsSkewWatch(o.clockSkew ?? DEFAULT_SKEW, emit, now);
    this.on('order.filled', (f) => {
      if (f.commission === null) this.commissions.expect(f.execId, f.coid, f.symbol);
    });
    this.on('commission.reported', (r) => this.commissions.arrived(r.execId));
    this.on('account.updated', () => this.identity.summaryArrived(this.now()));
    c.on('heartbeat', (skewUs) => this.skew.measured(skewUs));
    c.setSyncHandler((trigger) => this.sync(trigger));
    c.on('state', (from, to, reason) => {
      if (to !== 'Connected') this.reconciled = false;
      if (to === 'Connected') this.periodic.start();
      else if (to !== 'Degraded') this.periodic.stop();
      if (to !== 'Connected' && to !== 'Degraded') this.acks.stopAll(); // in-flight placements: the disconnect path decides
      this.emit('connection.changed', { from, to, reason, at: this.now() });
      // Nothing waits to be sent on a link that is not Connected (BRK-06, docs/conformance-cards.md#brk-06): unsent orders are refused
      // before the in-flight ones are judged, so they never count as "sent, then the link dropped".
      if (to !== 'Connected') this.sender.abortAll(`TWS ${to}`);
      if (to === 'Reconnecting') this.markUnknown();
      // A probe's answer cannot come over a lost link: the next sync asks again.
      if (to === 'Reconnecting' || to === 'Halting' || to === 'Disconnected') this.probe?.abandon();
    });
    c.on('code', (code, reqId, message, route) => this.codes.route(code, reqId, message, route));
    c.on('notice', (n) =>
      this.emit('broker.error', { code: n.code, harvesterCode: n.harvesterCode, message: n.message, severity: n.severity, at: this.now() }),
    );
    c.on('frames', (r) => this.emit('broker.anomaly', { kind: 'malformed-frames', details: { ...r }, at: this.now() }));
    const oops = (e: unknown): void =>
      this.emit('broker.anomaly', {
        kind: 'unknown-status',
        details: { handlerError: (e as Error)?.message ?? String(e) },
        at: this.now(),
      });
    listenForOrderEvents(c.ib, this.flow, oops);
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
    this.periodic.stop();
    this.commissions.dispose();
    this.sender.abortAll('disposed');
    this.pacer.dispose();
    this.timeouts.dispose();
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
    // The legs leave together with contiguous ids; every leg must then be acknowledged within T_ack (docs/tws-adapter.md#brackets).
    this.sender.place(
      [this.track(b.parent), this.track(b.stopLoss), this.track(b.takeProfit)],
      b.stopLoss.ocaGroup ?? `${b.bracketId}-oca`,
    );
    return { coid: b.parent.coid, status: 'sent' };
  }

  cancel(coid: string): void {
    this.guard();
    const o = this.ledger.byCoid.get(coid);
    if (!this.health().canTrade) {
      this.emit('order.cancel-rejected', {
        coid,
        code: 'BROKER.NOT_CONNECTED',
        reason: this.o.connection.state,
        reconciled: false,
        at: this.now(),
      });
      return;
    }
    if (this.readOnlyText !== null && o !== undefined && o.orderId !== UNSENT) {
      // TWS would answer 321 again, and a 321 on a working order must not read as its rejection.
      this.emit('order.cancel-rejected', {
        coid,
        code: 'BROKER.READ_ONLY',
        reason: 'the TWS API is read-only',
        reconciled: false,
        at: this.now(),
      });
      return;
    }
    if (o === undefined) {
      this.emit('order.cancel-rejected', { coid, code: 'ORDER.UNKNOWN', reason: 'no such order', reconciled: false, at: this.now() });
      return;
    }
    if (TERMINAL_STATUSES.has(o.status)) {
      // Nothing to cancel: answering locally keeps TWS out of it (it would say 10148, or 10147 after a restart).
      this.emit('order.cancel-rejected', {
        coid,
        code: 'ORDER.NOT_OPEN',
        reason: `order is ${o.status}`,
        reconciled: false,
        at: this.now(),
      });
      return;
    }
    if (o.orderId === UNSENT) return this.sender.cancel(o); // never sent: cancelled here, nothing leaves
    o.cancelRequested = true;
    this.emit('order.cancel-requested', { coid, at: this.now() });
    this.sender.cancel(o);
  }

  modify(coid: string, changes: OrderChanges): void {
    this.guard();
    const o = this.ledger.byCoid.get(coid);
    const refusal: ErrorCode | null =
      o === undefined
        ? 'ORDER.UNKNOWN'
        : !this.health().canTrade
          ? 'BROKER.NOT_CONNECTED'
          : this.readOnlyText !== null
            ? 'BROKER.READ_ONLY'
            : TERMINAL_STATUSES.has(o.status)
              ? 'ORDER.NOT_OPEN'
              : (localRefusal({ ...o.req, ...changes }, this.o.tickOf ?? (() => undefined))?.[0] ?? null);
    if (o === undefined || refusal !== null) {
      this.emit('order.modify-rejected', {
        coid,
        code: refusal ?? 'ORDER.UNKNOWN',
        reason: 'cannot modify',
        reconciled: false,
        at: this.now(),
      });
      return;
    }
    // The order keeps its venue values until TWS acknowledges the new ones (a refused modify changes nothing,
    // docs/tws-adapter.md#modify-cancel); an order not yet sent takes them at once.
    if (o.orderId !== UNSENT) this.emit('order.modify-requested', { coid, changes, at: this.now() });
    this.sender.modify(o, changes);
  }

  /** A reconciliation pass on request; it never unblocks trading by itself (only the connection's sync does). */
  async reconcile(): Promise<void> {
    this.guard();
    await this.reconciler.run('request');
  }

  openOrders(): readonly OpenOrder[] {
    return openOrderViews(this.ledger);
  }

  orderStatus(coid: string): OrderStatus | null {
    return this.ledger.byCoid.get(coid)?.status ?? null;
  }

  positions(): readonly Position[] {
    return this.holdings.positions();
  }

  /** TWS's figures moved by the local fills since the last summary (TwsAccountIdentity.snapshot). */
  accountSnapshot(): AccountSnapshot {
    return this.identity.snapshot(this.now());
  }

  health(): BrokerHealth {
    const c = this.o.connection;
    const canTrade = c.state === 'Connected' && this.reconciled && !this.disposed;
    const readOnly = this.readOnlyText !== null;
    const detail = readOnly
      ? 'TWS API is read-only: orders are refused'
      : canTrade
        ? 'TWS ready'
        : c.state === 'Connected'
          ? 'TWS: reconciliation pending'
          : `TWS ${c.state}`;
    return {
      state: c.state,
      lastHeard: this.flow.lastHeard ?? c.lastHeartbeatAt,
      canTrade,
      readOnly,
      account: this.identity.reported(),
      detail,
      lastHeartbeatAt: c.lastHeartbeatAt,
      clockSkew: c.clockSkewUs,
      reconnectCount: c.reconnects,
      droppedFrames: c.frameStats.dropped,
    };
  }

  on<K extends BrokerEventName>(event: K, listener: (payload: BrokerEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  // ---- sync ----

  private async sync(trigger: SyncTrigger): Promise<SyncVerdict> {
    const mismatch = this.identity.mismatch();
    if (mismatch !== null) return mismatch;
    const map: Record<SyncTrigger, ReconcileTrigger> = { connect: 'connect', reconnect: 'reconnect', restored: 'restored' };
    // The account figures belong to the same picture as the positions, so they are asked for in the same burst; a
    // summary TWS does not answer leaves the kernel without account truth (entries wait for it), never the link unusable.
    const [result] = (await Promise.all([this.reconciler.run(map[trigger]), this.summary.refresh()])) as [ReconcileResult, unknown];
    if (result.status === 'complete' && !this.probed && this.probe === null && this.o.readOnlyProbe !== false) this.probeReadOnly();
    this.reconciled = result.status === 'complete';
    return this.reconciled ? 'ok' : 'retry';
  }

  /**
   * Learns, normally before the first entry, whether TWS's API is read-only (docs/tws-wire-safety.md): cancels an
   * order id never used. TWS answers 10147 "not found" when orders are allowed and 321 read-only otherwise; either
   * answer is absorbed by the code router, and a 321 sets read-only there. It does not hold the connect: the answer
   * comes within a round trip, long before a strategy has the data for an entry; an entry racing it is caught by the
   * first-321 rule. No answer within readOnlyProbeMs: the next sync asks again.
   */
  private probeReadOnly(): void {
    const c = this.o.connection;
    if (!c.linkUp) return;
    const id = c.allocateId();
    const end = (answered: boolean): void => {
      if (this.probe?.id !== id) return;
      this.probe = null;
      cancel();
      if (answered) this.probed = true;
    };
    const cancel = c.timers.after(this.o.readOnlyProbeMs ?? 2_000, () => end(false), 'tws read-only probe');
    this.probe = { id, answered: () => end(true), abandon: () => end(false) };
    c.ib.cancelOrder(id);
  }

  /** One periodic pass: the broker wins on positions and orders (reconciler), then the account figures. */
  private async periodicPass(): Promise<void> {
    if (this.disposed || this.o.connection.state !== 'Connected') return;
    await Promise.all([this.reconciler.run('periodic'), this.summary.refresh()]);
  }

  /** The link dropped: orders sent but never acknowledged are "unknown" until reconciliation finds them. */
  private markUnknown(): void {
    for (const o of this.ledger.open()) {
      if (o.status !== 'PendingSubmit') continue;
      this.acks.stop(o.req.coid);
      o.status = 'Unknown';
      this.emit('order.unknown', { coid: o.req.coid, cause: 'disconnect-after-send', at: this.now() });
    }
  }

  // ---- helpers ----

  /** Enters the order in the ledger (id allocated when its placement leaves) and emits order.submitted. */
  private track(order: OrderRequest): TwsOrder {
    const o: TwsOrder = {
      req: order,
      orderId: UNSENT,
      permId: null,
      status: 'PendingSubmit',
      filled: 0,
      accepted: false,
      cancelRequested: false,
    };
    this.ledger.add(o);
    this.emit('order.submitted', {
      coid: order.coid,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      qty: order.quantity,
      price: order.limitPrice ?? null,
      triggerPrice: order.triggerPrice ?? null,
      tif: order.tif,
      orderRef: order.orderRef,
      bracketId: order.bracketId ?? null,
      parentCoid: order.parentCoid ?? null,
      at: this.now(),
    });
    return o;
  }

  /**
   * The first read-only refusal: from here on nothing is sent (orders queued for qualification or pacing are
   * refused here), `health().readOnly` fails the order-placement start gate, and one `broker.error` with
   * BROKER.READ_ONLY tells the operator and the kill switch (SAFE_MODE, core/risk/auto-triggers.ts).
   */
  private onReadOnly(message: string): void {
    if (this.readOnlyText !== null) return;
    this.readOnlyText = message;
    this.sender.abortAll('the TWS API is read-only');
    this.emit('broker.error', {
      code: 321,
      harvesterCode: 'BROKER.READ_ONLY',
      severity: 'error',
      at: this.now(),
      message:
        'TWS refuses orders: its API is read-only (uncheck "Read-Only API" in TWS/Gateway, Global Configuration → API → Settings, ' +
        `then restart the session). TWS said: ${message}`,
    });
  }

  private refusal(order: OrderRequest): [ErrorCode, string] | null {
    if (this.readOnlyText !== null) return ['BROKER.READ_ONLY', 'the TWS API is read-only: no order is sent'];
    const h = this.health();
    if (!h.canTrade) return ['BROKER.NOT_CONNECTED', h.detail];
    if (this.ledger.byCoid.has(order.coid)) return ['ORDER.DUPLICATE_ID', order.coid];
    return localRefusal(order, this.o.tickOf ?? (() => undefined));
  }

  /** A cancel the adapter decides itself (a failed bracket); only on a tradable link, else reconciliation settles it. */
  private sendCancel(o: TwsOrder): boolean {
    if (!this.health().canTrade && o.orderId !== UNSENT) return false;
    this.sender.cancelLeg(o);
    return true;
  }

  private refuse(coid: string, code: ErrorCode, reason: string): SubmitReceipt {
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
