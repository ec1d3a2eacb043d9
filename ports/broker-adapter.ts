import type { ErrorCode } from '../core/domain/error-codes.js';
import type {
  AccountSnapshot,
  BracketRequest,
  OpenOrder,
  OrderChanges,
  OrderRequest,
  OrderSide,
  OrderStatus,
  OrderType,
  Position,
  SubmitReceipt,
  TimeInForce,
} from '../core/domain/orders.js';
import type { Micros, Money, Price, Quantity } from '../core/domain/units.js';
import { createToken, type Disposer } from './create-token.js';

export type ConnectionState = 'Disconnected' | 'Connecting' | 'Connected' | 'Reconnecting' | 'Degraded' | 'Halting';

/** The only allowed connection transitions (docs/port-invariants.md#connection-transitions, invariant B9). */
export const CONNECTION_TRANSITIONS: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  Disconnected: ['Connecting'],
  Connecting: ['Connected', 'Disconnected', 'Halting'],
  Connected: ['Degraded', 'Reconnecting', 'Halting', 'Disconnected'],
  Degraded: ['Connected', 'Reconnecting', 'Halting', 'Disconnected'],
  Reconnecting: ['Connected', 'Halting', 'Disconnected'],
  Halting: ['Disconnected'],
};

export interface BrokerHealth {
  state: ConnectionState;
  /** Last time the venue answered anything (heartbeat or report), Clock time. */
  lastHeard: Micros | null;
  /** True when orders may be routed: `Connected` and reconciliation done. */
  canTrade: boolean;
  /** True when the session is read-only (TWS "Read-Only API"); orders would be refused. */
  readOnly: boolean;
  account: string | null;
  detail: string;
  /** Last answered heartbeat probe (Clock time), where the adapter runs one. */
  lastHeartbeatAt?: Micros | null;
  /** Venue time minus local receive time (µs), measured by the heartbeat; null until measured. */
  clockSkew?: number | null;
  /** Successful reconnects since `connect()`. */
  reconnectCount?: number;
  /** Inbound wire frames dropped as malformed before decoding, where the adapter checks them. */
  droppedFrames?: number;
}

export type CancelReason = 'requested' | 'oca' | 'parent-cancelled' | 'bracket-leg-rejected' | 'venue';

/** Event payloads an IBrokerAdapter emits (conformance card vocabulary). All amounts are integers. */
export interface BrokerEvents {
  'connection.changed': { from: ConnectionState; to: ConnectionState; reason: string; at: Micros };
  'order.submitted': {
    coid: string;
    symbol: string;
    side: OrderSide;
    type: OrderType;
    qty: Quantity;
    price: Price | null;
    triggerPrice: Price | null;
    tif: TimeInForce;
    orderRef: string;
    bracketId: string | null;
    parentCoid: string | null;
    at: Micros;
  };
  'order.accepted': {
    coid: string;
    brokerOrderId: string;
    permId: string | null;
    held: boolean;
    holdReason: string | null;
    synthetic: boolean;
    reconciled: boolean;
    at: Micros;
  };
  'order.triggered': { coid: string; at: Micros };
  'order.filled': {
    coid: string;
    execId: string;
    symbol: string;
    side: OrderSide;
    qty: Quantity;
    price: Price;
    cumQty: Quantity;
    leavesQty: Quantity;
    status: 'PartiallyFilled' | 'Filled';
    commission: Money | null;
    orderRef: string;
    at: Micros;
  };
  'order.fill-corrected': { coid: string; execId: string; revision: number; price: Price; qtyDelta: Quantity; at: Micros };
  'commission.reported': { execId: string; amount: Money; currency: string; at: Micros };
  'order.cancel-requested': { coid: string; at: Micros };
  'order.cancelled': { coid: string; filledQty: Quantity; cancelledQty: Quantity; reason: CancelReason; at: Micros };
  'order.cancel-rejected': { coid: string; code: ErrorCode; reason: string; reconciled: boolean; at: Micros };
  'order.modify-requested': { coid: string; changes: OrderChanges; at: Micros };
  'order.modified': {
    coid: string;
    price: Price | null;
    qty: Quantity;
    triggerPrice: Price | null;
    leavesQty: Quantity;
    reason: string;
    at: Micros;
  };
  'order.modify-rejected': { coid: string; code: ErrorCode; reason: string; reconciled: boolean; at: Micros };
  'order.rejected': { coid: string; origin: 'adapter' | 'broker'; code: ErrorCode; reason: string; venueCode: number | null; at: Micros };
  'order.unknown': { coid: string; cause: 'ack-timeout' | 'disconnect-after-send'; at: Micros };
  'order.adopted': { coid: string; brokerOrderId: string; permId: string | null; external: boolean; at: Micros };
  'bracket.failed': { bracketId: string; leg: 'parent' | 'stop-loss' | 'take-profit'; cause: string; at: Micros };
  'position.changed': { symbol: string; qty: Quantity; avgPrice: Price; realizedPnl: Money; source: 'fill' | 'reconcile'; at: Micros };
  'reconciliation.started': { trigger: 'connect' | 'reconnect' | 'restored' | 'ack-timeout' | 'periodic' | 'request'; at: Micros };
  /**
   * `complete`: every query answered, nothing unresolved — trading may resume. `incomplete`: any pass that did not
   * complete (the card vocabulary, BRK-84; docs/conformance-cards.md#brk-84); what the answered queries proved was applied, the rest stays
   * unresolved and trading stays blocked. `detail` keeps the finer reason where the adapter knows it (e.g. `partial`: some
   * queries answered; `failed`: none). `unresolved` counts the orders left unknown; `unresolvedCoids` names them, and
   * `adoptedCoids` names the orders adopted by this pass.
   */
  'reconciliation.completed': {
    status: 'complete' | 'incomplete';
    detail?: string;
    adopted: number;
    adoptedCoids: string[];
    closed: number;
    unresolved: number;
    unresolvedCoids: string[];
    discrepancies: string[];
    at: Micros;
  };
  /**
   * Something the venue reported that does not add up. `overfill` (an execution past the order's quantity) and
   * `untrusted-exec` (an execution that claims one of our orders by its orderRef, but whose order ids we never
   * used) are refused: never applied as fills; the kernel may escalate on them. `malformed-frames` counts inbound
   * wire frames dropped before decoding.
   */
  'broker.anomaly': {
    kind:
      | 'duplicate-exec'
      | 'orphan-commission'
      | 'commission-missing'
      | 'external-fill'
      | 'late-fill'
      | 'overfill'
      | 'unknown-status'
      | 'pacing'
      | 'untrusted-exec'
      | 'malformed-frames';
    details: Record<string, unknown>;
    at: Micros;
  };
  /** A venue/TWS error routed to no order, for the kill switch and operators; `severity` from the adapter's error table. */
  'broker.error': { code: number; harvesterCode: ErrorCode; message: string; severity: 'info' | 'warn' | 'error' | 'fatal'; at: Micros };
  /**
   * The venue's own account figures (net liquidation, buying power, cash), refreshed on the Clock where the venue has
   * them (docs/tws-account-and-reconciliation.md). Paper and live size from these, never from the configured equity.
   */
  'account.updated': { account: string; currency: string; equity: Money; buyingPower: Money; cash: Money; at: Micros };
  /**
   * The measured venue clock offset crossed a threshold (`level` is the new band; `ok` again once back under the warn
   * threshold). `skewMs` = venue time − local receive time.
   */
  'clock.skew': { skewMs: number; level: 'ok' | 'warn' | 'safe-mode'; warnMs: number; safeModeMs: number; at: Micros };
}

export type BrokerEventName = keyof BrokerEvents;

/**
 * Orders, brackets, cancels, modifies, positions and account state at one venue.
 *
 * Invariants (checked by the conformance kit, cards BRK and B1–B10):
 * - `submit`, `submitBracket`, `cancel` and `modify` never throw for venue outcomes: a refusal before sending is a
 *   `rejected` receipt plus an `order.rejected{origin:'adapter'}` event; everything after sending arrives as events.
 * - Every submitted order reaches exactly one terminal state (Filled, Cancelled, Rejected) or `order.unknown`,
 *   which only a reconciliation verdict resolves. Nothing is ever guessed as rejected.
 * - Nothing is routed unless `health().canTrade` (state `Connected`, reconciliation done).
 * - Fills carry an exec id (unique: each produces one `order.filled`) and a commission, on the fill or later in
 *   `commission.reported`. `positions()` equals the signed sum of fills plus reconciled adjustments.
 * - `disconnect()` and `dispose()` are idempotent; calls after `dispose()` throw `BROKER.DISPOSED` (programming error).
 * - Events for one order are emitted in causal order: submitted → accepted → filled…; listeners run synchronously.
 */
/** One execution as the venue recorded it (see `IBrokerAdapter.executions`). */
export interface VenueExecution {
  execId: string;
  coid: string;
  symbol: string;
  side: OrderSide;
  qty: Quantity;
  price: Price;
  commission: Money | null;
}

export interface IBrokerAdapter {
  readonly id: string;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  dispose(): Promise<void>;
  submit(order: OrderRequest): SubmitReceipt;
  /** Parent + stop + take-profit; children reach the venue only with (or after) the parent; OCA between children. */
  submitBracket(bracket: BracketRequest): SubmitReceipt;
  cancel(coid: string): void;
  modify(coid: string, changes: OrderChanges): void;
  /** Compare local order/position state with the venue; emits reconciliation.* and adopts/settles as needed. */
  reconcile(): Promise<void>;
  openOrders(): readonly OpenOrder[];
  orderStatus(coid: string): OrderStatus | null;
  positions(): readonly Position[];
  accountSnapshot(): AccountSnapshot;
  health(): BrokerHealth;
  /**
   * Optional: the venue's own record of this session's executions (exec id, order, quantity, price, commission once
   * known), for the end-of-day reconciliation against the journal. An adapter that cannot list them omits it, and
   * the reconciliation then relies on `reconcile()` replaying any execution the session missed.
   */
  executions?(): readonly VenueExecution[];
  on<K extends BrokerEventName>(event: K, listener: (payload: BrokerEvents[K]) => void): Disposer;
}

export const IBrokerAdapter = createToken<IBrokerAdapter>('IBrokerAdapter');
