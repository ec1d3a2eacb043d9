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
} from '../../core/domain/orders.js';
import type { Money } from '../../core/domain/units.js';
import type { ErrorCode } from '../../core/domain/error-codes.js';
import { HarvesterError } from '../../core/errors/harvester-error.js';
import type {
  BrokerEventName,
  BrokerEvents,
  BrokerHealth,
  ConnectionState,
  IBrokerAdapter,
  VenueExecution,
} from '../../ports/broker-adapter.js';
import type { Clock } from '../../ports/clock.js';
import type { SeededRandom } from '../../ports/strategy.js';
import type { MarketView } from '../../plugins/sdk/contexts.js';
import type { CommissionParams } from './commission-model.js';
import { SimAccount } from './sim-account.js';
import { SimMatcher } from './sim-matcher.js';
import { isTerminal, leaves, type SimOrder } from './sim-order.js';

export interface SimulatedBrokerOptions {
  clock: Clock;
  market: MarketView;
  random: SeededRandom;
  latencyUs: number;
  jitterUs: number;
  commission: CommissionParams;
  queueModel: 'tail' | 'probabilistic';
  startEquity: Money;
  account: string;
  execPrefix: string;
  /** Minimum price increment of a symbol (Price units); default one cent. */
  tickOf?: (symbol: string) => number | undefined;
  /** Whether the venue lists a symbol; default: it has a book. */
  lists?: (symbol: string) => boolean;
  /** The matching engine; default SimMatcher. The property tests put a scanning reference here to compare fills. */
  Matcher?: typeof SimMatcher;
}

/**
 * A venue simulator behind IBrokerAdapter. Orders arrive after a seeded entry latency; market and marketable orders
 * walk the displayed book; resting limits join at the back of the displayed size and advance as prints trade at
 * their price (and, with the probabilistic model, as size ahead is cancelled); stops trigger on prints. Brackets
 * activate their children when the parent fills; children are OCA. Deterministic for a given event stream and seed.
 */
export class SimulatedBroker implements IBrokerAdapter {
  readonly id = 'simulated';
  private readonly emitter = new EventEmitter();
  private readonly orders = new Map<string, SimOrder>();
  private readonly venueExecs: VenueExecution[] = [];
  private state: ConnectionState = 'Disconnected';
  private disposed = false;
  private readonly acct: SimAccount;
  private readonly matcher: SimMatcher;
  private readonly detach: Array<() => void> = [];
  private pendingReject: { reason: string; venueCode: number } | null = null;

  constructor(private readonly o: SimulatedBrokerOptions) {
    this.acct = new SimAccount(o.startEquity);
    this.matcher = new (o.Matcher ?? SimMatcher)(o, this.orders, this.acct, (event, payload) => {
      if (event === 'order.filled') {
        const f = payload as BrokerEvents['order.filled'];
        this.venueExecs.push({
          execId: f.execId,
          coid: f.coid,
          symbol: f.symbol,
          side: f.side,
          qty: f.qty,
          price: f.price,
          commission: f.commission,
        });
      }
      this.emit(event, payload);
    });
    this.detach.push(o.market.onTrade((t, book) => this.matcher.onTrade(t, book)));
    this.detach.push(o.market.onDepth((e, book) => this.matcher.onDepth(e, book)));
  }

  async connect(): Promise<void> {
    this.guard();
    if (this.state !== 'Disconnected') return;
    this.transition('Connecting', 'requested');
    // The venue's state is known at once; the pass still happens so consumers see the same sequence as on TWS.
    this.emit('reconciliation.started', { trigger: 'connect', at: this.now() });
    this.emit('reconciliation.completed', {
      status: 'complete',
      adopted: 0,
      adoptedCoids: [],
      closed: 0,
      unresolved: 0,
      unresolvedCoids: [],
      discrepancies: [],
      at: this.now(),
    });
    this.transition('Connected', 'ready');
  }

  async disconnect(): Promise<void> {
    if (this.state === 'Disconnected') return;
    this.transition('Disconnected', 'requested');
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    if (this.state !== 'Disconnected') this.transition('Disconnected', 'disposed');
    for (const d of this.detach.splice(0)) d();
    this.disposed = true;
  }

  submit(order: OrderRequest): SubmitReceipt {
    this.guard();
    const refusal = this.validate(order);
    if (refusal !== null) return this.refuse(order.coid, refusal[0], refusal[1]);
    this.track(order, null);
    this.afterLatency(() => this.arrive(order.coid));
    return { coid: order.coid, status: 'sent' };
  }

  submitBracket(b: BracketRequest): SubmitReceipt {
    this.guard();
    for (const leg of [b.parent, b.stopLoss, b.takeProfit]) {
      const refusal = this.validate(leg);
      if (refusal !== null) {
        this.emit('bracket.failed', {
          bracketId: b.bracketId,
          leg: leg === b.parent ? 'parent' : leg === b.stopLoss ? 'stop-loss' : 'take-profit',
          cause: refusal[1],
          at: this.now(),
        });
        return this.refuse(b.parent.coid, refusal[0], refusal[1]);
      }
    }
    const parent = this.track(b.parent, null);
    parent.children.push(b.stopLoss.coid, b.takeProfit.coid);
    const budget = { cap: 0, filled: 0 };
    parent.budget = budget;
    this.track(b.stopLoss, b.parent.coid).budget = budget;
    this.track(b.takeProfit, b.parent.coid).budget = budget;
    this.afterLatency(() => this.arrive(b.parent.coid));
    return { coid: b.parent.coid, status: 'sent' };
  }

  cancel(coid: string): void {
    this.guard();
    const o = this.orders.get(coid);
    if (this.state !== 'Connected') {
      this.emit('order.cancel-rejected', {
        coid,
        code: 'BROKER.NOT_CONNECTED',
        reason: `broker is ${this.state}`,
        reconciled: false,
        at: this.now(),
      });
      return;
    }
    if (o === undefined) {
      this.emit('order.cancel-rejected', { coid, code: 'ORDER.UNKNOWN', reason: 'no such order', reconciled: false, at: this.now() });
      return;
    }
    this.emit('order.cancel-requested', { coid, at: this.now() });
    this.afterLatency(() => {
      if (isTerminal(o.status)) {
        this.emit('order.cancel-rejected', {
          coid,
          code: 'ORDER.NOT_OPEN',
          reason: `order is ${o.status}`,
          reconciled: false,
          at: this.now(),
        });
        return;
      }
      this.matcher.cancelNow(o, 'requested');
    });
  }

  modify(coid: string, changes: OrderChanges): void {
    this.guard();
    const o = this.orders.get(coid);
    if (this.state !== 'Connected') {
      this.emit('order.modify-rejected', {
        coid,
        code: 'BROKER.NOT_CONNECTED',
        reason: `broker is ${this.state}`,
        reconciled: false,
        at: this.now(),
      });
      return;
    }
    if (o === undefined) {
      this.emit('order.modify-rejected', { coid, code: 'ORDER.UNKNOWN', reason: 'no such order', reconciled: false, at: this.now() });
      return;
    }
    this.emit('order.modify-requested', { coid, changes, at: this.now() });
    this.afterLatency(() => {
      if (isTerminal(o.status)) {
        this.emit('order.modify-rejected', {
          coid,
          code: 'ORDER.NOT_OPEN',
          reason: `order is ${o.status}`,
          reconciled: false,
          at: this.now(),
        });
        return;
      }
      if (changes.quantity !== undefined && changes.quantity < o.filled) {
        this.emit('order.modify-rejected', {
          coid,
          code: 'ORDER.INVALID_QUANTITY',
          reason: 'below filled quantity',
          reconciled: false,
          at: this.now(),
        });
        return;
      }
      this.matcher.amend(o, changes);
      this.emit('order.modified', {
        coid,
        price: o.req.limitPrice ?? null,
        qty: o.req.quantity,
        triggerPrice: o.req.triggerPrice ?? null,
        leavesQty: leaves(o),
        reason: 'modified',
        at: this.now(),
      });
      if (o.live) this.matcher.tryFill(o, this.o.market.book(o.req.symbol));
    });
  }

  async reconcile(): Promise<void> {
    this.emit('reconciliation.started', { trigger: 'request', at: this.now() });
    this.emit('reconciliation.completed', {
      status: 'complete',
      adopted: 0,
      adoptedCoids: [],
      closed: 0,
      unresolved: 0,
      unresolvedCoids: [],
      discrepancies: [],
      at: this.now(),
    });
  }

  openOrders(): readonly OpenOrder[] {
    return [...this.orders.values()]
      .filter((o) => !isTerminal(o.status))
      .map((o) => ({
        coid: o.req.coid,
        brokerOrderId: o.req.coid,
        symbol: o.req.symbol,
        side: o.req.side,
        type: o.req.type,
        quantity: o.req.quantity,
        limitPrice: o.req.limitPrice ?? null,
        triggerPrice: o.req.triggerPrice ?? null,
        filledQuantity: o.filled,
        status: o.status,
        orderRef: o.req.orderRef,
        parentCoid: o.req.parentCoid ?? null,
        bracketId: o.req.bracketId ?? null,
      }));
  }

  orderStatus(coid: string): OrderStatus | null {
    return this.orders.get(coid)?.status ?? null;
  }

  positions(): readonly Position[] {
    return this.acct.positions();
  }

  accountSnapshot(): AccountSnapshot {
    return this.acct.snapshot(this.o.account, this.now(), (s) => this.o.market.book(s));
  }

  health(): BrokerHealth {
    return {
      state: this.state,
      lastHeard: this.now(),
      canTrade: this.state === 'Connected',
      readOnly: false,
      account: this.o.account,
      detail: 'simulated venue',
    };
  }

  /** The venue's own ledger of executions (kept by the matcher as it fills), for the end-of-day reconciliation. */
  executions(): readonly VenueExecution[] {
    return this.venueExecs;
  }

  on<K extends BrokerEventName>(event: K, listener: (payload: BrokerEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  /** Fault injection: the venue refuses the next order that reaches it (as TWS does with error 201). */
  rejectNext(reason: string, venueCode = 201): void {
    this.pendingReject = { reason, venueCode };
  }

  // ---- venue side ----

  private arrive(coid: string): void {
    const o = this.orders.get(coid)!;
    if (isTerminal(o.status)) return;
    if (this.pendingReject !== null) {
      const { reason, venueCode } = this.pendingReject;
      this.pendingReject = null;
      o.status = 'Rejected';
      this.emit('order.rejected', { coid, origin: 'broker', code: 'ORDER.REJECTED', reason, venueCode, at: this.now() });
      for (const child of o.children) {
        const c = this.orders.get(child);
        if (c !== undefined) this.matcher.cancelNow(c, 'bracket-leg-rejected');
      }
      return;
    }
    if (o.status === 'PendingSubmit') {
      o.status = 'Accepted';
      this.emit('order.accepted', {
        coid,
        brokerOrderId: coid,
        permId: null,
        held: false,
        holdReason: null,
        synthetic: false,
        reconciled: false,
        at: this.now(),
      });
      // Children travel with the parent and wait at the venue, held, until it fills.
      for (const child of o.children) {
        const c = this.orders.get(child);
        if (c === undefined || c.status !== 'PendingSubmit') continue;
        c.status = 'Accepted';
        this.emit('order.accepted', {
          coid: child,
          brokerOrderId: child,
          permId: null,
          held: true,
          holdReason: 'parent not filled',
          synthetic: false,
          reconciled: false,
          at: this.now(),
        });
      }
    }
    this.matcher.activate(o);
  }

  // ---- helpers ----

  private track(req: OrderRequest, waitingFor: string | null): SimOrder {
    const o: SimOrder = {
      req,
      status: 'PendingSubmit',
      filled: 0,
      queueAhead: 0,
      levelSeen: 0,
      live: false,
      triggered: false,
      waitingFor,
      children: [],
    };
    this.orders.set(req.coid, o);
    this.emit('order.submitted', {
      coid: req.coid,
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      qty: req.quantity,
      price: req.limitPrice ?? null,
      triggerPrice: req.triggerPrice ?? null,
      tif: req.tif,
      orderRef: req.orderRef,
      bracketId: req.bracketId ?? null,
      parentCoid: req.parentCoid ?? null,
      at: this.now(),
    });
    return o;
  }

  private validate(order: OrderRequest): [ErrorCode, string] | null {
    if (this.state !== 'Connected') return ['BROKER.NOT_CONNECTED', `broker is ${this.state}`];
    if (this.orders.has(order.coid)) return ['ORDER.DUPLICATE_ID', `coid ${order.coid} already used`];
    if (!Number.isSafeInteger(order.quantity) || order.quantity <= 0) return ['ORDER.INVALID_QUANTITY', `quantity ${order.quantity}`];
    const needsLimit = order.type === 'limit' || order.type === 'stop-limit';
    const needsTrigger = order.type === 'stop' || order.type === 'stop-limit';
    if (needsLimit && !(Number.isSafeInteger(order.limitPrice) && order.limitPrice! > 0))
      return ['ORDER.INVALID_PRICE', `limit price ${order.limitPrice}`];
    if (needsTrigger && !(Number.isSafeInteger(order.triggerPrice) && order.triggerPrice! > 0))
      return ['ORDER.INVALID_PRICE', `trigger price ${order.triggerPrice}`];
    if (order.orderRef.length === 0) return ['ORDER.INVALID_REF', 'orderRef is empty'];
    const lists = this.o.lists ?? ((s: string) => this.o.market.book(s) !== undefined);
    if (!lists(order.symbol)) return ['ORDER.UNKNOWN_INSTRUMENT', `${order.symbol} is not listed`];
    const tick = this.o.tickOf?.(order.symbol) ?? 100;
    for (const p of [order.limitPrice, order.triggerPrice])
      if (p !== undefined && p % tick !== 0) return ['ORDER.INVALID_PRICE', `price ${p} is not on the ${tick} tick`];
    return null;
  }

  private refuse(coid: string, code: ErrorCode, reason: string): SubmitReceipt {
    this.emit('order.rejected', { coid, origin: 'adapter', code, reason, venueCode: null, at: this.now() });
    return { coid, status: 'rejected', code, reason };
  }

  private afterLatency(task: () => void): void {
    const jitter = this.o.jitterUs > 0 ? Math.floor(this.o.random.next() * this.o.jitterUs) : 0;
    this.o.clock.setTimeout(this.o.latencyUs + jitter, task, 'sim-latency');
  }

  private transition(to: ConnectionState, reason: string): void {
    const from = this.state;
    this.state = to;
    this.emit('connection.changed', { from, to, reason, at: this.now() });
  }

  private guard(): void {
    if (this.disposed) throw new HarvesterError('BROKER.DISPOSED', 'simulated broker used after dispose()');
  }

  private now(): number {
    return this.o.clock.now();
  }

  private emit<K extends BrokerEventName>(event: K, payload: BrokerEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}
