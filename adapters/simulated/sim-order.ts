import type { OrderRequest, OrderStatus } from '../../core/domain/orders.js';
import type { Quantity } from '../../core/domain/units.js';

/** The simulator's state of one order. */
export interface SimOrder {
  req: OrderRequest;
  status: OrderStatus;
  filled: Quantity;
  /** Displayed size ahead of us at our price (resting limits). */
  queueAhead: Quantity;
  /** Displayed size at our price when last seen, less prints since (cancels are the rest of a decrease). */
  levelSeen: Quantity;
  /** True once the order reached the venue (after entry latency) and, for bracket children, the parent filled. */
  live: boolean;
  /** Stop orders: the trigger was hit; the order now behaves as market (stop) or limit (stop-limit). */
  triggered: boolean;
  /** Bracket children wait for their parent. */
  waitingFor: string | null;
  children: string[];
  /**
   * Bracket legs share one budget: the children work for at most what the parent has filled (`cap`), and what one
   * OCA sibling fills is gone for the other (`filled`), so the working exit quantity never exceeds the position.
   */
  budget?: { cap: Quantity; filled: Quantity };
}

export const isTerminal = (s: OrderStatus): boolean => s === 'Filled' || s === 'Cancelled' || s === 'Rejected';
export const leaves = (o: SimOrder): Quantity => {
  const own = o.req.quantity - o.filled;
  return o.budget === undefined || o.waitingFor === null ? own : Math.max(0, Math.min(own, o.budget.cap - o.budget.filled));
};

/** Limit price in force, or null for market-like orders (market, or a triggered stop). */
export function activeLimit(o: SimOrder): number | null {
  const t = o.req.type;
  if (t === 'market' || (t === 'stop' && o.triggered)) return null;
  return o.req.limitPrice ?? null;
}
