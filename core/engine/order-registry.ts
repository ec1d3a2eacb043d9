import type { OrderSide } from '../domain/orders.js';
import type { Quantity } from '../domain/units.js';

export type OrderRole = 'entry' | 'stop-loss' | 'take-profit' | 'exit' | 'flatten';

export interface TrackedOrder {
  coid: string;
  intentId: string;
  strategyId: string;
  symbol: string;
  tradeId: string | null;
  role: OrderRole;
  reason: string;
  side: OrderSide;
  quantity: Quantity;
  filled: Quantity;
  terminal: boolean;
  /** A cancel was sent and the venue has not answered it yet (cleared by a cancel-reject, so a retry can go). */
  cancelRequested?: boolean;
}

/** Every order the kernel sent, by client order id, with who sent it and why. */
export class OrderRegistry {
  private readonly orders = new Map<string, TrackedOrder>();
  private readonly execToCoid = new Map<string, string>();
  private workingCount = 0;

  add(order: TrackedOrder): void {
    this.orders.set(order.coid, order);
    this.workingCount++;
  }

  get(coid: string): TrackedOrder | undefined {
    return this.orders.get(coid);
  }

  markTerminal(order: TrackedOrder): void {
    if (order.terminal) return;
    order.terminal = true;
    this.workingCount--;
  }

  rememberExec(execId: string, coid: string): void {
    this.execToCoid.set(execId, coid);
  }

  coidForExec(execId: string): string | undefined {
    return this.execToCoid.get(execId);
  }

  working(): TrackedOrder[] {
    const out: TrackedOrder[] = [];
    for (const o of this.orders.values()) if (!o.terminal) out.push(o);
    return out;
  }

  get workingOrderCount(): number {
    return this.workingCount;
  }

  get size(): number {
    return this.orders.size;
  }

  /** Trade id of a not-yet-filled working entry for the strategy and symbol (so a re-entry joins it). */
  pendingEntryTrade(strategyId: string, symbol: string): string | null {
    for (const o of this.orders.values()) {
      if (!o.terminal && o.role === 'entry' && o.strategyId === strategyId && o.symbol === symbol && o.tradeId !== null) return o.tradeId;
    }
    return null;
  }
}
