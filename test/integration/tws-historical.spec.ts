import { expect } from 'chai';
import { EventName } from '@stoqey/ib';
import { FakeTwsServer, StepClock } from '../../adapters/fake-tws/index.js';
import { IbHarness } from '../../adapters/fake-tws/ib-client-harness.js';
import { quote } from '../../adapters/fake-tws/market-builders.js';
import { HistoricalPacing } from '../../adapters/tws/market-data/historical.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { createTwsAdapter, TEST_ACCOUNT, until } from '../support/tws-adapter-harness.js';

// 2026-01-06 (a Tuesday) 21:00 UTC = 16:00 New York: the end of that day's session.
const END = Date.UTC(2026, 0, 6, 21, 0, 0) * 1_000;
const DAY = 86_400;

/** Historical bars through the TWS adapter against the fake TWS over loopback (ports/market-data-feed.ts). */
describe('TWS historical bars (fake TWS over loopback)', function () {
  this.timeout(15_000);
  let server: FakeTwsServer;
  const closers: Array<() => Promise<void>> = [];

  async function start(scenario: 'normal' | 'pacing-violation' = 'normal', seed = 7): Promise<void> {
    server = await FakeTwsServer.start({
      clock: new StepClock(),
      accounts: [TEST_ACCOUNT],
      scenario,
      seed,
      contracts: [{ symbol: 'AAPL' }],
    });
  }
  async function connected(clientId: number, params: Record<string, unknown> = {}) {
    const t = createTwsAdapter(server.port, clientId, params);
    closers.push(t.close);
    await t.broker.connect();
    return t;
  }
  afterEach(async () => {
    for (const c of closers.splice(0)) await c().catch(() => undefined);
    await server.stop();
  });

  it('one session of 5-minute bars: integer prices, ascending Clock times inside RTH, ending at the market mid', async () => {
    await start();
    server.publish(quote('AAPL', 150.25, 150.27));
    const t = await connected(60);
    const r = await t.feed.historical.bars({ symbol: 'AAPL', barSeconds: 300, durationSeconds: DAY, end: END });
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    if (!r.ok) return;
    expect(r.bars.length).to.equal(78); // 09:30–16:00 in 5-minute bars
    expect(r.bars[0]!.time).to.equal(Date.UTC(2026, 0, 6, 14, 30) * 1_000);
    for (let i = 0; i < r.bars.length; i++) {
      const b = r.bars[i]!;
      for (const p of [b.open, b.high, b.low, b.close]) expect(Number.isInteger(p) && p > 0, `bar ${i} price ${p}`).to.equal(true);
      expect(b.low).to.be.at.most(Math.min(b.open, b.close));
      expect(b.high).to.be.at.least(Math.max(b.open, b.close));
      expect(b.volume).to.be.a('number').and.at.least(0);
      if (i > 0) expect(b.time - r.bars[i - 1]!.time).to.equal(300_000_000);
    }
    expect(r.bars.at(-1)!.close).to.equal(1_502_600); // the mid, $150.26
  });

  it('deterministic: the same request to a fresh fake with the same seed answers the same bars', async () => {
    const run = async (clientId: number) => {
      await start('normal', 11);
      const t = await connected(clientId);
      const r = await t.feed.historical.bars({ symbol: 'AAPL', barSeconds: 60, durationSeconds: 3_600, end: END, what: 'midpoint' });
      for (const c of closers.splice(0)) await c();
      await server.stop();
      return r;
    };
    const [a, b] = [await run(61), await run(62)];
    await start(); // for afterEach
    expect(a.ok).to.equal(true);
    expect(a).to.deep.equal(b);
    if (a.ok)
      expect(
        a.bars.every((x) => x.volume === null && x.wap === null && x.count === null),
        'midpoint bars have no volume',
      ).to.equal(true);
  });

  it('an identical request within 15 s is refused locally as a value; nothing reaches TWS', async () => {
    await start();
    const t = await connected(63);
    const sent: number[] = [];
    server.on('frame', (f) => {
      if (f.request.kind === 'historicalData') sent.push(f.request.reqId);
    });
    const req = { symbol: 'AAPL', barSeconds: 300, durationSeconds: DAY, end: END } as const;
    expect((await t.feed.historical.bars(req)).ok).to.equal(true);
    const again = await t.feed.historical.bars(req);
    expect(again).to.include({ ok: false, code: 'FEED.PACING', ibCode: null });
    if (!again.ok && again.code === 'FEED.PACING') expect(again.retryAfterMs).to.be.within(1, 15_000);
    expect(sent.length).to.equal(1);
  });

  it('TWS pacing violation (162, another client broke the rules) is a FEED.PACING value, and the session is not halted', async () => {
    await start();
    const t = await connected(64);
    // Another client on the same TWS sends the request first: TWS counts per TWS, so ours is the identical repeat.
    const other = await IbHarness.connect(server.port, 65);
    const endText = '20260106-21:00:00';
    other.ib.reqHistoricalData(
      1,
      { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' },
      endText,
      '1 D',
      '5 mins' as never,
      'TRADES' as never,
      1,
      2,
      false,
    );
    await other.waitFor(EventName.historicalData);
    const r = await t.feed.historical.bars({ symbol: 'AAPL', barSeconds: 300, durationSeconds: DAY, end: END });
    other.ib.disconnect();
    expect(r).to.include({ ok: false, code: 'FEED.PACING', ibCode: 162 });
    // No broker.error for it: the kill switch would read 162 as session-wide pacing (core/risk/auto-triggers.ts).
    expect(t.of('broker.error').filter((e) => e.code === 162)).to.deep.equal([]);
    // The adapter then waits its penalty before anything else goes.
    expect(await t.feed.historical.bars({ symbol: 'AAPL', barSeconds: 60, durationSeconds: 3_600, end: END })).to.include({
      ok: false,
      code: 'FEED.PACING',
      ibCode: null,
    });
  });

  it('unknown symbol, an unanswered request and an invalid one are values too', async () => {
    await start();
    const t = await connected(66, { historicalTimeoutMs: 300 });
    expect(await t.feed.historical.bars({ symbol: 'NOPE', barSeconds: 300, durationSeconds: DAY, end: END })).to.include({
      ok: false,
      code: 'FEED.UNKNOWN_SYMBOL',
    });
    expect(await t.feed.historical.bars({ symbol: 'AAPL', barSeconds: 7 as never, durationSeconds: DAY })).to.include({
      ok: false,
      code: 'FEED.INVALID_REQUEST',
    });
    server.withheld.add('historicalData');
    const cancels: number[] = [];
    server.on('frame', (f) => {
      if (f.request.kind === 'cancelHistoricalData') cancels.push(f.request.reqId);
    });
    expect(await t.feed.historical.bars({ symbol: 'AAPL', barSeconds: 300, durationSeconds: DAY, end: END })).to.include({
      ok: false,
      code: 'FEED.REQUEST_TIMEOUT',
    });
    await until(() => cancels.length === 1, 'the timed-out request to be cancelled');
    expect(t.connection.state).to.equal('Connected');
  });
});

describe('HistoricalPacing (IB rules on the Clock)', () => {
  it('six requests for one contract within 2 s: the sixth waits; 61 in 10 minutes: the 61st waits', () => {
    const clock = new ManualClock(1_000_000_000);
    const p = new HistoricalPacing(clock);
    for (let i = 0; i < 5; i++) {
      expect(p.check(`k${i}`, 'AAPL|trades').waitMs).to.equal(0);
      p.record(`k${i}`, 'AAPL|trades');
    }
    expect(p.check('k5', 'AAPL|trades').waitMs).to.be.within(1, 2_000);
    expect(p.check('k5', 'MSFT|trades').waitMs).to.equal(0);
    clock.advanceTo(clock.now() + 2_000_001);
    expect(p.check('k5', 'AAPL|trades').waitMs).to.equal(0);
    for (let i = 5; i < 60; i++) {
      clock.advanceTo(clock.now() + 3_000_000); // slow enough for the 2 s rule
      p.record(`k${i}`, `S${i}|trades`);
    }
    expect(p.check('new', 'X|trades').rule).to.match(/60 requests in 10 minutes/);
  });
});
