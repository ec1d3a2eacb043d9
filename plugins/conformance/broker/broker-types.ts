import type { IBrokerAdapter } from '../../../ports/broker-adapter.js';
import type { ManualClock } from '../../../core/engine/virtual-clock.js';
import type { Micros, Price, Quantity } from '../../../core/domain/units.js';
import type { CommonSuiteOptions } from '../suite.js';
import type { EventRecorder } from '../recorder.js';

/** Capability flags of docs/conformance-kit.md#capabilities for a broker adapter. Declared, never detected. */
export interface BrokerCapabilities {
  supportsMarketOrders?: boolean;
  supportsStopOrders?: boolean;
  supportsBrackets?: boolean;
  supportsOcaReduce?: boolean;
  supportsModify?: boolean;
  supportsOrderRef?: boolean;
  supportsReconnect?: boolean;
  hasOutboundPacer?: boolean;
  isLive?: boolean;
}

/** Short form: `market`, `stop`, `bracket`, `modify` set their flag; `limit` is implied; others are false. */
export type BrokerCapabilityShort = 'market' | 'limit' | 'stop' | 'bracket' | 'modify' | 'ocaReduce' | 'orderRef' | 'reconnect' | 'pacer';

export type BrokerDriverFeature =
  | 'fill'
  | 'partialFill'
  | 'reject'
  | 'inactive'
  | 'suppressStatus'
  | 'duplicateReports'
  | 'reorderReports'
  | 'execCorrection'
  | 'externalOrders'
  | 'restart'
  | 'cancelRace'
  | 'modifyRace'
  | 'dropReply'
  | 'socketDrop'
  | 'upstreamLoss'
  | 'silence'
  | 'identityInUse'
  | 'authFail'
  | 'fatal'
  | 'pacing';

/**
 * The venue double. `fill` and `reject` are the minimal features every scripted run needs; the others are optional
 * and gate their cards. Methods may be sync or async; the kit awaits them and then settles.
 */
export interface BrokerDriver {
  /** Set the venue's quote for `symbol` (sizes in shares). Part of the `fill` feature. */
  quote(symbol: string, bid: Price, bidSize: Quantity, ask: Price, askSize: Quantity): void | Promise<void>;
  /**
   * Fill the working order `coid` (a stop: trigger, then fill) for `qty` (default: all that is left) at `price`
   * (default: the order's limit, or the touch). With `partialFill`, `qty` may be less than what is left.
   */
  fill(coid: string, options?: { qty?: Quantity; price?: Price }): void | Promise<void>;
  /**
   * Make the venue refuse the next order placed (or the placement of `coid`, a bracket leg), with this reason text
   * (TWS: 201 and the text).
   */
  reject(options: { reason: string; venueCode?: number; coid?: string }): void | Promise<void>;
  /**
   * Order messages the venue received (placements, cancels, modifies) in arrival order, for invariant B7 and "nothing
   * sent"; `at`: when the venue got it (kit Clock), where the driver stamps them (BRK-08, docs/conformance-cards.md#brk-08).
   */
  received?(): readonly VenueMessage[];
  /**
   * Kit-Clock arrival times of every message the venue received from the subject, of any kind (BRK-08, docs/conformance-cards.md#brk-08).
   */
  traffic?(): readonly Micros[];
  /** Venue-side work that is not on the kit's clock (sockets): awaited after every stimulus. */
  settle?(): Promise<void>;
  /**
   * Times (kit Clock) and client identities of connection attempts, for the reconnect ladder of BRK-07 (docs/conformance-cards.md#brk-07).
   */
  connectAttempts?(): readonly { at: Micros; identity: string }[];
  /** Features beyond the minimal set, as methods named after the feature (their signatures: BrokerFaultDriver). */
  [feature: string]: unknown;
}

export interface VenueMessage {
  kind: 'place' | 'cancel' | 'modify';
  coid: string;
  at?: Micros;
}

/**
 * What the venue may be told to swallow (BRK-53, BRK-63 b, BRK-84; docs/conformance-cards.md#brk-53): one placement, cancel or modify, or a
 * query.
 */
export type DropTarget = 'place' | 'cancel' | 'modify' | 'openOrders' | 'positions' | 'executions';

/**
 * The optional driver features (docs/conformance-kit.md#drivers) as the broker cards call them. A driver declares a feature by listing it
 * in `driverFeatures` and providing the method of the same name; the kit checks the method exists.
 */
export interface BrokerFaultDriver {
  /**
   * 'drop' (default): close the link, accept the next connection. 'down': close it and refuse every connection until
   * 'up'. 'after-place': take the next placement without answering it, then go 'down' (BRK-82, docs/conformance-cards.md#brk-82).
   */
  socketDrop(mode?: 'drop' | 'down' | 'up' | 'after-place'): unknown;
  /**
   * The venue unreachable while the link stays up ('lost', TWS 1100), restored with data kept or lost (1102 / 1101),
   * or a market-data-only outage ('data-only', 2103).
   */
  upstreamLoss(phase: 'lost' | 'restored' | 'data-only', dataKept?: boolean): unknown;
  /** Stop (or resume) answering anything, heartbeats included, while the link stays open. */
  silence(on?: boolean): unknown;
  /** Refuse the next `times` connection attempts with "identity in use" (TWS 326). */
  identityInUse(times?: number): unknown;
  /** Refuse the configured account or credentials on every later connection. */
  authFail(): unknown;
  /** A fatal venue answer (TWS 503). */
  fatal(): unknown;
  /** One pacing violation (TWS 100). */
  pacing(): unknown;
  /**
   * Swallow the next placement (of `coid`, if given), cancel or modify: no answer at all. `outcome` is what the venue
   * did with a swallowed placement: never got it ('absent', default), works it ('working') or filled it ('filled').
   * For a query: withhold every answer until called again with `on: false`.
   */
  dropReply(what: DropTarget, options?: { coid?: string; outcome?: 'absent' | 'working' | 'filled'; on?: boolean }): unknown;
  /**
   * Repeat every report of `coid` (executions with their commissions, and the latest status) `times` more times;
   * `staleStatus`: then a status with a lower filled count.
   */
  duplicateReports(coid: string, times?: number, options?: { staleStatus?: boolean }): unknown;
  /**
   * How the venue orders its reports from now on: 'commission-first'; 'exec-before-ack'; 'sentinel-commission' (each
   * later execution's commission is first sent as the "not yet known" value, the real one on the next call); 'normal'.
   * 'orphan-commission' sends at once a commission for an execution that never comes and returns its exec id.
   */
  reorderReports(mode: 'commission-first' | 'exec-before-ack' | 'sentinel-commission' | 'orphan-commission' | 'normal'): unknown;
  /** Revise the latest execution of `coid` (`E1.01` → `E1.02`) to `price` and/or `qty`. */
  execCorrection(coid: string, change: { price?: Price; qty?: Quantity }): unknown;
  /**
   * Reports this adapter did not place: an execution for venue order `orderId` (no client reference); the order's own
   * report (`report: true`); or a position the venue holds (`position`).
   */
  externalOrders(o: {
    orderId?: number;
    symbol?: string;
    qty?: Quantity;
    price?: Price;
    side?: 'buy' | 'sell';
    report?: boolean;
    position?: { symbol: string; qty: Quantity; avgPrice: Price };
  }): unknown;
  /** The next placement goes Inactive after an error reason, or held (`whyHeld`); or working order `coid` gets an unrecognised `status`. */
  inactive(o: { reason?: string; whyHeld?: string; coid?: string; status?: string }): unknown;
  /** The venue keeps its state while the adapter is replaced (the factory reuses it on `ctx.reopen`). */
  restart(): unknown;
  /**
   * The venue fills the order named by the next cancel in full while that cancel is in flight, and refuses the cancel
   * (BRK-32, docs/conformance-cards.md#brk-32): 'fill-first' — the fill's reports, then "cannot be cancelled, state: Filled" (TWS 10148);
   * 'refusal-first' — the refusal, then the fill's reports; 'not-found' — the fill is reported to no one, the cancel is answered
   * "not found" (TWS 10147), and only a reconciliation sees the fill.
   */
  cancelRace(mode: 'fill-first' | 'refusal-first' | 'not-found'): unknown;
  /**
   * The next modify races the venue (BRK-42, docs/conformance-cards.md#brk-42): 'fill' — the order fills while the modify is in flight,
   * which is then refused as filled (TWS 104); 'in-progress' — the next modify stays unacknowledged until a second one arrives,
   * which is refused as still in progress (TWS 2102), and then the first completes.
   */
  modifyRace(mode: 'fill' | 'in-progress'): unknown;
}

export interface BrokerFixtures {
  symbol: string;
  tick: Price;
  bid: Price;
  bidSize: Quantity;
  ask: Price;
  askSize: Quantity;
  orderQty: Quantity;
  cash: number;
  currency: string;
  commissionPerExecution: number;
}

export interface BrokerTimeouts {
  /** µs */
  ackTimeout: Micros;
  commissionWait: Micros;
  park: Micros;
  /** Heartbeat probe period and the missed probes before reconnecting (docs/conformance-kit.md#kit-defaults: 10 s / 2). */
  heartbeat: Micros;
  heartbeatMisses: number;
  /** Reconnect delays; the last repeats (the cap). ±20 % jitter. */
  ladder: readonly Micros[];
  /** When a first `connect()` gives up (docs/conformance-kit.md#kit-defaults: 30 s). */
  connectDeadline: Micros;
  /**
   * The outbound budget (BRK-08, docs/conformance-cards.md#brk-08): at most `budget` messages in any `window`; `slot` is the pacer's
   * spacing, within which a cancel must leave. Default: IB's 50 messages per second, slot 20 ms.
   */
  pacing: { budget: number; window: Micros; slot: Micros };
}

export interface BrokerCreateContext {
  readonly clock: ManualClock;
  readonly log: (message: string) => void;
  readonly fixtures: BrokerFixtures;
  readonly timeouts: BrokerTimeouts;
  /** The card being run, e.g. `BRK-10` (docs/conformance-cards.md#brk-10); for logs only. */
  readonly card: string;
  /**
   * Set when a card restarts the subject on the same venue (BRK-81, docs/conformance-cards.md#brk-81): build a new subject over that venue.
   */
  readonly reopen?: BrokerSubjectHandle;
}

export interface BrokerSubjectHandle {
  subject: IBrokerAdapter;
  driver?: BrokerDriver;
  dispose?: () => void | Promise<void>;
}

export interface BrokerSuiteOptions extends CommonSuiteOptions {
  create: (ctx: BrokerCreateContext) => BrokerSubjectHandle | Promise<BrokerSubjectHandle>;
  capabilities: BrokerCapabilities | readonly BrokerCapabilityShort[];
  driverFeatures?: readonly BrokerDriverFeature[];
  fixtures?: Partial<BrokerFixtures>;
  timeouts?: Partial<BrokerTimeouts>;
  /** Virtual start time (µs); default 2026-03-10 10:00 New York. */
  startTime?: Micros;
}

/** What a broker card gets. */
export interface BrokerRun {
  readonly subject: IBrokerAdapter;
  readonly driver: BrokerDriver | undefined;
  readonly clock: ManualClock;
  readonly rec: EventRecorder;
  readonly fx: BrokerFixtures;
  readonly timeouts: BrokerTimeouts;
  readonly caps: BrokerCapabilities;
  readonly features: ReadonlySet<string>;
  /** Advance the virtual clock by `us` (default: the settle window T_ack + 1 s), firing timers, flushing I/O. */
  settle(us?: Micros): Promise<void>;
  /** The driver, or a failure naming the missing feature. */
  venue(): BrokerDriver;
  /** Counts venue messages of a kind for a coid, when the driver reports them; null otherwise. */
  received(kind: 'place' | 'cancel' | 'modify', coid?: string): number | null;
  /** Restart on the same venue (BRK-81, docs/conformance-cards.md#brk-81): disposes nothing, returns a run on a fresh subject. */
  reopen(): Promise<BrokerRun>;
}

export const BROKER_EVENT_NAMES = [
  'connection.changed',
  'order.submitted',
  'order.accepted',
  'order.triggered',
  'order.filled',
  'order.fill-corrected',
  'commission.reported',
  'order.cancel-requested',
  'order.cancelled',
  'order.cancel-rejected',
  'order.modify-requested',
  'order.modified',
  'order.modify-rejected',
  'order.rejected',
  'order.unknown',
  'order.adopted',
  'bracket.failed',
  'position.changed',
  'reconciliation.started',
  'reconciliation.completed',
  'broker.anomaly',
  'broker.error',
] as const;

export function normalizeBrokerCapabilities(caps: BrokerCapabilities | readonly BrokerCapabilityShort[]): BrokerCapabilities {
  if (!Array.isArray(caps)) return { ...(caps as BrokerCapabilities) };
  const has = (s: BrokerCapabilityShort): boolean => (caps as readonly string[]).includes(s);
  return {
    supportsMarketOrders: has('market'),
    supportsStopOrders: has('stop'),
    supportsBrackets: has('bracket'),
    supportsModify: has('modify'),
    supportsOcaReduce: has('ocaReduce'),
    supportsOrderRef: has('orderRef'),
    supportsReconnect: has('reconnect'),
    hasOutboundPacer: has('pacer'),
    isLive: false,
  };
}

export const DEFAULT_BROKER_FIXTURES: BrokerFixtures = {
  symbol: 'XYZ',
  tick: 100,
  bid: 123400,
  bidSize: 500,
  ask: 123500,
  askSize: 300,
  orderQty: 100,
  cash: 1_000_000_000,
  currency: 'USD',
  commissionPerExecution: 10_000,
};

export const DEFAULT_BROKER_TIMEOUTS: BrokerTimeouts = {
  ackTimeout: 5_000_000,
  commissionWait: 60_000_000,
  park: 60_000_000,
  heartbeat: 10_000_000,
  heartbeatMisses: 2,
  ladder: [2_500_000, 5_000_000, 10_000_000, 20_000_000, 40_000_000, 60_000_000],
  connectDeadline: 30_000_000,
  pacing: { budget: 50, window: 1_000_000, slot: 20_000 },
};
