import { expect } from 'chai';
import v8 from 'node:v8';
import vm from 'node:vm';
import { QUOTE_FLAG_MISSING_ASK } from '../../../core/domain/market.js';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { wallClock } from '../../../adapters/fake-tws/index.js';
import { quote } from '../../../adapters/fake-tws/market-builders.js';
import { coid, marketableLimit, positionOf, restingBuy, restore, type Scenario } from './scenario.js';
import { sleep, twoSidedQuote, until } from './venue.js';

const failureOf = async (p: Promise<unknown>): Promise<HarvesterError> => {
  try {
    await p;
  } catch (e) {
    return e as HarvesterError;
  }
  throw new Error('expected a refusal, the call succeeded');
};

/** A paper-shaped account id that is not the target's (same length, last digit changed). */
const otherAccount = (a: string): string => a.slice(0, -1) + String((Number(a.slice(-1)) + 1) % 10 || 1);

/** The seventeen edge cases of docs/live-validation-runbook.md#1-what-runs (E4 and E13 are engine scenarios, in scenarios-engine.ts). */
export const EDGE_SCENARIOS: readonly Scenario[] = [
  {
    id: 'E1',
    title: 'gateway not up at startup: connect retries with backoff, connects when it comes up, and times out clearly when it never does',
    seed: 'edge case 1',
    async run({ t, open, proxy, note }) {
      const late = await proxy({ late: true });
      const v = await open({ port: late.port });
      const connecting = v.broker.connect();
      await sleep(t.timing.backoffMs[0]! * 2); // at least one refused attempt and one backoff step
      await late.listen();
      await connecting;
      expect(v.broker.health()).to.include({ state: 'Connected', canTrade: true });
      const never = await proxy({ late: true });
      const w = await open({ port: never.port, params: { connectTimeoutMs: t.timing.backoffMs[0]! * 4 } });
      const e = await failureOf(w.broker.connect());
      expect(e.code).to.equal('BROKER.CONNECT_TIMEOUT');
      expect((e.details as { attempts: number }).attempts, 'attempts before giving up').to.be.at.least(2);
      expect(w.broker.health().state).to.equal('Disconnected');
      note(`late gateway: connected; absent gateway: ${e.message}`);
    },
  },
  {
    id: 'E2',
    title: 'gateway drops mid-session with a working order: alerted, nothing sent while down, the order reconciled on return',
    seed: 'edge case 2',
    async run({ t, open, proxy, note }) {
      const p = await proxy();
      const v = await open({ port: p.port });
      await v.broker.connect();
      const rest = coid('e2-rest');
      const limitPrice = await restingBuy(v, t.symbols[0], t.timing.waitMs);
      v.broker.submit({
        coid: rest,
        symbol: t.symbols[0],
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice,
        tif: 'day',
        orderRef: 'hv:validation:e2',
      });
      await until(() => v.of('order.accepted').some((e) => e.coid === rest), t.timing.waitMs, 'the resting order');
      p.cut();
      await until(() => v.broker.health().state === 'Reconnecting', t.timing.waitMs, 'the drop to be noticed');
      expect(
        v.of('connection.changed').some((c) => c.to === 'Reconnecting'),
        'connection.changed alert',
      ).to.equal(true);
      const during = v.broker.submit({
        coid: coid('e2-during'),
        symbol: t.symbols[0],
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice,
        tif: 'day',
        orderRef: 'hv:validation:e2',
      });
      expect(during).to.include({ status: 'rejected', code: 'BROKER.NOT_CONNECTED' });
      await until(() => v.broker.health().canTrade, t.timing.waitMs, 'reconnect and reconciliation');
      expect(v.of('reconciliation.completed').at(-1)?.status).to.equal('complete');
      expect(v.broker.orderStatus(rest), 'the working order is known again').to.be.oneOf(['Submitted', 'PreSubmitted', 'Accepted']);
      v.broker.cancel(rest);
      await until(() => v.broker.orderStatus(rest) === 'Cancelled', t.timing.waitMs, 'the cancel after the outage');
      note('order kept through the outage and cancelled after it; a submit while down refused locally');
    },
  },
  {
    id: 'E3',
    title: 'login refused (an account this TWS does not manage, a client id in use): fails fast with a clear error, no retry loop',
    seed: 'edge case 3',
    async run({ t, open, note }) {
      const wrong = await open({ account: otherAccount(t.account) });
      const e = await failureOf(wrong.broker.connect());
      expect(e.code).to.equal('BROKER.AUTH_FAILED');
      const twin = await open({ clientOffset: 0, main: true }); // the suite's own client id, already connected
      const e2 = await failureOf(twin.broker.connect());
      expect(e2.code).to.equal('BROKER.CLIENT_ID_IN_USE');
      await sleep(t.timing.backoffMs[0]! * 3);
      expect(wrong.broker.health().state, 'no retry after a refused login').to.equal('Disconnected');
      expect(twin.broker.health().state).to.equal('Disconnected');
      note(`${e.code}; ${e2.code}`);
    },
  },
  {
    id: 'E5',
    title: 'a one-sided quote is flagged missing, never a phantom price or size',
    seed: 'edge case 5',
    fakeOnly: 'a paper TWS cannot be made to quote one side; the fake sends ask −1 as TWS does for an illiquid line',
    async run({ t, shared, defer, note }) {
      const f = t.fake!;
      const v = shared();
      const sym = t.symbols[2];
      await twoSidedQuote(v, sym, t.timing.waitMs);
      f.quiet(true);
      defer(() => f.quiet(false));
      let oneSided: { bid: number; ask: number; askSize: number; flags: number } | null = null;
      v.feed.on('quote.updated', (q) => {
        if (q.symbol === sym && (q.flags & QUOTE_FLAG_MISSING_ASK) !== 0) oneSided = { ...q };
      });
      f.server.publish(quote(sym, 99.5, -1, 300, 0, Date.now() * 1_000));
      await until(() => oneSided !== null, t.timing.waitMs, 'the one-sided quote');
      expect(oneSided).to.deep.include({ ask: 0, askSize: 0 });
      expect(oneSided!.bid).to.be.greaterThan(0);
      note('ask missing: price 0, size 0, MISSING_ASK flag');
    },
  },
  {
    id: 'E6',
    title: 'a request TWS never answers (contract details, historical bars) times out without blocking other work',
    seed: 'edge case 6',
    fakeOnly: 'only the fake can withhold an answer (contract details) from a live connection',
    async run({ t, shared, open, defer, note }) {
      const f = t.fake!;
      const v = shared();
      await twoSidedQuote(v, t.symbols[0], t.timing.waitMs); // qualified before the fault
      f.server.withheld.add('contractData');
      defer(() => {
        f.server.withheld.delete('contractData');
      });
      const failed = v.feed.subscribe('NOANSWER', 'quote');
      expect(failed.ok).to.equal(true);
      // Meanwhile an order on a qualified symbol goes out and comes back.
      const id = coid('e6');
      const limitPrice = await restingBuy(v, t.symbols[0], t.timing.waitMs);
      v.broker.submit({
        coid: id,
        symbol: t.symbols[0],
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice,
        tif: 'day',
        orderRef: 'hv:validation:e6',
      });
      await until(() => v.of('order.accepted').some((e) => e.coid === id), t.timing.waitMs, 'an order while the request hangs');
      expect(
        v.feedOf('feed.failed').some((x) => x.symbol === 'NOANSWER'),
        'not failed yet: the other work was not waiting for it',
      ).to.equal(false);
      v.broker.cancel(id);
      await until(() => v.feedOf('feed.failed').some((x) => x.symbol === 'NOANSWER'), 10_000, 'the unanswered request to time out');
      const x = v.feedOf('feed.failed').find((e) => e.symbol === 'NOANSWER')!;
      expect(v.broker.health().state).to.equal('Connected');
      // The seed's own case: a historical request TWS never finishes answers FEED.REQUEST_TIMEOUT (a value) and is cancelled.
      const slow = await f.spawn();
      slow.withheld.add('historicalData');
      const h = await open({ port: slow.port, params: { historicalTimeoutMs: 500 } });
      await h.broker.connect();
      const r = await h.feed.historical.bars({ symbol: t.symbols[0], barSeconds: 300, durationSeconds: 86_400 });
      expect(r).to.include({ ok: false, code: 'FEED.REQUEST_TIMEOUT' });
      expect(h.broker.health().state).to.equal('Connected');
      note(`${x.code}: ${x.reason}; historical: ${r.ok ? 'ok' : r.code}`);
    },
  },
  {
    id: 'E7',
    title: 'an unknown symbol is skipped: its data line fails with a clear code, the others keep streaming',
    seed: 'edge case 7',
    async run({ t, shared, note }) {
      const v = shared();
      expect(v.feed.subscribe(t.unknownSymbol, 'quote').ok).to.equal(true); // refused by TWS, not locally
      await until(() => v.feedOf('feed.failed').some((x) => x.symbol === t.unknownSymbol), t.timing.waitMs, 'the unknown symbol to fail');
      const x = v.feedOf('feed.failed').find((e) => e.symbol === t.unknownSymbol)!;
      expect(x.code).to.match(/UNKNOWN_INSTRUMENT|NOT_FOUND/);
      const q = await twoSidedQuote(v, t.symbols[1], t.timing.waitMs);
      expect(q.ask).to.be.greaterThan(0);
      note(`${x.code}: ${x.reason}`);
    },
  },
  {
    id: 'E8',
    title: 'insufficient buying power: TWS rejects, Harvester reports the reason and does not retry',
    seed: 'edge case 8',
    async run({ t, shared, defer, note }) {
      const v = shared();
      if (t.fake) {
        const was = t.fake.server.scenario;
        t.fake.server.scenario = 'margin-check';
        defer(() => {
          t.fake!.server.scenario = was;
        });
      }
      const limitPrice = await restingBuy(v, t.symbols[0], t.timing.waitMs);
      // Ten times a million-dollar paper account at half the bid: no paper account can fund it, none can fill it.
      const quantity = Math.ceil((10 * 1_000_000 * 10_000) / limitPrice);
      const id = coid('e8');
      v.broker.submit({
        coid: id,
        symbol: t.symbols[0],
        side: 'buy',
        type: 'limit',
        quantity,
        limitPrice,
        tif: 'day',
        orderRef: 'hv:validation:e8',
      });
      await until(() => v.of('order.rejected').some((r) => r.coid === id), t.timing.waitMs, 'the margin rejection');
      const r = v.of('order.rejected').find((x) => x.coid === id)!;
      expect(r).to.include({ origin: 'broker', venueCode: 201 });
      await sleep(300);
      expect(v.of('order.submitted').filter((s) => s.coid === id)).to.have.length(1);
      if (t.fake) expect([...t.fake.server.desk.orders.values()].filter((o) => o.placed.orderRef === 'hv:validation:e8')).to.have.length(1);
      note(`${r.code}: ${r.reason.slice(0, 80)}`);
    },
  },
  {
    id: 'E9',
    title: 'a partial fill is tracked: the position follows what filled, the rest fills later',
    seed: 'edge case 9',
    fakeOnly: 'a paper account fills small orders whole (seed 002: not feasible in paper trading)',
    async run({ t, open, note }) {
      const f = t.fake!;
      const s = await f.spawn({ scenario: 'partial-fills' });
      const v = await open({ port: s.port });
      await v.broker.connect();
      const id = coid('e9');
      // After every fill (its position.changed follows it), the position must be what has filled so far.
      const seen: { status: string; cumQty: number; position: number }[] = [];
      v.broker.on('order.filled', (x) => {
        if (x.coid === id) seen.push({ status: x.status, cumQty: x.cumQty, position: NaN });
      });
      v.broker.on('position.changed', (x) => {
        const last = seen.at(-1);
        if (x.symbol === t.symbols[0] && last !== undefined) last.position = x.qty;
      });
      const limitPrice = await marketableLimit(v, t.symbols[0], 'buy', t.timing.waitMs);
      v.broker.submit({
        coid: id,
        symbol: t.symbols[0],
        side: 'buy',
        type: 'limit',
        quantity: 100,
        limitPrice,
        tif: 'day',
        orderRef: 'hv:validation:e9',
      });
      await until(() => seen.some((x) => x.status === 'Filled'), t.timing.waitMs, 'the order to fill in parts');
      const part = seen[0]!;
      expect(part.status, 'the first report').to.equal('PartiallyFilled');
      expect(part.cumQty).to.be.lessThan(100);
      for (const x of seen) expect(x.position, `position at cumQty ${x.cumQty}`).to.equal(x.cumQty);
      expect(positionOf(v, t.symbols[0])).to.equal(100);
      note(`${seen.length} fills: ${seen.map((x) => x.cumQty).join(' → ')}`);
    },
  },
  {
    id: 'E10',
    title: 'cancel after fill: the cancel is refused, the fill stands, the position counts it',
    seed: 'edge case 10',
    async run({ t, shared, defer, note }) {
      const v = shared();
      const before = positionOf(v, t.symbols[0]);
      defer(() => restore(v, t.symbols[0], before, t.timing.waitMs));
      const id = coid('e10');
      v.broker.submit({
        coid: id,
        symbol: t.symbols[0],
        side: 'buy',
        type: 'market',
        quantity: 1,
        tif: 'day',
        orderRef: 'hv:validation:e10',
      });
      // Cancel as soon as the order has left (a cancel before that is answered locally and proves nothing): it races
      // the fill at the venue, or meets a fill already reported.
      await until(
        () => v.broker.openOrders().some((o) => o.coid === id && o.brokerOrderId !== null) || v.broker.orderStatus(id) === 'Filled',
        t.timing.waitMs,
        'the order to leave',
      );
      v.broker.cancel(id);
      await until(
        () => v.broker.orderStatus(id) === 'Filled' || v.broker.orderStatus(id) === 'Cancelled',
        t.timing.waitMs,
        'the race to settle',
      );
      await until(() => v.broker.orderStatus(id) === 'Filled', t.timing.waitMs, 'the fill to stand');
      expect(
        v.of('order.cancelled').some((c) => c.coid === id && c.cancelledQty > 0),
        'a filled order reported cancelled',
      ).to.equal(false);
      await until(() => v.of('order.cancel-rejected').some((c) => c.coid === id), t.timing.waitMs, 'the cancel to be refused');
      expect(positionOf(v, t.symbols[0])).to.equal(before + 1);
      note(`cancel refused: ${v.of('order.cancel-rejected').find((c) => c.coid === id)!.code}`);
    },
  },
  {
    id: 'E11',
    title: 'the same order twice: two venue ids tracked separately; a reused client order id is refused',
    seed: 'edge case 11',
    async run({ t, shared, note }) {
      const v = shared();
      const limitPrice = await restingBuy(v, t.symbols[0], t.timing.waitMs);
      const a = coid('e11a');
      const b = coid('e11b');
      const order = {
        symbol: t.symbols[0],
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice,
        tif: 'day',
        orderRef: 'hv:validation:e11',
      } as const;
      v.broker.submit({ ...order, coid: a });
      v.broker.submit({ ...order, coid: b });
      const again = v.broker.submit({ ...order, coid: a });
      expect(again).to.include({ status: 'rejected', code: 'ORDER.DUPLICATE_ID' });
      await until(() => [a, b].every((c) => v.of('order.accepted').some((e) => e.coid === c)), t.timing.waitMs, 'both acknowledgements');
      const ids = [a, b].map((c) => v.of('order.accepted').find((e) => e.coid === c)!.brokerOrderId);
      expect(ids[0]).to.not.equal(ids[1]);
      expect(v.broker.openOrders().filter((o) => o.coid === a || o.coid === b)).to.have.length(2);
      v.broker.cancel(a);
      v.broker.cancel(b);
      await until(() => [a, b].every((c) => v.broker.orderStatus(c) === 'Cancelled'), t.timing.waitMs, 'both cancels');
      note(`venue ids ${ids.join(', ')}; reused coid refused`);
    },
  },
  {
    id: 'E12',
    title: "position mismatch: periodic reconciliation adopts the broker's position and reports the discrepancy",
    seed: 'edge case 12',
    fakeOnly: 'needs a position changed outside Harvester; on a paper account place one by hand in TWS and watch the next pass',
    async run({ t, open, note }) {
      const f = t.fake!;
      const s = await f.spawn();
      const v = await open({ port: s.port, params: { reconcileIntervalMs: 300 } });
      await v.broker.connect();
      const sym = t.symbols[1];
      // A manual order in TWS: the broker now holds 5 shares Harvester never traded.
      s.desk.positions.set(`${t.account}|${sym}`, {
        account: t.account,
        contract: s.contractFor({ symbol: sym, conId: 0, secType: 'STK', exchange: 'SMART', currency: 'USD' } as never)!,
        qty: 5,
        cost: 5 * 1_000_000,
      });
      await until(
        () => v.of('reconciliation.started').some((r) => r.trigger === 'periodic'),
        t.timing.waitMs,
        'a periodic reconciliation pass',
      );
      await until(() => positionOf(v, sym) === 5, t.timing.waitMs, "the broker's position to win");
      const pass = v.of('reconciliation.completed').find((r) => r.discrepancies.length > 0);
      expect(pass, 'a discrepancy reported').to.not.equal(undefined);
      note(`discrepancy: ${pass!.discrepancies.join('; ')}`);
    },
  },
  {
    id: 'E14',
    title: 'TWS says the message rate was exceeded (100): a fatal pacing error for the kill switch, never ignored',
    seed: 'edge case 14',
    fakeOnly: 'provoking 100 on a paper TWS would mean breaking the pacer on purpose (R2 shows it holds)',
    async run({ t, open, note }) {
      const f = t.fake!;
      const v = await open({ main: true });
      await v.broker.connect();
      f.server.inject(
        { kind: 'error', code: 100, text: 'Max rate of messages per second has been exceeded:max=50 rec=63' },
        { clientId: v.clientId },
      );
      await until(() => v.of('broker.error').some((e) => e.code === 100), t.timing.waitMs, 'the pacing error');
      const e = v.of('broker.error').find((x) => x.code === 100)!;
      expect(e).to.include({ harvesterCode: 'RISK.PACING', severity: 'fatal' });
      note(`${e.harvesterCode} (${e.severity})`);
    },
  },
  {
    id: 'E15',
    title: 'clock drift: the heartbeat measures the skew and a skew above the threshold is warned about',
    seed: 'edge case 15',
    async run({ t, open, note }) {
      const skewS = 5;
      const s = t.fake
        ? await t.fake.spawn({ clock: { nowMicros: () => wallClock.nowMicros() + skewS * 1_000_000, sleep: wallClock.sleep } })
        : null;
      const thresholds = { clockSkewWarnMs: 2_000, clockSkewSafeModeMs: 10_000 };
      const v = await open(s ? { port: s.port, params: thresholds } : { params: thresholds });
      await v.broker.connect();
      await until(
        () => v.broker.health().clockSkew !== null && v.broker.health().clockSkew !== undefined,
        t.timing.waitMs + 2 * t.timing.heartbeatIntervalMs,
        'a measured skew',
      );
      const skewMs = v.broker.health().clockSkew! / 1_000;
      if (s === null) {
        // A paper TWS on a synchronised host: measured, small, no warning.
        expect(Math.abs(skewMs), 'clock skew (ms) against TWS').to.be.lessThan(2_000);
        expect(
          v.of('clock.skew').filter((e) => e.level !== 'ok'),
          'no skew warning',
        ).to.deep.equal([]);
        note(`skew ${skewMs} ms`);
        return;
      }
      expect(skewMs).to.be.within((skewS - 1.5) * 1_000, (skewS + 1.5) * 1_000);
      await until(() => v.of('clock.skew').some((e) => e.level === 'warn'), t.timing.waitMs, 'a clock-skew warning');
      expect(v.of('clock.skew').find((e) => e.level === 'warn')).to.include({ warnMs: 2_000 });
      note(`skew ${skewMs} ms, warned`);
    },
  },
  {
    id: 'E16',
    title: 'memory stays bounded while the stream runs (depth, quotes and tape)',
    seed: 'edge case 16',
    async run({ t, open, note }) {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as () => void;
      const v = await open({ main: true }); // on the fake: where the stream below is published
      await v.broker.connect();
      let events = 0;
      for (const k of ['quote.updated', 'depth.updated', 'trade.printed'] as const)
        v.feed.on(k, () => {
          events++;
        });
      for (const k of ['quote', 'tape'] as const) expect(v.feed.subscribe(t.symbols[0], k).ok).to.equal(true);
      expect(v.feed.subscribe(t.symbols[0], 'depth', { levels: 10 }).ok).to.equal(true);
      await until(() => events > 0, t.timing.waitMs, 'the stream to start');
      gc();
      const before = process.memoryUsage().heapUsed;
      const end = Date.now() + t.timing.soakMs;
      while (Date.now() < end) {
        // The fake streams as fast as the socket takes it, over 20 price levels; a paper TWS streams its market.
        if (t.fake) for (let i = 0; i < 200; i++) t.fake.tick(t.fake.server, t.symbols[0], 100 + (i % 20) * 0.01);
        await sleep(5);
      }
      await sleep(200);
      gc();
      const grownMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
      expect(events, 'events streamed').to.be.at.least(t.timing.soakMinEvents);
      expect(grownMb, 'heap growth (MB) after the stream').to.be.lessThan(32);
      note(`${events} events, heap ${grownMb >= 0 ? '+' : ''}${grownMb.toFixed(1)} MB`);
    },
  },
  {
    id: 'E17',
    title: 'no unbudgeted streaming: data lines and depth are budgeted, over budget is refused before anything is sent',
    seed: 'edge case 17',
    async run({ t, open, note }) {
      const v = await open({ params: { lineBudget: 2, depthBudget: 1 } });
      await v.broker.connect();
      expect(v.feed.subscribe(t.symbols[0], 'quote').ok).to.equal(true);
      expect(v.feed.subscribe(t.symbols[1], 'quote').ok).to.equal(true);
      const third = v.feed.subscribe(t.symbols[2], 'quote');
      expect(third).to.include({ ok: false, code: 'FEED.LINE_BUDGET_EXCEEDED' });
      expect(v.feed.subscribe(t.symbols[0], 'depth', { levels: 5 }).ok).to.equal(true);
      expect(v.feed.subscribe(t.symbols[1], 'depth', { levels: 5 })).to.include({ ok: false, code: 'FEED.LINE_BUDGET_EXCEEDED' });
      expect(v.feed.usage()).to.deep.include({ lines: { used: 2, budget: 2 }, depth: { used: 1, budget: 1 } });
      if (t.fake) {
        await sleep(300);
        const mine = t.fake.server.market.subs.filter((s) => s.conn.clientId === v.clientId);
        expect(mine.map((s) => s.symbol).sort(), 'requests that reached TWS').to.not.include(t.symbols[2]);
      }
      note('3rd line and 2nd depth refused locally (FEED.LINE_BUDGET_EXCEEDED)');
    },
  },
];
