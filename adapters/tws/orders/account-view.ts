import type { AccountSnapshot, OpenOrder } from '../../../core/domain/orders.js';
import type { Micros, Money } from '../../../core/domain/units.js';
import type { TwsHoldings } from './holdings.js';
import { UNSENT, type TwsOrderLedger } from './order-ledger.js';
import type { TwsOrderFlow } from './order-flow.js';

/** The open orders as the port shows them (an order not yet sent has no broker id). */
export function openOrderViews(ledger: TwsOrderLedger): OpenOrder[] {
  return ledger.open(true).map((o) => ({
    coid: o.req.coid,
    brokerOrderId: o.orderId === UNSENT ? null : String(o.orderId),
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

/**
 * Cash is what the fills and commissions moved; positions are carried at cost (the adapter keeps no marks), so
 * equity = cash + cost basis and unrealized PnL is 0 here.
 */
export function accountSnapshotOf(
  holdings: TwsHoldings,
  flow: TwsOrderFlow,
  startEquity: Money,
  account: string | null,
  time: Micros,
): AccountSnapshot {
  const realized = holdings.realized();
  const cash = startEquity + holdings.cashFlow - flow.commissionsPaid;
  const equity = cash + holdings.carried();
  return { account: account ?? '', currency: 'USD', equity, cash, buyingPower: cash, realizedPnl: realized, unrealizedPnl: 0, time };
}
