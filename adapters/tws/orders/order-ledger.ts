import type { Contract, Execution } from '@stoqey/ib';
import type { OrderChanges, OrderRequest, OrderStatus } from '../../../core/domain/orders.js';
import { TERMINAL_STATUSES } from '../../../core/domain/orders.js';
import type { Money, Price, Quantity } from '../../../core/domain/units.js';
import type { CancelReason } from '../../../ports/broker-adapter.js';

export interface TwsOrder {
  req: OrderRequest;
  orderId: number;
  permId: number | null;
  status: OrderStatus;
  filled: Quantity;
  accepted: boolean;
  /** Harvester asked for the cancel: a Cancelled status then reads 'requested', not 'venue'. */
  cancelRequested: boolean;
  /** Why the adapter itself cancelled it (a failed bracket); wins over the inferred reason. */
  cancelReason?: CancelReason;
  /**
   * Modifies asked for and not yet settled, oldest first. Each one carries the values of all before it (TWS replaces
   * the whole order), so a venue report confirms the latest one whose values it shows; a refusal removes only the
   * modify it answers (2102 refuses the last one sent, while the first may still complete, docs/tws-adapter.md#modify-cancel).
   */
  modifies?: PendingModify[];
  /** TWS reported status Filled (an OCA sibling's cancel may arrive before its execution). */
  venueFilled?: boolean;
  /** order.triggered was emitted (stops only). */
  triggered?: boolean;
  /** The text of the last IB error addressed to this order: the reason of a following Inactive (docs/tws-adapter.md#fills). */
  lastError?: string;
}

/** Sent with the order's id: -1 until its placement actually leaves (held for qualification, or queued). */
export const UNSENT = -1;

export interface PendingModify {
  changes: OrderChanges;
  sent: boolean;
}

/** The values a modify asks for: its own changes on top of every earlier pending one. */
export function modifyTarget(o: TwsOrder, upTo: PendingModify): OrderChanges {
  const list = o.modifies ?? [];
  const end = list.indexOf(upTo);
  return Object.assign({}, ...list.slice(0, end < 0 ? list.length : end + 1).map((m) => m.changes)) as OrderChanges;
}

/** One execution, by its base exec id (everything before the final period); the highest revision counts (docs/tws-adapter.md#fills). */
export interface ExecRecord {
  coid: string;
  symbol: string;
  side: 'buy' | 'sell';
  revision: number;
  qty: Quantity;
  price: Price;
  commission: Money | null;
}

/** `0000e0d5.00000001.01.01` → base `0000e0d5.00000001.01`, revision 1; an id without a period is its own base. */
export function splitExecId(execId: string): { base: string; revision: number } {
  const i = execId.lastIndexOf('.');
  if (i < 0) return { base: execId, revision: 0 };
  const revision = Number.parseInt(execId.slice(i + 1), 10);
  return Number.isFinite(revision) ? { base: execId.slice(0, i), revision } : { base: execId, revision: 0 };
}

export interface ParkedExecution {
  contract: Contract;
  execution: Execution;
}

/** Executions for unknown orders are parked (never dropped); past this many, the oldest goes (with an anomaly). */
const MAX_PARKED = 1_000;

/**
 * The adapter's ledger of orders and executions. Fills are built only from executions; an exec id is applied once,
 * whatever TWS repeats — live duplicates and reconciliation replays (reqExecutions re-delivers everything) go
 * through the same check. Commission reports join by exec id in either order, each counted once.
 */
export class TwsOrderLedger {
  readonly byCoid = new Map<string, TwsOrder>();
  readonly byId = new Map<number, TwsOrder>();
  private readonly applied = new Set<string>();
  private readonly refused = new Set<string>();
  private readonly commissioned = new Set<string>();
  private readonly orphanCommissions = new Map<string, Money>();
  private readonly parked = new Map<string, ParkedExecution>();
  /** Applied executions by base exec id, for corrections. */
  readonly execs = new Map<string, ExecRecord>();

  add(o: TwsOrder): void {
    this.byCoid.set(o.req.coid, o);
    if (o.orderId !== UNSENT) this.byId.set(o.orderId, o);
  }

  /** The order's placement is leaving now under `orderId`: from here on TWS's reports find it. */
  bind(o: TwsOrder, orderId: number): void {
    o.orderId = orderId;
    this.byId.set(orderId, o);
    this.onBound(o);
  }

  /** Told every id an order is sent under, before the send (the id journal writes here: a crash after it loses nothing). */
  onBound: (o: TwsOrder) => void = () => undefined;

  /**
   * Orders not yet terminal. Without `unsent`, only those TWS has been sent: reconciliation and the disconnect path
   * judge what the venue may know, and a placement still held locally is none of that.
   */
  open(unsent = false): TwsOrder[] {
    return [...this.byCoid.values()].filter((o) => !TERMINAL_STATUSES.has(o.status) && (unsent || o.orderId !== UNSENT));
  }

  byPermId(permId: number): TwsOrder | undefined {
    if (!permId) return undefined;
    for (const o of this.byId.values()) if (o.permId === permId) return o;
    return undefined;
  }

  wasApplied(execId: string): boolean {
    return this.applied.has(execId);
  }

  /** An execution refused (untrusted, overfill): seen, so repeats are duplicates, and its commission is never counted. */
  refuse(execId: string): void {
    this.applied.add(execId);
    this.refused.add(execId);
  }

  /** Marks an exec id applied; false if it already was. */
  markApplied(execId: string): boolean {
    if (this.applied.has(execId)) return false;
    this.applied.add(execId);
    return true;
  }

  /** The commission that arrived before its execution, consumed once (and remembered as counted). */
  takeCommission(execId: string): Money | null {
    const c = this.orphanCommissions.get(execId);
    if (c === undefined) return null;
    this.orphanCommissions.delete(execId);
    this.commissioned.add(execId);
    return c;
  }

  /**
   * A commission report: 'report' when its execution was applied and this is the first report for it; 'parked'
   * when the execution has not arrived yet; 'duplicate' for a repeat (reconciliation replays every report).
   */
  commissionArrived(execId: string, amount: Money): 'report' | 'parked' | 'duplicate' {
    if (this.commissioned.has(execId) || this.orphanCommissions.has(execId) || this.refused.has(execId)) return 'duplicate';
    if (this.applied.has(execId)) {
      this.commissioned.add(execId);
      return 'report';
    }
    this.orphanCommissions.set(execId, amount);
    return 'parked';
  }

  /** An orphan commission whose execution never came (T_park passed): removed and returned, null if it was joined. */
  expireCommission(execId: string): Money | null {
    const c = this.orphanCommissions.get(execId);
    if (c === undefined) return null;
    this.orphanCommissions.delete(execId);
    return c;
  }

  /** Parks an execution whose order is not known yet; returns the exec id dropped to stay bounded, if any. */
  park(execId: string, p: ParkedExecution): string | null {
    this.parked.set(execId, p);
    if (this.parked.size <= MAX_PARKED) return null;
    const oldest = this.parked.keys().next().value as string;
    this.parked.delete(oldest);
    return oldest;
  }

  /** How many executions are parked for venue order `orderId`. */
  parkedFor(orderId: number): number {
    let n = 0;
    for (const p of this.parked.values()) if (p.execution.orderId === orderId) n++;
    return n;
  }

  /** Removes and returns the parked executions that match. */
  unpark(match: (p: ParkedExecution) => boolean): ParkedExecution[] {
    const out: ParkedExecution[] = [];
    for (const [execId, p] of this.parked) {
      if (!match(p)) continue;
      this.parked.delete(execId);
      out.push(p);
    }
    return out;
  }

  /** Symbols with executions still parked (their T_park verdict is pending). */
  parkedSymbols(): Set<string> {
    const out = new Set<string>();
    for (const p of this.parked.values()) out.add(p.contract.symbol ?? '');
    return out;
  }

  get parkedCount(): number {
    return this.parked.size;
  }
}
