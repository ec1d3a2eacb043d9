import { createRequire } from 'node:module';
import { expect } from 'chai';
import { TwsMessages, type FakeContract } from '../../adapters/fake-tws/messages.js';
import { fieldText, type Field } from '../../adapters/fake-tws/wire.js';

// The client's own Decoder is the oracle: a frame that decodes with zero errors has exactly the right field count.
const require = createRequire(import.meta.url);
const { Decoder } = require('@stoqey/ib/dist/core/io/decoder') as {
  Decoder: new (cb: {
    serverVersion: number;
    emitEvent(name: string, ...args: unknown[]): void;
    emitError(msg: string, code: number, reqId?: number): void;
    emitInfo(msg: string, code: number): void;
  }) => { enqueueMessage(tokens: string[]): void; process(): void };
};

const AAPL: FakeContract = {
  conId: 265598,
  symbol: 'AAPL',
  secType: 'STK',
  exchange: 'SMART',
  primaryExchange: 'NASDAQ',
  currency: 'USD',
  localSymbol: 'AAPL',
  tradingClass: 'NMS',
  longName: 'APPLE INC',
  minTick: 0.01,
  timeZoneId: 'US/Eastern',
};

function decode(sv: number, fields: Field[]): { events: [string, unknown[]][]; errors: string[] } {
  const events: [string, unknown[]][] = [];
  const errors: string[] = [];
  const d = new Decoder({
    serverVersion: sv,
    emitEvent: (name, ...args) => events.push([name, args]),
    emitError: (msg, code) => (code === 505 ? errors.push(`${code} ${msg}`) : events.push(['error', [msg, code]])),
    emitInfo: (msg, code) => events.push(['info', [msg, code]]),
  });
  d.enqueueMessage(fields.map(fieldText));
  d.process();
  return { events, errors };
}

function samples(m: TwsMessages): [string, Field[]][] {
  return [
    ['error', m.error(7, 201, 'Order rejected - reason:x')],
    ['info', m.error(-1, 2104, 'Market data farm connection is OK:usfarm')],
    ['tickPrice', m.tickPrice(11, 1, 150.25, 100, 1)],
    ['tickSize', m.tickSize(11, 0, 300)],
    ['updateMktDepth', m.depth(12, 0, 0, 1, 150.24, 300)],
    ['updateMktDepthL2', m.depthL2(12, 0, 'NSDQ', 0, 0, 150.26, 200, true)],
    ['tickByTickAllLast', m.tickByTickLast(13, 2, 1767268800, 150.3, 5, 0, 'NASDAQ')],
    ['tickByTickBidAsk', m.tickByTickBidAsk(13, 1767268800, 150.2, 150.4, 10, 20)],
    [
      'orderStatus',
      m.orderStatus({
        orderId: 1000,
        status: 'Filled',
        filled: 10,
        remaining: 0,
        avgFillPrice: 150.5,
        permId: 5,
        parentId: 0,
        lastFillPrice: 150.5,
        clientId: 7,
        whyHeld: '',
      }),
    ],
    [
      'openOrder',
      m.openOrder({
        orderId: 1000,
        contract: AAPL,
        action: 'BUY',
        totalQuantity: 10,
        orderType: 'LMT',
        lmtPrice: 150.5,
        auxPrice: undefined,
        tif: 'DAY',
        ocaGroup: '',
        account: 'DU0000001',
        orderRef: 'r',
        clientId: 7,
        permId: 5,
        parentId: 0,
        status: 'Submitted',
      }),
    ],
    [
      'execDetails',
      m.execution({
        reqId: -1,
        orderId: 1000,
        contract: AAPL,
        execId: 'e1',
        time: '20260101 12:00:01',
        account: 'DU0000001',
        exchange: 'ISLAND',
        side: 'BOT',
        shares: 10,
        price: 150.5,
        permId: 5,
        clientId: 7,
        cumQty: 10,
        avgPrice: 150.5,
        orderRef: 'r',
      }),
    ],
    ['commissionReport', m.commissionReport('e1', 1, 'USD')],
    ['position', m.position('DU0000001', AAPL, 100, 145.2)],
    ['accountSummary', m.accountSummary(16, 'DU0000001', 'NetLiquidation', '100000.00', 'USD')],
    ['contractDetails', m.contractData(14, AAPL, '20260101:0930-20260101:1600', '20260101:0930-20260101:1600')],
    ['currentTime', m.currentTime(1767268800)],
    ['nextValidId', m.nextValidId(1000)],
    ['managedAccounts', m.managedAccounts(['DU0000001'])],
  ];
}

describe('fake TWS message layouts against the @stoqey/ib Decoder', () => {
  it('decodes every message with zero errors at every server version 100..193', () => {
    for (let sv = 100; sv <= 193; sv++) {
      for (const [event, fields] of samples(new TwsMessages(sv))) {
        const { events, errors } = decode(sv, fields);
        expect(errors, `${event} at sv ${sv}`).to.deep.equal([]);
        expect(
          events.map((e) => e[0]),
          `${event} at sv ${sv}`,
        ).to.include(event);
      }
    }
  });

  it('flags a wrong field count (the oracle can fail)', () => {
    const fields = new TwsMessages(193).openOrder({
      orderId: 1,
      contract: AAPL,
      action: 'BUY',
      totalQuantity: 1,
      orderType: 'MKT',
      lmtPrice: undefined,
      auxPrice: undefined,
      tif: 'DAY',
      ocaGroup: '',
      account: 'DU0000001',
      orderRef: '',
      clientId: 1,
      permId: 1,
      parentId: 0,
      status: 'Submitted',
    });
    expect(decode(192, fields).errors).to.have.length.greaterThan(0);
  });

  it('decodes OPEN_ORDER values the client reads back', () => {
    const { events } = decode(
      193,
      new TwsMessages(193).openOrder({
        orderId: 1000,
        contract: AAPL,
        action: 'SELL',
        totalQuantity: 10,
        orderType: 'STP LMT',
        lmtPrice: 149.5,
        auxPrice: 149.9,
        tif: 'GTC',
        ocaGroup: 'OCA-1',
        account: 'DU0000001',
        orderRef: 'strat-1',
        clientId: 7,
        permId: 99,
        parentId: 999,
        status: 'PreSubmitted',
      }),
    );
    const [, [orderId, contract, order, state]] = events[0] as [string, [number, any, any, any]];
    expect(orderId).to.equal(1000);
    expect(contract.symbol).to.equal('AAPL');
    expect(order).to.include({
      action: 'SELL',
      totalQuantity: 10,
      orderType: 'STP LMT',
      lmtPrice: 149.5,
      auxPrice: 149.9,
      tif: 'GTC',
      ocaGroup: 'OCA-1',
      orderRef: 'strat-1',
      permId: 99,
      parentId: 999,
    });
    expect(state.status).to.equal('PreSubmitted');
  });
});
