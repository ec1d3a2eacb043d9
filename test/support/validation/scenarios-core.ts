import { expect } from 'chai';
import type { QuoteEvent } from '../../../core/domain/market.js';
import { coid, fillNow, positionOf, restingBuy, restore, type Scenario } from './scenario.js';
import { sleep, twoSidedQuote, until } from './venue.js';

/** The sixteen scenarios of docs/live-validation-runbook.md#1-what-runs (connectivity, market data, orders, resilience). */
export const CORE_SCENARIOS: readonly Scenario[] = [
  // ---- connectivity ----
  {
    id: 'C1',
    title: 'connect with the fixed client id: the paper account is managed and trading is allowed',
    seed: 'test_gateway_authentication',
    async run({ t, shared, note }) {
      const h = shared().broker.health();
      expect(h).to.include({ state: 'Connected', canTrade: true, readOnly: false, account: t.account });
      if (t.fake)
        expect(
          t.fake.server.live().some((c) => c.clientId === t.clientId),
          'the fake saw our client id',
        ).to.equal(true);
      note(`client id ${t.clientId}, account ${t.account.slice(0, 2)}…, state ${h.state}`);
    },
  },
  {
    id: 'C2',
    title: 'account balance and buying power come from the broker',
    seed: 'test_account_balance_retrieval',
    async run({ shared, note }) {
      // The venue was built with startEquity 0: any equity above 0 is the broker's figure, not the config's.
      const v = shared();
      await until(() => v.broker.accountSnapshot().source === 'venue', 10_000, 'the account summary');
      const a = v.broker.accountSnapshot();
      expect(v.of('account.updated').length, 'account.updated from the summary').to.be.greaterThan(0);
      expect(a.equity, 'equity (net liquidation) from the broker').to.be.greaterThan(0);
      expect(a.buyingPower, 'buying power from the broker').to.be.greaterThan(0);
      expect(a.cash).to.be.at.least(0);
      note(`source ${a.source}: equity ${a.equity / 10_000}, buying power ${a.buyingPower / 10_000}`);
    },
  },
  {
    id: 'C3',
    title: 'positions from the broker at connect: symbol, non-zero quantity, average cost',
    seed: 'test_position_retrieval_empty_account',
    async run({ t, shared, note }) {
      const ps = shared().broker.positions();
      for (const p of ps) {
        expect(p.symbol).to.be.a('string').and.not.equal('');
        expect(p.quantity).to.not.equal(0);
        expect(p.averagePrice).to.be.greaterThan(0);
      }
      // The fake holds 7 shares of the third symbol from "an earlier day": reconciliation at connect must show them.
      if (t.fake) expect(ps.find((p) => p.symbol === t.symbols[2])?.quantity).to.equal(7);
      note(`${ps.length} position(s) at connect`);
    },
  },
  {
    id: 'C4',
    title: 'a dropped link reconnects with backoff, reconciles, and trades again',
    seed: 'test_gateway_reconnection_resilience',
    async run({ t, open, proxy, note }) {
      const p = await proxy();
      const v = await open({ port: p.port });
      await v.broker.connect();
      p.cut();
      await until(() => v.broker.health().state === 'Reconnecting', t.timing.waitMs, 'the adapter to notice the drop');
      expect(v.broker.health().canTrade, 'no trading while reconnecting').to.equal(false);
      await until(() => v.broker.health().canTrade, t.timing.waitMs, 'reconnect and reconciliation');
      expect(v.broker.health().reconnectCount).to.equal(1);
      expect(v.of('reconciliation.started').map((r) => r.trigger)).to.include('reconnect');
      note(`reconnected after ${p.accepted - 1} redial(s); reconciliation on reconnect`);
    },
  },
  // ---- market data ----
  {
    id: 'M1',
    title: 'a quote for the main symbol: qualified contract, bid > 0, ask > bid, fresh',
    seed: 'test_market_data_subscription_spy',
    async run({ t, shared, note }) {
      const v = shared();
      const q = await twoSidedQuote(v, t.symbols[0], t.timing.waitMs);
      expect(q.bid).to.be.greaterThan(0);
      expect(q.ask).to.be.greaterThan(q.bid);
      const ageMs = (Date.now() * 1_000 - q.recvTime) / 1_000; // recvTime is wall-clock µs (WallClock)
      expect(ageMs, 'quote age (ms)').to.be.lessThan(5_000);
      if (t.fake) expect(t.fake.server.market.subs.some((s) => s.symbol === t.symbols[0] && s.kind === 'l1')).to.equal(true);
      note(`${t.symbols[0]} ${q.bid / 10_000} × ${q.ask / 10_000}`);
    },
  },
  {
    id: 'M2',
    title: 'historical bars for the main symbol: a day of 5-minute bars, positive, in time order; pacing answers as a value',
    seed: 'test_historical_data_retrieval_spy',
    async run({ t, shared, open, note }) {
      const v = shared();
      const symbol = t.symbols[0];
      let sent = 0;
      const count = (f: { request: { kind: string } }): void => {
        if (f.request.kind === 'historicalData') sent++;
      };
      t.fake?.server.on('frame', count);
      try {
        // An explicit end (WallClock µs), so the repeat below is identical in IB's sense.
        const req = { symbol, barSeconds: 300, durationSeconds: 86_400, end: Date.now() * 1_000, what: 'trades' } as const;
        const r = await v.feed.historical.bars(req);
        if (!r.ok) throw new Error(`historical bars refused: ${r.code} ${r.reason}`);
        expect(r.bars.length, 'bars in one day').to.be.greaterThan(0);
        for (const b of r.bars) {
          expect(Number.isInteger(b.close) && b.close > 0, `close ${b.close} in Price units`).to.equal(true);
          expect(b.volume ?? 0).to.be.at.least(0);
          expect(b.time).to.be.at.most(req.end);
        }
        for (let i = 1; i < r.bars.length; i++) expect(r.bars[i]!.time, 'bars in time order').to.be.greaterThan(r.bars[i - 1]!.time);
        // IB forbids an identical request within 15 s: the adapter refuses it itself, as a value, and sends nothing.
        const again = await v.feed.historical.bars(req);
        expect(again).to.include({ ok: false, code: 'FEED.PACING', ibCode: null });
        if (t.fake) expect(sent, 'historical requests that reached TWS').to.equal(1);
        let venue = '';
        if (t.fake) {
          // TWS's own 162 "pacing violation" is the same value, and no session-wide error.
          const strict = await t.fake.spawn({ scenario: 'pacing-violation' });
          const own = await open({ port: strict.port });
          await own.broker.connect();
          const p = await own.feed.historical.bars({ symbol, barSeconds: 300, durationSeconds: 86_400 });
          expect(p).to.include({ ok: false, code: 'FEED.PACING', ibCode: 162 });
          expect(
            own.of('broker.error').some((e) => e.code === 162),
            'a 162 is no broker.error',
          ).to.equal(false);
          venue = '; TWS 162 → FEED.PACING';
        }
        const first = new Date(r.bars[0]!.time / 1_000).toISOString();
        const retry = again.ok ? 0 : again.code === 'FEED.PACING' ? again.retryAfterMs : 0;
        note(
          `${r.bars.length} bars from ${first}, last close ${r.bars.at(-1)!.close / 10_000}; identical repeat: FEED.PACING (retry after ${retry} ms)${venue}`,
        );
      } finally {
        t.fake?.server.off('frame', count);
      }
    },
  },
  {
    id: 'M3',
    title: 'three symbols at once: a two-sided quote for each',
    seed: 'test_market_data_multiple_symbols',
    async run({ t, shared, note }) {
      const v = shared();
      const qs = await Promise.all(t.symbols.map((s) => twoSidedQuote(v, s, t.timing.waitMs)));
      for (const q of qs) expect(q.ask).to.be.greaterThan(q.bid);
      expect(v.feed.usage().lines.used).to.be.at.least(3);
      note(qs.map((q) => `${q.symbol} ${q.bid / 10_000}`).join(', '));
    },
  },
  {
    id: 'M4',
    title: 'stream quality over the window: enough quotes, seq +1, time never goes back, nothing stale',
    seed: 'test_market_data_stream_quality',
    async run({ t, open, note }) {
      const v = await open();
      await v.broker.connect();
      const got: QuoteEvent[] = [];
      v.feed.on('quote.updated', (q) => {
        if (q.symbol === t.symbols[0]) got.push({ ...q });
      });
      expect(v.feed.subscribe(t.symbols[0], 'quote').ok).to.equal(true);
      await until(() => got.length > 0, t.timing.waitMs, 'the first quote');
      await sleep(t.timing.streamWindowMs);
      expect(got.length, 'quotes in the window').to.be.at.least(t.timing.streamMinQuotes);
      for (let i = 1; i < got.length; i++) {
        const [a, b] = [got[i - 1]!, got[i]!];
        if (a.epoch === b.epoch) expect(b.seq, `seq after ${a.seq}`).to.equal(a.seq + 1);
        expect(b.recvTime).to.be.at.least(a.recvTime);
      }
      expect(v.feedOf('feed.stale')).to.deep.equal([]);
      note(`${got.length} quotes in ${t.timing.streamWindowMs} ms`);
    },
  },
  // ---- orders ----
  {
    id: 'O1',
    title: 'a marketable limit order fills: exec id and commission',
    seed: 'test_paper_trading_limit_order_submission',
    async run({ t, shared, defer, note }) {
      const v = shared();
      const before = positionOf(v, t.symbols[0]);
      defer(() => restore(v, t.symbols[0], before, t.timing.waitMs));
      const id = await fillNow(v, t.symbols[0], 'buy', 1, t.timing.waitMs, 'o1-buy');
      const fill = v.of('order.filled').find((f) => f.coid === id)!;
      expect(fill.execId).to.be.a('string').and.not.equal('');
      expect(fill.qty).to.equal(1);
      await until(
        () => fill.commission !== null || v.of('commission.reported').some((c) => c.execId === fill.execId),
        t.timing.waitMs,
        'the commission report',
      );
      note(`filled at ${fill.price / 10_000}, exec ${fill.execId}`);
    },
  },
  {
    id: 'O2',
    title: 'the filled position shows in Harvester and, after a reconciliation, at the broker',
    seed: 'test_paper_trading_position_tracking',
    async run({ t, shared, defer, note }) {
      const v = shared();
      const before = positionOf(v, t.symbols[0]);
      defer(() => restore(v, t.symbols[0], before, t.timing.waitMs));
      await fillNow(v, t.symbols[0], 'buy', 1, t.timing.waitMs, 'o2-buy');
      expect(positionOf(v, t.symbols[0])).to.equal(before + 1);
      await v.broker.reconcile(); // the broker's positions win: a wrong local count would be corrected here
      expect(positionOf(v, t.symbols[0])).to.equal(before + 1);
      if (t.fake) expect(t.fake.server.desk.positions.get(`${t.account}|${t.symbols[0]}`)?.qty).to.equal(before + 1);
      note(`${t.symbols[0]} ${before} → ${before + 1}, confirmed by reqPositions`);
    },
  },
  {
    id: 'O3',
    title: 'a resting limit far from the market is accepted, then cancelled',
    seed: 'test_paper_trading_order_cancellation',
    async run({ t, shared, note }) {
      const v = shared();
      const id = coid('o3');
      const limitPrice = await restingBuy(v, t.symbols[0], t.timing.waitMs);
      expect(
        v.broker.submit({
          coid: id,
          symbol: t.symbols[0],
          side: 'buy',
          type: 'limit',
          quantity: 1,
          limitPrice,
          tif: 'day',
          orderRef: 'hv:validation:o3',
        }).status,
      ).to.equal('sent');
      await until(() => v.of('order.accepted').some((e) => e.coid === id), t.timing.waitMs, 'the acknowledgement');
      v.broker.cancel(id);
      await until(() => v.of('order.cancelled').some((e) => e.coid === id), t.timing.waitMs, 'the cancel');
      expect(v.of('order.filled').some((e) => e.coid === id)).to.equal(false);
      expect(v.broker.orderStatus(id)).to.equal('Cancelled');
      note(`rested at ${limitPrice / 10_000}, cancelled`);
    },
  },
  {
    id: 'O4',
    title: 'a position is closed: the sell to close fills and the symbol is back where it was',
    seed: 'test_paper_trading_close_position',
    async run({ t, shared, defer, note }) {
      const v = shared();
      const before = positionOf(v, t.symbols[0]);
      defer(() => restore(v, t.symbols[0], before, t.timing.waitMs));
      await fillNow(v, t.symbols[0], 'buy', 1, t.timing.waitMs, 'o4-buy');
      await fillNow(v, t.symbols[0], 'sell', 1, t.timing.waitMs, 'o4-sell');
      expect(positionOf(v, t.symbols[0])).to.equal(before);
      note(`bought and sold 1 ${t.symbols[0]}; position ${before}`);
    },
  },
  // ---- resilience ----
  {
    id: 'R1',
    title: 'a silent socket: the heartbeat misses, the adapter drops and redials, then reconciles',
    seed: 'test_network_timeout_handling',
    async run({ t, open, proxy, defer, note }) {
      const p = await proxy();
      defer(() => p.pause(false));
      const v = await open({ port: p.port });
      await v.broker.connect();
      p.pause(true);
      await until(
        () => v.broker.health().state === 'Reconnecting',
        t.timing.waitMs + 4 * t.timing.heartbeatIntervalMs,
        'the heartbeat to declare the socket dead',
      );
      p.pause(false);
      await until(() => v.broker.health().canTrade, t.timing.waitMs, 'reconnect and reconciliation');
      note(`reconnects ${v.broker.health().reconnectCount}`);
    },
  },
  {
    id: 'R2',
    title: 'a burst of 30 orders and cancels is paced under 50 messages/s, all answered, still connected',
    seed: 'test_api_rate_limit_handling',
    async run({ t, open, proxy, note }) {
      const p = await proxy();
      const v = await open({ port: p.port });
      await v.broker.connect();
      const limitPrice = await restingBuy(v, t.symbols[0], t.timing.waitMs);
      const ids = Array.from({ length: 30 }, (_, i) => coid(`r2-${i}`));
      for (const id of ids)
        v.broker.submit({
          coid: id,
          symbol: t.symbols[0],
          side: 'buy',
          type: 'limit',
          quantity: 1,
          limitPrice,
          tif: 'day',
          orderRef: 'hv:validation:r2',
        });
      for (const id of ids) v.broker.cancel(id);
      await until(() => ids.every((id) => v.broker.orderStatus(id) === 'Cancelled'), t.timing.waitMs * 2, 'all 30 cancels');
      expect(p.maxPerSecond(), 'client messages in any one second').to.be.at.most(50);
      expect(v.of('broker.error').filter((e) => e.code === 100)).to.deep.equal([]);
      expect(v.broker.health().state).to.equal('Connected');
      note(`peak ${p.maxPerSecond()} messages/s`);
    },
  },
  {
    id: 'R3',
    title: 'stale data is detected: a silent line goes stale, then resumes',
    seed: 'test_market_data_staleness_detection',
    async run({ t, open, proxy, defer, note }) {
      const p = await proxy();
      defer(() => p.pause(false));
      const v = await open({ port: p.port });
      await v.broker.connect();
      await twoSidedQuote(v, t.symbols[0], t.timing.waitMs);
      p.pause(true);
      await until(() => v.feedOf('feed.stale').some((s) => s.symbol === t.symbols[0]), t.timing.staleMs * 4, 'feed.stale');
      p.pause(false);
      await until(() => v.feedOf('feed.resumed').some((s) => s.symbol === t.symbols[0]), t.timing.waitMs, 'feed.resumed');
      note(`stale after ${Number(v.feedOf('feed.stale')[0]!.silentFor) / 1_000} ms of silence`);
    },
  },
  {
    id: 'R4',
    title: 'an unknown symbol is refused (error 200) and the connection keeps working',
    seed: 'test_gateway_error_recovery',
    async run({ t, shared, note }) {
      const v = shared();
      const id = coid('r4');
      v.broker.submit({
        coid: id,
        symbol: t.unknownSymbol,
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice: 10_000,
        tif: 'day',
        orderRef: 'hv:validation:r4',
      });
      await until(() => v.of('order.rejected').some((r) => r.coid === id), t.timing.waitMs, 'the refusal of the unknown symbol');
      const r = v.of('order.rejected').find((x) => x.coid === id)!;
      expect(r.code).to.equal('ORDER.UNKNOWN_INSTRUMENT');
      expect(v.broker.health()).to.include({ state: 'Connected', canTrade: true });
      const q = await twoSidedQuote(v, t.symbols[0], t.timing.waitMs);
      expect(q.bid).to.be.greaterThan(0);
      note(`${r.code}: ${r.reason}`);
    },
  },
];
