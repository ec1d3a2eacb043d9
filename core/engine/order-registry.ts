import type { OrderSide, OrderType } from '../domain/orders.js';
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
  /** Order type as sent (a stop on the reducing side protects; a market or limit close is a pending close). */
  type: OrderType;
  quantity: Quantity;
  filled: Quantity;
  terminal: boolean;
  /** A cancel was sent and the venue has not answered it yet (cleared by a cancel-reject, so a retry can go). */
  cancelRequested?: boolean;
  /** Sent to close a position (a strategy's close, its re-issue for a remainder, or a flatten); covers what it has left. */
  close?: boolean;
}

/** Every order the kernel sent, by client order id, with who sent it and why. */
export class OrderRegistry {
  private readonly orders = new Map<string, TrackedOrder>();
  /**
   * The non-terminal subset of `orders`, in the same insertion order: the working-order queries scan only these, so
   * their cost stays with what is working, not with every order the session ever sent (bench/RESULTS.md, tick-to-order).
   */
  private readonly live = new Map<string, TrackedOrder>();
  private readonly execToCoid = new Map<string, string>();
  private workingCount = 0;
  /** Orders of ours from an earlier process that the broker reported and reconciliation adopted (not external). */
  private readonly adopted = new Set<string>();

  add(order: TrackedOrder): void {
    this.orders.set(order.coid, order);
    if (!order.terminal) this.live.set(order.coid, order);
    this.workingCount++;
  }

  get(coid: string): TrackedOrder | undefined {
    return this.orders.get(coid);
  }

  markTerminal(order: TrackedOrder): void {
    if (order.terminal) return;
    order.terminal = true;
    this.live.delete(order.coid);
    this.workingCount--;
  }

  /** Reconciliation adopted an order of ours the registry never tracked (placed by an earlier process). */
  adopt(coid: string): void {
    if (!this.orders.has(coid)) this.adopted.add(coid);
  }

  isAdopted(coid: string): boolean {
    return this.adopted.has(coid);
  }

  /** Working orders of one strategy in one symbol (a fresh array; not on the per-event path). */
  workingFor(strategyId: string, symbol: string): TrackedOrder[] {
    const out: TrackedOrder[] = [];
    for (const o of this.live.values()) if (o.strategyId === strategyId && o.symbol === symbol) out.push(o);
    return out;
  }

  rememberExec(execId: string, coid: string): void {
    this.execToCoid.set(execId, coid);
  }

  coidForExec(execId: string): string | undefined {
    return this.execToCoid.get(execId);
  }

  working(): TrackedOrder[] {
    const out: TrackedOrder[] = [];
    for (const o of this.live.values()) out.push(o);
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
    for (const o of this.live.values()) {
      if (o.role === 'entry' && o.strategyId === strategyId && o.symbol === symbol && o.tradeId !== null) return o.tradeId;
    }
    return null;
  }
}
