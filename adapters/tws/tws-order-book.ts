import type { OrderRequest, OrderStatus } from '../../core/domain/orders.js';
import type { Money, Quantity } from '../../core/domain/units.js';

export interface TwsOrder {
  req: OrderRequest;
  orderId: number;
  status: OrderStatus;
  filled: Quantity;
  accepted: boolean;
}

interface PendingExec {
  coid: string;
  execId: string;
  emitted: boolean;
}

/**
 * The adapter's ledger of orders and executions. Fills are built only from executions joined with commission
 * reports by exec id, whichever arrives first; an exec id is applied once, whatever TWS repeats.
 */
export class TwsOrderBook {
  readonly byCoid = new Map<string, TwsOrder>();
  readonly byId = new Map<number, TwsOrder>();
  private readonly execs = new Map<string, PendingExec>();
  private readonly commissions = new Map<string, Money>();

  add(o: TwsOrder): void {
    this.byCoid.set(o.req.coid, o);
    this.byId.set(o.orderId, o);
  }

  /** True the first time an exec id is seen. */
  firstExec(execId: string, coid: string): boolean {
    if (this.execs.has(execId)) return false;
    this.execs.set(execId, { coid, execId, emitted: true });
    return true;
  }

  /** Commission waiting for its execution, consumed once. */
  takeCommission(execId: string): Money | null {
    const c = this.commissions.get(execId);
    if (c === undefined) return null;
    this.commissions.delete(execId);
    return c;
  }

  /** Returns true when the execution is already known (emit commission.reported), false to park it. */
  commissionArrived(execId: string, amount: Money): boolean {
    if (this.execs.has(execId)) return true;
    this.commissions.set(execId, amount);
    return false;
  }
}
