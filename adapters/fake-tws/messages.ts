import type { Field } from './wire.js';

/** Server → client message ids (TWS `IN` ids). */
export const IN = {
  TICK_PRICE: 1,
  TICK_SIZE: 2,
  ORDER_STATUS: 3,
  ERR_MSG: 4,
  OPEN_ORDER: 5,
  NEXT_VALID_ID: 9,
  CONTRACT_DATA: 10,
  EXECUTION_DATA: 11,
  MARKET_DEPTH: 12,
  MARKET_DEPTH_L2: 13,
  MANAGED_ACCTS: 15,
  CURRENT_TIME: 49,
  CONTRACT_DATA_END: 52,
  OPEN_ORDER_END: 53,
  EXECUTION_DATA_END: 55,
  TICK_SNAPSHOT_END: 57,
  MARKET_DATA_TYPE: 58,
  COMMISSION_REPORT: 59,
  POSITION: 61,
  POSITION_END: 62,
  ACCOUNT_SUMMARY: 63,
  ACCOUNT_SUMMARY_END: 64,
  TICK_BY_TICK: 99,
} as const;

/** Minimal static description of a tradable contract as the fake knows it. */
export interface FakeContract {
  conId: number;
  symbol: string;
  secType: string;
  exchange: string;
  primaryExchange: string;
  currency: string;
  localSymbol: string;
  tradingClass: string;
  longName: string;
  minTick: number;
  timeZoneId: string;
}

export interface OpenOrderSpec {
  orderId: number;
  contract: FakeContract;
  action: string;
  totalQuantity: number;
  orderType: string;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  tif: string;
  ocaGroup: string;
  account: string;
  orderRef: string;
  clientId: number;
  permId: number;
  parentId: number;
  status: string;
}

export interface OrderStatusSpec {
  orderId: number;
  status: string;
  filled: number;
  remaining: number;
  avgFillPrice: number;
  permId: number;
  parentId: number;
  lastFillPrice: number;
  clientId: number;
  whyHeld: string;
}

export interface ExecutionSpec {
  reqId: number;
  orderId: number;
  contract: FakeContract;
  execId: string;
  time: string;
  account: string;
  exchange: string;
  side: 'BOT' | 'SLD';
  shares: number;
  price: number;
  permId: number;
  clientId: number;
  cumQty: number;
  avgPrice: number;
  orderRef: string;
}

const E = '';

/**
 * Builds server → client frames for one negotiated server version (100..193). Every layout follows the version gates
 * of the `@stoqey/ib` decoder, so a frame built here decodes with exactly zero 505 errors at that version; the
 * layout spec (`fake-tws-layouts.spec.ts`) checks this against the client's own Decoder for every version.
 */
export class TwsMessages {
  constructor(readonly sv: number) {}

  nextValidId(orderId: number): Field[] {
    return [IN.NEXT_VALID_ID, 1, orderId];
  }
  managedAccounts(accounts: readonly string[]): Field[] {
    return [IN.MANAGED_ACCTS, 1, accounts.join(',')];
  }
  currentTime(epochSeconds: number): Field[] {
    return [IN.CURRENT_TIME, 1, epochSeconds];
  }

  /** id −1 reaches the client's `info` event, any other id its `error` event. */
  error(id: number, code: number, text: string, advancedJson = ''): Field[] {
    const f: Field[] = [IN.ERR_MSG, 2, id, code, text];
    if (this.sv >= 166) f.push(advancedJson);
    return f;
  }

  tickPrice(reqId: number, tickType: number, price: number, size: number, attrMask = 0): Field[] {
    return [IN.TICK_PRICE, 3, reqId, tickType, price, size, attrMask];
  }
  tickSize(reqId: number, tickType: number, size: number): Field[] {
    return [IN.TICK_SIZE, 1, reqId, tickType, size];
  }
  tickSnapshotEnd(reqId: number): Field[] {
    return [IN.TICK_SNAPSHOT_END, 1, reqId];
  }
  marketDataType(reqId: number, type: number): Field[] {
    return [IN.MARKET_DATA_TYPE, 1, reqId, type];
  }

  /** side: 0 ask, 1 bid; operation: 0 insert, 1 update, 2 delete. */
  depth(reqId: number, position: number, operation: number, side: number, price: number, size: number): Field[] {
    return [IN.MARKET_DEPTH, 1, reqId, position, operation, side, price, size];
  }
  depthL2(
    reqId: number,
    position: number,
    mm: string,
    operation: number,
    side: number,
    price: number,
    size: number,
    smart: boolean,
  ): Field[] {
    const f: Field[] = [IN.MARKET_DEPTH_L2, 1, reqId, position, mm, operation, side, price, size];
    if (this.sv >= 146) f.push(smart);
    return f;
  }

  /** tickType 1 Last / 2 AllLast; time is epoch seconds as text. */
  tickByTickLast(reqId: number, tickType: 1 | 2, time: number, price: number, size: number, mask: number, exchange: string): Field[] {
    return [IN.TICK_BY_TICK, reqId, tickType, time, price, size, mask, exchange, E];
  }
  tickByTickBidAsk(reqId: number, time: number, bid: number, ask: number, bidSize: number, askSize: number): Field[] {
    return [IN.TICK_BY_TICK, reqId, 3, time, bid, ask, bidSize, askSize, 0];
  }
  tickByTickMidPoint(reqId: number, time: number, mid: number): Field[] {
    return [IN.TICK_BY_TICK, reqId, 4, time, mid];
  }

  orderStatus(s: OrderStatusSpec): Field[] {
    const head: Field[] = [IN.ORDER_STATUS];
    if (this.sv < 131) head.push(6);
    head.push(s.orderId, s.status, s.filled, s.remaining, s.avgFillPrice, s.permId, s.parentId, s.lastFillPrice, s.clientId, s.whyHeld);
    if (this.sv >= 131) head.push(0);
    return head;
  }

  openOrder(o: OpenOrderSpec): Field[] {
    const sv = this.sv;
    const c = o.contract;
    const f: Field[] = [IN.OPEN_ORDER];
    // Below ORDER_CONTAINER (145) a version field leads; the decoder gates on it like on sv, so sv itself is sent.
    if (sv < 145) f.push(sv);
    f.push(
      o.orderId,
      c.conId,
      c.symbol,
      c.secType,
      E,
      0,
      E,
      E,
      c.exchange,
      c.currency,
      c.localSymbol,
      c.tradingClass,
      o.action,
      o.totalQuantity,
      o.orderType,
      o.lmtPrice ?? E,
      o.auxPrice ?? E,
      o.tif,
      o.ocaGroup,
      o.account,
      'O',
      0,
      o.orderRef,
      o.clientId,
      o.permId,
      0,
      0,
      0,
      E,
      E,
      E,
      E,
      E,
    );
    if (sv < 177) f.push(E); // faProfile
    if (sv >= 103) f.push(E); // modelCode
    f.push(
      E,
      E,
      E,
      E,
      0,
      E,
      -1,
      0,
      E,
      E,
      E,
      E,
      E,
      E,
      0,
      0,
      0,
      E,
      0,
      0,
      0,
      E,
      o.parentId,
      0,
      E,
      0,
      E,
      E,
      0,
      0,
      E,
      E,
      E,
      E,
      E,
      0,
      0,
      0,
      E,
      E,
      E,
      E,
      0,
      E,
      E,
      0,
      0,
      E,
      0,
      0,
      o.status,
    );
    if (sv >= 142) f.push(E, E, E, E, E, E);
    f.push(E, E, E, E, E, E, E, E, 0, 0);
    if (sv >= 102) f.push(0, E, E, E, E, E, E, E, 0);
    if (sv >= 106) f.push(E, E, E);
    if (sv >= 111) f.push(E);
    if (sv >= 141) f.push(0);
    if (sv >= 145) f.push(0);
    if (sv >= 148) f.push(0);
    if (sv >= 151) f.push(0);
    if (sv >= 158) f.push(0);
    if (sv >= 160) f.push(E);
    if (sv >= 162) f.push(0);
    if (sv >= 170) f.push(E, E, E, E, E);
    if (sv >= 183) f.push(E);
    if (sv >= 184) f.push(0);
    if (sv >= 185) f.push(E);
    if (sv >= 189) f.push(0);
    if (sv >= 193) f.push(E, E);
    return f;
  }
  openOrderEnd(): Field[] {
    return [IN.OPEN_ORDER_END, 1];
  }

  execution(x: ExecutionSpec): Field[] {
    const c = x.contract;
    const f: Field[] = [IN.EXECUTION_DATA];
    if (this.sv < 136) f.push(10);
    f.push(
      x.reqId,
      x.orderId,
      c.conId,
      c.symbol,
      c.secType,
      E,
      0,
      E,
      E,
      c.exchange,
      c.currency,
      c.localSymbol,
      c.tradingClass,
      x.execId,
      x.time,
      x.account,
      x.exchange,
      x.side,
      x.shares,
      x.price,
      x.permId,
      x.clientId,
      0,
      x.cumQty,
      x.avgPrice,
      x.orderRef,
      E,
      E,
    );
    if (this.sv >= 103) f.push(E);
    if (this.sv >= 136) f.push(1); // lastLiquidity: 1 = added liquidity
    if (this.sv >= 178) f.push(0);
    return f;
  }
  executionEnd(reqId: number): Field[] {
    return [IN.EXECUTION_DATA_END, 1, reqId];
  }

  /** commission in currency units; realized PnL unset unless given. */
  commissionReport(execId: string, commission: number, currency: string, realizedPnl?: number): Field[] {
    return [IN.COMMISSION_REPORT, 1, execId, commission, currency, realizedPnl ?? '1.7976931348623157E308', '1.7976931348623157E308', E];
  }

  position(account: string, c: FakeContract, pos: number, avgCost: number): Field[] {
    return [
      IN.POSITION,
      3,
      account,
      c.conId,
      c.symbol,
      c.secType,
      E,
      0,
      E,
      E,
      c.exchange,
      c.currency,
      c.localSymbol,
      c.tradingClass,
      pos,
      avgCost,
    ];
  }
  positionEnd(): Field[] {
    return [IN.POSITION_END, 1];
  }

  accountSummary(reqId: number, account: string, tag: string, value: string, currency: string): Field[] {
    return [IN.ACCOUNT_SUMMARY, 1, reqId, account, tag, value, currency];
  }
  accountSummaryEnd(reqId: number): Field[] {
    return [IN.ACCOUNT_SUMMARY_END, 1, reqId];
  }

  contractData(reqId: number, c: FakeContract, tradingHours: string, liquidHours: string): Field[] {
    const sv = this.sv;
    const f: Field[] = [IN.CONTRACT_DATA];
    if (sv < 164) f.push(8);
    f.push(reqId, c.symbol, c.secType, E);
    if (sv >= 182) f.push(E);
    f.push(0, E, c.exchange, c.currency, c.localSymbol, c.tradingClass, c.tradingClass, c.conId, c.minTick);
    if (sv >= 110 && sv < 164) f.push(1);
    f.push(
      E,
      'ACTIVETIM,LMT,MKT,STP,STP LMT',
      `SMART,${c.primaryExchange}`,
      1,
      0,
      c.longName,
      c.primaryExchange,
      E,
      E,
      E,
      E,
      c.timeZoneId,
      tradingHours,
      liquidHours,
      E,
      E,
      0,
    );
    if (sv >= 121) f.push(1);
    if (sv >= 122) f.push(E, E);
    if (sv >= 126) f.push('26');
    if (sv >= 134) f.push(E);
    if (sv >= 152) f.push('COMMON');
    if (sv >= 163 && sv < 164) f.push('0.0001');
    if (sv >= 164) f.push(1, 1, 100);
    if (sv >= 186) f.push(0);
    return f;
  }
  contractDataEnd(reqId: number): Field[] {
    return [IN.CONTRACT_DATA_END, 1, reqId];
  }
}
