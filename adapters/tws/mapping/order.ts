import { OrderAction, OrderType as IbOrderType, SecType, TimeInForce as IbTif, type Contract, type Order } from '@stoqey/ib';
import type { OrderRequest } from '../../../core/domain/orders.js';
import { toTws } from './price.js';

export function stockContract(symbol: string, currency = 'USD', exchange = 'SMART'): Contract {
  return { symbol, secType: SecType.STK, exchange, currency };
}

const TYPES = { market: IbOrderType.MKT, limit: IbOrderType.LMT, stop: IbOrderType.STP, 'stop-limit': IbOrderType.STP_LMT } as const;
const TIFS = { day: IbTif.DAY, gtc: IbTif.GTC, ioc: IbTif.IOC } as const;

/** A Harvester order as TWS wants it; the account and orderRef travel on every order. */
export function toIbOrder(o: OrderRequest, account: string | undefined, extra: { parentId?: number; transmit?: boolean; ocaGroup?: string } = {}): Order {
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
