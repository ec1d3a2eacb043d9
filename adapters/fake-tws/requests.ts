import { decodeHistorical, type HistoricalQuery } from './historical.js';

/** Client → server message ids (TWS `OUT` ids) the fake understands. */
export const OUT = {
  REQ_MKT_DATA: 1,
  CANCEL_MKT_DATA: 2,
  PLACE_ORDER: 3,
  CANCEL_ORDER: 4,
  REQ_OPEN_ORDERS: 5,
  REQ_ACCOUNT_DATA: 6,
  REQ_EXECUTIONS: 7,
  REQ_IDS: 8,
  REQ_CONTRACT_DATA: 9,
  REQ_MKT_DEPTH: 10,
  CANCEL_MKT_DEPTH: 11,
  REQ_AUTO_OPEN_ORDERS: 15,
  REQ_ALL_OPEN_ORDERS: 16,
  REQ_MANAGED_ACCTS: 17,
  REQ_HISTORICAL_DATA: 20,
  CANCEL_HISTORICAL_DATA: 25,
  REQ_CURRENT_TIME: 49,
  REQ_GLOBAL_CANCEL: 58,
  REQ_MARKET_DATA_TYPE: 59,
  REQ_POSITIONS: 61,
  REQ_ACCOUNT_SUMMARY: 62,
  CANCEL_ACCOUNT_SUMMARY: 63,
  CANCEL_POSITIONS: 64,
  START_API: 71,
  REQ_TICK_BY_TICK_DATA: 97,
  CANCEL_TICK_BY_TICK_DATA: 98,
} as const;

/** The contract fields a request names (IB's 12-field contract block, unset fields empty). */
export interface RequestedContract {
  conId: number;
  symbol: string;
  secType: string;
  exchange: string;
  primaryExchange: string;
  currency: string;
}

export interface PlacedOrder {
  orderId: number;
  contract: RequestedContract;
  action: string;
  totalQuantity: number;
  orderType: string;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  tif: string;
  ocaGroup: string;
  account: string;
  orderRef: string;
  /** `false` holds the order until a later order of the same bracket is sent with transmit true. */
  transmit: boolean;
  parentId: number;
}

/** A decoded client request; `tokens` always carries the raw frame for assertions in tests. */
export type ClientRequest =
  | { kind: 'startApi'; clientId: string }
  | { kind: 'reqIds' }
  | { kind: 'currentTime' }
  | { kind: 'managedAccounts' }
  | { kind: 'marketDataType'; type: number }
  | { kind: 'mktData'; reqId: number; contract: RequestedContract; genericTicks: string; snapshot: boolean }
  | { kind: 'cancelMktData'; reqId: number }
  | { kind: 'mktDepth'; reqId: number; contract: RequestedContract; numRows: number; smart: boolean }
  | { kind: 'cancelMktDepth'; reqId: number }
  | { kind: 'tickByTick'; reqId: number; contract: RequestedContract; tickType: string }
  | { kind: 'cancelTickByTick'; reqId: number }
  | { kind: 'contractData'; reqId: number; contract: RequestedContract }
  | { kind: 'historicalData'; reqId: number; query: HistoricalQuery | null }
  | { kind: 'cancelHistoricalData'; reqId: number }
  | { kind: 'positions' }
  | { kind: 'cancelPositions' }
  | { kind: 'accountSummary'; reqId: number; group: string; tags: string[] }
  | { kind: 'cancelAccountSummary'; reqId: number }
  | { kind: 'openOrders'; scope: 'client' | 'all' | 'auto' }
  | { kind: 'accountUpdates'; subscribe: boolean; account: string }
  | { kind: 'executions'; reqId: number; clientId: string; account: string; symbol: string }
  | { kind: 'placeOrder'; order: PlacedOrder }
  | { kind: 'cancelOrder'; orderId: number }
  | { kind: 'globalCancel' }
  | { kind: 'unknown'; id: string };

export interface DecodedFrame {
  request: ClientRequest;
  tokens: readonly string[];
}

const int = (s: string | undefined): number => {
  const n = parseInt(s ?? '', 10);
  return Number.isFinite(n) ? n : 0;
};
const num = (s: string | undefined): number | undefined => {
  if (s === undefined || s === '') return undefined;
  const n = parseFloat(s);
  return Number.isFinite(n) && n < 1e300 ? n : undefined;
};
const str = (s: string | undefined): string => s ?? '';

/** The 12-field contract block starting at `i` (conId first). */
function contractAt(t: readonly string[], i: number): RequestedContract {
  return {
    conId: int(t[i]),
    symbol: str(t[i + 1]),
    secType: str(t[i + 2]),
    exchange: str(t[i + 7]),
    primaryExchange: str(t[i + 8]),
    currency: str(t[i + 9]),
  };
}

/**
 * Decodes one client frame at server version `sv`. Throws only on frames too short for their id, which the server
 * counts as malformed; unknown ids decode to `{kind:'unknown'}`.
 */
export function decodeRequest(t: readonly string[], sv: number): ClientRequest {
  const id = int(t[0]);
  switch (id) {
    case OUT.START_API:
      return { kind: 'startApi', clientId: str(t[2]) };
    case OUT.REQ_IDS:
      return { kind: 'reqIds' };
    case OUT.REQ_CURRENT_TIME:
      return { kind: 'currentTime' };
    case OUT.REQ_MANAGED_ACCTS:
      return { kind: 'managedAccounts' };
    case OUT.REQ_MARKET_DATA_TYPE:
      return { kind: 'marketDataType', type: int(t[2]) };
    case OUT.REQ_MKT_DATA:
      need(t, 19);
      return {
        kind: 'mktData',
        reqId: int(t[2]),
        contract: contractAt(t, 3),
        genericTicks: str(t[t.length - 4]),
        snapshot: t[t.length - 3] === '1',
      };
    case OUT.CANCEL_MKT_DATA:
      return { kind: 'cancelMktData', reqId: int(t[2]) };
    case OUT.REQ_MKT_DEPTH:
      need(t, 16);
      return {
        kind: 'mktDepth',
        reqId: int(t[2]),
        contract: contractAt(t, 3),
        numRows: int(t[15]) || 5,
        smart: sv >= 146 && t[16] === '1',
      };
    case OUT.CANCEL_MKT_DEPTH:
      return { kind: 'cancelMktDepth', reqId: int(t[2]) };
    case OUT.REQ_TICK_BY_TICK_DATA:
      need(t, 15);
      return { kind: 'tickByTick', reqId: int(t[1]), contract: contractAt(t, 2), tickType: str(t[14]) };
    case OUT.CANCEL_TICK_BY_TICK_DATA:
      return { kind: 'cancelTickByTick', reqId: int(t[1]) };
    case OUT.REQ_CONTRACT_DATA:
      need(t, 15);
      return { kind: 'contractData', reqId: int(t[2]), contract: contractAt(t, 3) };
    case OUT.REQ_HISTORICAL_DATA:
      // Below 124 a version field leads and the layout differs; the fake answers those with 162 without reading them.
      return sv < 124
        ? { kind: 'historicalData', reqId: int(t[2]), query: null }
        : { kind: 'historicalData', reqId: int(t[1]), query: decodeHistorical(t) };
    case OUT.CANCEL_HISTORICAL_DATA:
      return { kind: 'cancelHistoricalData', reqId: int(t[2]) };
    case OUT.REQ_POSITIONS:
      return { kind: 'positions' };
    case OUT.CANCEL_POSITIONS:
      return { kind: 'cancelPositions' };
    case OUT.REQ_ACCOUNT_SUMMARY:
      return {
        kind: 'accountSummary',
        reqId: int(t[2]),
        group: str(t[3]),
        tags: str(t[4])
          .split(',')
          .filter((x) => x !== ''),
      };
    case OUT.CANCEL_ACCOUNT_SUMMARY:
      return { kind: 'cancelAccountSummary', reqId: int(t[2]) };
    case OUT.REQ_OPEN_ORDERS:
      return { kind: 'openOrders', scope: 'client' };
    case OUT.REQ_ALL_OPEN_ORDERS:
      return { kind: 'openOrders', scope: 'all' };
    case OUT.REQ_AUTO_OPEN_ORDERS:
      return { kind: 'openOrders', scope: 'auto' };
    case OUT.REQ_ACCOUNT_DATA:
      return { kind: 'accountUpdates', subscribe: t[2] === '1', account: str(t[3]) };
    case OUT.REQ_EXECUTIONS:
      return { kind: 'executions', reqId: int(t[2]), clientId: str(t[3]), account: str(t[4]), symbol: str(t[6]) };
    case OUT.PLACE_ORDER:
      return { kind: 'placeOrder', order: decodePlaceOrder(t, sv) };
    case OUT.CANCEL_ORDER:
      return { kind: 'cancelOrder', orderId: int(sv >= 192 ? t[1] : t[2]) };
    case OUT.REQ_GLOBAL_CANCEL:
      return { kind: 'globalCancel' };
    default:
      return { kind: 'unknown', id: str(t[0]) };
  }
}

/** PLACE_ORDER fields #1–#28 sit at fixed positions (after a version field below sv 145). */
function decodePlaceOrder(t: readonly string[], sv: number): PlacedOrder {
  const o = sv < 145 ? 1 : 0;
  need(t, 29 + o);
  return {
    orderId: int(t[1 + o]),
    contract: contractAt(t, 2 + o),
    action: str(t[16 + o]),
    totalQuantity: num(t[17 + o]) ?? 0,
    orderType: str(t[18 + o]),
    lmtPrice: num(t[19 + o]),
    auxPrice: num(t[20 + o]),
    tif: str(t[21 + o]),
    ocaGroup: str(t[22 + o]),
    account: str(t[23 + o]),
    orderRef: str(t[26 + o]),
    // An empty transmit (plain object literal without `transmit`) counts as true, as the order classes default it.
    transmit: t[27 + o] !== '0',
    parentId: int(t[28 + o]),
  };
}

function need(t: readonly string[], n: number): void {
  if (t.length < n) throw new RangeError(`request ${t[0]} has ${t.length} tokens, needs ${n}`);
}
