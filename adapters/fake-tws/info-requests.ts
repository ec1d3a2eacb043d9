import { fromMoney, fromPrice } from '../../core/domain/units.js';
import type { FakeTwsServer } from './fake-tws-server.js';
import type { ClientRequest } from './requests.js';
import { ERROR_TEXT } from './scenarios.js';
import { refusalFor, skewedSeconds, type FakeFeed } from './entitlements.js';
import type { TwsConnection } from './tws-connection.js';
import { historicalBars } from './historical.js';

const HOURS = '20260101:0930-20260101:1600';

/**
 * Answers the requests that do not touch orders: time, accounts, market-data subscriptions, contract details,
 * positions and account summary. Scenario faults for market data (10197, 354, 162) are decided here;
 * historical bars come from historical.ts, with TWS's pacing rules (162 when broken).
 */
export function answerInfoRequest(server: FakeTwsServer, conn: TwsConnection, r: ClientRequest): void {
  const m = conn.msgs;
  const scenario = server.scenario;
  switch (r.kind) {
    case 'currentTime':
      return conn.send(m.currentTime(skewedSeconds(server.clock.nowMicros(), server.clockSkewMs)));
    case 'managedAccounts':
      return conn.send(m.managedAccounts(server.accounts));
    case 'marketDataType':
      for (const s of server.market.subs) if (s.conn === conn && s.kind === 'l1') conn.send(m.marketDataType(s.reqId, r.type));
      return;
    case 'mktData': {
      if (scenario === 'competing-session') {
        // Real TWS sends 10197 in bursts of 10–20 (LEAN #140); the burst size follows the server seed.
        const burst = server.rng.int(10, 21);
        for (let i = 0; i < burst; i++) conn.send(m.error(r.reqId, 10197, ERROR_TEXT[10197]!));
        return;
      }
      if (scenario === 'no-subscription') return conn.send(m.error(r.reqId, 354, ERROR_TEXT[354]!));
      const c = server.contractFor(r.contract);
      if (!c) return conn.send(m.error(r.reqId, 200, ERROR_TEXT[200]!));
      if (refuse(server, conn, r.reqId, c.symbol, 'l1')) return;
      const sub = { conn, reqId: r.reqId, kind: 'l1' as const, symbol: c.symbol, numRows: 0, smart: false, tickType: '' };
      if (r.snapshot) {
        const q = server.market.lastQuote.get(c.symbol);
        if (q) server.market.sendQuote(sub, q);
        return conn.send(m.tickSnapshotEnd(r.reqId));
      }
      server.market.subscribe(sub);
      return startMarket(server);
    }
    case 'cancelMktData':
      return server.market.unsubscribe(conn, r.reqId, 'l1');
    case 'mktDepth': {
      if (scenario === 'no-subscription') return conn.send(m.error(r.reqId, 354, ERROR_TEXT[354]!));
      const c = server.contractFor(r.contract);
      if (!c) return conn.send(m.error(r.reqId, 200, ERROR_TEXT[200]!));
      if (refuse(server, conn, r.reqId, c.symbol, 'depth')) return;
      server.market.subscribe({ conn, reqId: r.reqId, kind: 'depth', symbol: c.symbol, numRows: r.numRows, smart: r.smart, tickType: '' });
      return startMarket(server);
    }
    case 'cancelMktDepth':
      return server.market.unsubscribe(conn, r.reqId, 'depth');
    case 'tickByTick': {
      if (scenario === 'competing-session') return conn.send(m.error(r.reqId, 10197, ERROR_TEXT[10197]!));
      const c = server.contractFor(r.contract);
      if (!c) return conn.send(m.error(r.reqId, 200, ERROR_TEXT[200]!));
      if (refuse(server, conn, r.reqId, c.symbol, 'tape')) return;
      server.market.subscribe({ conn, reqId: r.reqId, kind: 'tbt', symbol: c.symbol, numRows: 0, smart: false, tickType: r.tickType });
      return startMarket(server);
    }
    case 'cancelTickByTick':
      return server.market.unsubscribe(conn, r.reqId, 'tbt');
    case 'contractData': {
      const c = server.contractFor(r.contract);
      if (!c) return conn.send(m.error(r.reqId, 200, ERROR_TEXT[200]!));
      conn.send(m.contractData(r.reqId, c, HOURS, HOURS));
      return conn.send(m.contractDataEnd(r.reqId));
    }
    case 'historicalData': {
      if (scenario === 'pacing-violation' || r.query === null) return conn.send(m.error(r.reqId, 162, ERROR_TEXT[162]!));
      const c = server.contractFor({
        conId: r.query.conId,
        symbol: r.query.symbol,
        secType: 'STK',
        exchange: '',
        primaryExchange: '',
        currency: '',
      });
      if (!c) return conn.send(m.error(r.reqId, 200, ERROR_TEXT[200]!));
      const now = server.clock.nowMicros();
      if (server.historicalPacing.violates(r.query, now)) return conn.send(m.error(r.reqId, 162, ERROR_TEXT[162]!));
      const q = server.market.lastQuote.get(c.symbol);
      const answer = historicalBars(
        { ...r.query, symbol: c.symbol },
        now,
        server.options.seed ?? 1,
        q === undefined ? 100 : (q.bid + q.ask) / 2,
      );
      return conn.send(answer.ok ? answer.fields : m.error(r.reqId, answer.code, answer.text));
    }
    case 'positions':
      for (const p of server.desk.positions.values()) {
        conn.send(m.position(p.account, p.contract, p.qty, p.qty === 0 ? 0 : fromPrice(Math.round(p.cost / p.qty))));
      }
      return conn.send(m.positionEnd());
    case 'accountSummary':
      for (const account of server.accounts) {
        for (const tag of r.tags) {
          const value = summaryValue(server, account, tag);
          if (value !== null) conn.send(m.accountSummary(r.reqId, account, tag, value, tag === 'AccountType' ? '' : 'USD'));
        }
      }
      return conn.send(m.accountSummaryEnd(r.reqId));
    case 'accountUpdates':
      if (r.subscribe) conn.send([54, 1, r.account || server.accounts[0] || '']); // ACCT_DOWNLOAD_END
      return;
    default:
      return; // cancels of summaries/positions/historical data need no answer; unknown ids are counted elsewhere
  }
}

/** A refusal configured for this symbol and feed: answered with its IB code instead of data. */
function refuse(server: FakeTwsServer, conn: TwsConnection, reqId: number, symbol: string, feed: FakeFeed): boolean {
  const code = refusalFor(server.refusals, server.scenario, symbol, feed);
  if (code === null) return false;
  conn.send(conn.msgs.error(reqId, code, ERROR_TEXT[code] ?? `fake refusal ${code}`));
  return true;
}

function startMarket(server: FakeTwsServer): void {
  if ((server.options.marketStart ?? 'on-subscribe') === 'on-subscribe') void server.playMarket();
}

/** Money values with two decimals, as TWS formats account summary values. */
function summaryValue(server: FakeTwsServer, account: string, tag: string): string | null {
  const d = server.desk;
  const startCash = Math.round((server.options.startingCash ?? 1_000_000) * 10_000);
  const cash = d.cash.get(account) ?? startCash;
  let gross = 0;
  let held = 0;
  for (const p of d.positions.values()) {
    if (p.account !== account) continue;
    gross += Math.abs(p.cost);
    held += p.cost; // at cost: the fake does not mark positions to market
  }
  const net = cash + held;
  const fmt = (money: number): string => fromMoney(money).toFixed(2);
  switch (tag) {
    case 'AccountType':
      return 'INDIVIDUAL';
    case 'NetLiquidation':
    case 'EquityWithLoanValue':
      return fmt(net);
    case 'TotalCashValue':
    case 'SettledCash':
      return fmt(cash);
    case 'BuyingPower':
      return fmt(net * 4);
    case 'AvailableFunds':
    case 'ExcessLiquidity':
      return fmt(net - gross / 4);
    case 'GrossPositionValue':
      return fmt(gross);
    case 'RealizedPnL':
      return fmt(d.realized.get(account) ?? 0);
    case 'UnrealizedPnL':
      return fmt(0);
    default:
      return null;
  }
}
