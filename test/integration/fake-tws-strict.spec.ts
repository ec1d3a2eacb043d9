import { EventName, SecType } from '@stoqey/ib';
import { expect } from 'chai';
import type { MarketEvent } from '../../core/domain/market.js';
import { FakeTwsServer, StepClock, syntheticMarket } from '../../adapters/fake-tws/index.js';
import { IbHarness } from '../../adapters/fake-tws/ib-client-harness.js';

const contract = (symbol: string) => ({ symbol, secType: SecType.STK, exchange: 'SMART', currency: 'USD' });

/** Issue #11 item 14: the fake TWS as strict as TWS where a client notices (unmodified client over loopback). */
describe('fake TWS strictness: unknown symbols get 200, the synthetic tape prints early', function () {
  this.timeout(20_000);
  let server: FakeTwsServer;
  let h: IbHarness;
  afterEach(async () => {
    h?.disconnect();
    await server?.stop();
  });

  it('contract details for a symbol the synthetic market does not list: error 200, no details; an order for it: 200', async () => {
    server = await FakeTwsServer.start({
      clock: new StepClock(),
      market: syntheticMarket({ symbol: 'AAPL', seed: 1, start: 0, steps: 10, mid: 1_500_000, tick: 100, interval: 100_000 }),
    });
    h = await IbHarness.connect(server.port, 5);
    h.ib.reqContractDetails(11, contract('NOPE'));
    h.ib.reqContractDetails(12, contract('AAPL'));
    await h.waitFor(EventName.contractDetailsEnd, (a) => a[0] === 12);
    await h.settle();
    expect(
      h
        .all(EventName.error)
        .filter((a) => a[2] === 11)
        .map((a) => a[1]),
    ).to.deep.equal([200]);
    expect(h.all(EventName.contractDetails).map((a) => a[0])).to.deep.equal([12]);
    h.ib.placeOrder(1000, contract('NOPE'), { action: 'BUY' as never, orderType: 'MKT' as never, totalQuantity: 1, transmit: true });
    await h.settle();
    expect(
      h
        .all(EventName.error)
        .filter((a) => a[2] === 1000)
        .map((a) => a[1]),
    ).to.deep.equal([200]);
    expect(h.all(EventName.openOrder)).to.deep.equal([]);
  });

  it('the synthetic market prints a trade within 5 s of event time from any point, for any step interval', async () => {
    for (const interval of [100_000, 1_000_000]) {
      for (const seed of [1, 2, 3, 4, 5]) {
        const trades: number[] = [];
        for await (const e of syntheticMarket({
          symbol: 'AAPL',
          seed,
          start: 0,
          steps: 500,
          mid: 1_500_000,
          tick: 100,
          interval,
        }).events() as AsyncIterable<MarketEvent>) {
          if (e.kind === 'trade') trades.push(e.exchTime ?? e.recvTime);
        }
        const gaps = [trades[0]!, ...trades.slice(1).map((t, i) => t - trades[i]!)];
        expect(Math.max(...gaps), `interval ${interval} seed ${seed}`).to.be.lessThan(5_000_000);
      }
    }
  });

  it('a tick-by-tick subscription on the default synthetic market gets its first print within 5 s of event time', async () => {
    const clock = new StepClock(0);
    server = await FakeTwsServer.start({
      clock,
      speed: 1,
      market: syntheticMarket({ symbol: 'AAPL', seed: 3, start: 0, steps: 600, mid: 1_500_000, tick: 100, interval: 1_000_000 }),
    });
    h = await IbHarness.connect(server.port, 6);
    h.ib.reqTickByTickData(21, contract('AAPL'), 'AllLast' as never, 0, false);
    const [, , time] = (await h.waitFor(EventName.tickByTickAllLast, () => true, 10_000)) as [number, number, number];
    expect(Number(time)).to.be.lessThan(5); // epoch seconds on a server clock that starts at 0
  });
});
