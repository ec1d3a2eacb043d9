import { OrderAction, OrderType as IbOrderType, SecType, TimeInForce as IbTif, type Contract, type Order } from '@stoqey/ib';
import type { OrderRequest } from '../../../core/domain/orders.js';
import { fromTws, toTws } from './price.js';

export function stockContract(symbol: string, currency = 'USD', exchange = 'SMART'): Contract {
  return { symbol, secType: SecType.STK, exchange, currency };
}

const TYPES = { market: IbOrderType.MKT, limit: IbOrderType.LMT, stop: IbOrderType.STP, 'stop-limit': IbOrderType.STP_LMT } as const;
const TIFS = { day: IbTif.DAY, gtc: IbTif.GTC, ioc: IbTif.IOC } as const;

/** A Harvester order as TWS wants it; the account and orderRef travel on every order. */
export function toIbOrder(
  o: OrderRequest,
  account: string | undefined,
  extra: { parentId?: number; transmit?: boolean; ocaGroup?: string } = {},
): Order {
  const order: Order = {
    action: o.side === 'buy' ? OrderAction.BUY : OrderAction.SELL,
    orderType: TYPES[o.type],
    totalQuantity: o.quantity,
    tif: TIFS[o.tif],
    orderRef: o.orderRef,
    transmit: extra.transmit ?? true,
  };
  if (account !== undefined) order.account = account;
  if (o.limitPrice !== undefined) order.lmtPrice = toTws(o.limitPrice);
  if (o.triggerPrice !== undefined) order.auxPrice = toTws(o.triggerPrice);
  if (extra.parentId !== undefined) order.parentId = extra.parentId;
  if (extra.ocaGroup !== undefined) {
    order.ocaGroup = extra.ocaGroup;
    order.ocaType = 1; // cancel the rest of the group with block
  }
  return order;
}

const FROM_TYPES: Record<string, OrderRequest['type']> = { MKT: 'market', LMT: 'limit', STP: 'stop', 'STP LMT': 'stop-limit' };
const FROM_TIFS: Record<string, OrderRequest['tif']> = { DAY: 'day', GTC: 'gtc', IOC: 'ioc' };

/** Harvester's orderRef is `hv:<session tag>:<coid>`; anything else is not ours. */
export function isHarvesterRef(orderRef: string | undefined): orderRef is string {
  return typeof orderRef === 'string' && orderRef.startsWith('hv:');
}

/** The client order id inside an orderRef (`hv:<tag>:<coid>`; coids may themselves contain colons). */
export function coidFromRef(orderRef: string): string {
  const parts = orderRef.split(':');
  return parts.length >= 3 ? parts.slice(2).join(':') : orderRef;
}

/** IB marks unset prices with max double; only real prices cross into integer units. */
function realPrice(x: number | undefined): number | undefined {
  return x !== undefined && Number.isFinite(x) && x < 1e9 ? fromTws(x) : undefined;
}

/** The modifiable values of an order TWS reported (openOrder), in integer units: what a modify is checked against. */
export function ibOrderValues(order: Order, type: OrderRequest['type']): { quantity?: number; limitPrice?: number; triggerPrice?: number } {
  const out: { quantity?: number; limitPrice?: number; triggerPrice?: number } = {};
  if (order.totalQuantity !== undefined) out.quantity = Number(order.totalQuantity);
  const lmt = type === 'limit' || type === 'stop-limit' ? realPrice(order.lmtPrice) : undefined;
  const aux = type === 'stop' || type === 'stop-limit' ? realPrice(order.auxPrice) : undefined;
  if (lmt !== undefined) out.limitPrice = lmt;
  if (aux !== undefined) out.triggerPrice = aux;
  return out;
}

/** An order TWS reported (openOrder), back in Harvester terms: used to adopt orders after a restart. */
export function fromIbOrder(contract: Contract, order: Order): OrderRequest {
  const orderRef = order.orderRef ?? '';
  const req: OrderRequest = {
    coid: coidFromRef(orderRef),
    symbol: contract.symbol ?? '',
    side: String(order.action) === 'SELL' || String(order.action) === 'SSHORT' ? 'sell' : 'buy',
    type: FROM_TYPES[String(order.orderType ?? 'MKT')] ?? 'limit',
    quantity: Number(order.totalQuantity ?? 0),
    tif: FROM_TIFS[String(order.tif ?? 'DAY')] ?? 'day',
    orderRef,
  };
  // IB marks unset prices with max double; only real prices cross into integer units.
  if (
    order.lmtPrice !== undefined &&
    Number.isFinite(order.lmtPrice) &&
    order.lmtPrice < 1e9 &&
    req.type !== 'market' &&
    req.type !== 'stop'
  )
    req.limitPrice = fromTws(order.lmtPrice);
  if (
    order.auxPrice !== undefined &&
    Number.isFinite(order.auxPrice) &&
    order.auxPrice < 1e9 &&
    (req.type === 'stop' || req.type === 'stop-limit')
  )
    req.triggerPrice = fromTws(order.auxPrice);
  if (order.account) req.account = order.account;
  if (order.ocaGroup) req.ocaGroup = order.ocaGroup;
  return req;
}
