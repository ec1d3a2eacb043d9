import type { OrderRequest } from '../../../core/domain/orders.js';
import type { Price } from '../../../core/domain/units.js';
import type { ErrorCode } from '../../../core/domain/error-codes.js';

/** Prices from $1.00 up trade in cents, below in hundredths of a cent (Reg NMS rule 612, IB's US-stock market rule). */
export function defaultUsStockTick(price: Price): Price {
  return price >= 10_000 ? 100 : 1;
}

/**
 * Refusals decided before anything is sent (BRK-51, docs/conformance-cards.md#brk-51): TWS would answer 434 or 110 only after a round trip,
 * and an off-tick price would otherwise reach the venue. Returns [code, reason] or null. `tickOf` gives the configured
 * instrument tick, if any.
 */
export function localRefusal(order: OrderRequest, tickOf: (symbol: string) => Price | undefined): [ErrorCode, string] | null {
  if (!Number.isSafeInteger(order.quantity) || order.quantity <= 0) return ['ORDER.INVALID_QUANTITY', String(order.quantity)];
  if (order.orderRef.length === 0) return ['ORDER.INVALID_REF', 'orderRef is empty'];
  for (const [name, price] of [
    ['limit', order.limitPrice],
    ['trigger', order.triggerPrice],
  ] as const) {
    if (price === undefined) continue;
    if (!Number.isSafeInteger(price) || price <= 0) return ['ORDER.INVALID_PRICE', `${name} price ${price}`];
    const tick = tickOf(order.symbol) ?? defaultUsStockTick(price);
    if (price % tick !== 0) return ['ORDER.INVALID_PRICE', `${name} price ${price} is not a multiple of the tick ${tick}`];
  }
  if ((order.type === 'limit' || order.type === 'stop-limit') && order.limitPrice === undefined)
    return ['ORDER.INVALID_PRICE', 'limit price missing'];
  if ((order.type === 'stop' || order.type === 'stop-limit') && order.triggerPrice === undefined)
    return ['ORDER.INVALID_PRICE', 'trigger price missing'];
  return null;
}
