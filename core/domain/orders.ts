import type { Micros, Money, Price, Quantity } from './units.js';
import type { ErrorCode } from './error-codes.js';

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop-limit';
export type TimeInForce = 'day' | 'gtc' | 'ioc';

/** Order states as openOrders() and the journal show them. Filled, Cancelled and Rejected are terminal. */
export type OrderStatus =
  | 'PendingSubmit'
  | 'Accepted'
  | 'PartiallyFilled'
  | 'PendingCancel'
  | 'Filled'
  | 'Cancelled'
  | 'Rejected'
  | 'Unknown';

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['Filled', 'Cancelled', 'Rejected']);

/** An order as sent to a broker adapter. `coid` (client order id) is unique per session and chosen by Harvester. */
export interface OrderRequest {
  coid: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  quantity: Quantity;
  /** Limit price for limit and stop-limit orders. */
  limitPrice?: Price;
  /** Trigger price for stop and stop-limit orders. */
  triggerPrice?: Price;
  tif: TimeInForce;
  /** Stamped on every order so that it is recognised after a restart (IB orderRef). */
  orderRef: string;
  /** Account the order is for; verified against config by the adapter. */
  account?: string;
  ocaGroup?: string;
  parentCoid?: string;
  bracketId?: string;
}

/** Parent entry + protective stop + take-profit; children are OCA: one filling cancels the other. */
export interface BracketRequest {
  bracketId: string;
  parent: OrderRequest;
  stopLoss: OrderRequest;
  takeProfit: OrderRequest;
}

export interface OrderChanges {
  quantity?: Quantity;
  limitPrice?: Price;
  triggerPrice?: Price;
}

/** Synchronous receipt of a submit: either the order left for the venue, or the adapter refused it before sending. */
export type SubmitReceipt =
  | { readonly coid: string; readonly status: 'sent' }
  | { readonly coid: string; readonly status: 'rejected'; readonly code: ErrorCode; readonly reason: string };

export interface OpenOrder {
  coid: string;
  brokerOrderId: string | null;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  quantity: Quantity;
  limitPrice: Price | null;
  triggerPrice: Price | null;
  filledQuantity: Quantity;
  status: OrderStatus;
  orderRef: string;
  parentCoid: string | null;
  bracketId: string | null;
}

export interface Fill {
  coid: string;
  execId: string;
  symbol: string;
  side: OrderSide;
  quantity: Quantity;
  price: Price;
  /** Commission in Money units, or null while the commission report has not arrived. */
  commission: Money | null;
  time: Micros;
  orderRef: string;
}

export interface Position {
  symbol: string;
  /** Signed: positive long, negative short. */
  quantity: Quantity;
  /** Average entry price, in Price units (rounded to the nearest unit). */
  averagePrice: Price;
  realizedPnl: Money;
}

export interface AccountSnapshot {
  account: string;
  currency: string;
  equity: Money;
  cash: Money;
  buyingPower: Money;
  realizedPnl: Money;
  unrealizedPnl: Money;
  time: Micros;
  /** `venue`: the broker's own figures (account summary); `local`: computed from this process's fills. */
  source?: 'venue' | 'local';
}
