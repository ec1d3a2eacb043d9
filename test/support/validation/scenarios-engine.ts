import { expect } from 'chai';
import type { PlacedOrder } from '../../../adapters/fake-tws/index.js';
import type { IntentResult } from '../../../ports/strategy.js';
import { startEngineSession } from './engine-session.js';
import { TICK, type Scenario } from './scenario.js';
import { until } from './venue.js';

/** Client ids of the engine sessions (clear of the per-scenario connections, which count up from the suite's id). */
const ENGINE_CLIENT_OFFSET = 40;

/** Edge cases about the session, risk and the kill switch: run through the engine (the path `harvester run` takes). */
export const ENGINE_SCENARIOS: readonly Scenario[] = [
  {
    id: 'E4',
    title: 'stale market data: the kill switch goes SAFE_MODE and the next entry is refused, nothing reaches TWS',
    seed: 'edge case 4',
    async run({ t, proxy, defer, note }) {
      const p = await proxy();
      const sym = t.symbols[0];
      let phase: 'probe' | 'wait' | 'after' | 'done' = 'probe';
      const receipts: { phase: string; r: IntentResult }[] = [];
      const session = await startEngineSession(t, {
        port: p.port,
        clientId: t.clientId + ENGINE_CLIENT_OFFSET,
        watch: ['risk.state-changed', 'order.submitted', 'feed.stale', 'feed.resumed'],
        killSwitch: { staleData: { staleMs: t.timing.staleMs, killMs: 600_000 } },
        strategy: (ctx) => ({
          id: ctx.strategyId,
          subscriptions: () => [{ symbol: sym, streams: ['depth'] }],
          onBook: (b) => {
            if (b.bestBid <= 0 || b.bestAsk <= 0 || (phase !== 'probe' && phase !== 'after')) return;
            // A buy at half the bid rests and never fills: the probe only shows that entries route while data is fresh.
            const limitPrice = Math.max(20 * TICK, Math.floor(b.bestBid / 2 / TICK) * TICK);
            const r = ctx.submit({
              symbol: sym,
              kind: 'entry',
              side: 'buy',
              type: 'limit',
              quantity: 1,
              limitPrice,
              stopLoss: limitPrice - 10 * TICK,
              takeProfit: limitPrice + 10 * TICK,
              reason: `validation E4 ${phase}`,
            });
            receipts.push({ phase, r });
            phase = phase === 'probe' ? 'wait' : 'done';
          },
        }),
      });
      defer(() => p.pause(false));
      defer(() => session.stop());
      await until(() => receipts.length === 1, t.timing.waitMs * 2, 'the probe entry on fresh data');
      expect(receipts[0]!.r.status, 'an entry on fresh data routes').to.equal('sent');
      p.pause(true);
      await until(
        () => session.bus.some((e) => e.type === 'risk.state-changed' && e.p.to === 'SAFE_MODE'),
        t.timing.staleMs * 4 + t.timing.waitMs,
        'SAFE_MODE on stale data',
      );
      const change = session.bus.find((e) => e.type === 'risk.state-changed' && e.p.to === 'SAFE_MODE')!;
      expect((change.p.reason as { code: string }).code).to.equal('RISK.STALE_DATA');
      p.pause(false);
      const sentBefore = session.bus.filter((e) => e.type === 'order.submitted').length;
      phase = 'after';
      await until(() => receipts.length === 2, t.timing.waitMs * 2, 'an entry attempt once data flows again');
      expect(receipts[1]!.r.status, 'the entry after stale data').to.not.equal('sent');
      expect(session.bus.filter((e) => e.type === 'order.submitted').length, 'orders sent after the stale event').to.equal(sentBefore);
      note(`SAFE_MODE (${(change.p.reason as { code: string }).code}); next entry ${receipts[1]!.r.status}`);
    },
  },
  {
    id: 'E13',
    title: 'close fails: the flatten is retried with an adjusted price and escalated after 3 attempts',
    seed: 'edge case 13',
    fakeOnly: 'a paper TWS takes every close of a liquid symbol; only the fake can refuse them (scenario reject, 201)',
    async run({ t, defer, note }) {
      const f = t.fake!;
      const sym = t.symbols[1];
      const clientId = t.clientId + ENGINE_CLIENT_OFFSET + 1;
      const sells: PlacedOrder[] = [];
      const onFrame = (e: { clientId: number | null; request: { kind: string; order?: PlacedOrder } }): void => {
        if (
          e.clientId === clientId &&
          e.request.kind === 'placeOrder' &&
          e.request.order!.action === 'SELL' &&
          e.request.order!.orderType !== 'STP'
        )
          sells.push(e.request.order!);
      };
      const server = await f.spawn();
      server.on('frame', onFrame);
      let entered = false;
      const session = await startEngineSession(t, {
        port: server.port,
        clientId,
        watch: ['order.filled', 'risk.state-changed', 'broker.error', 'plugin.error', 'flatten.escalated'],
        strategy: (ctx) => ({
          id: ctx.strategyId,
          subscriptions: () => [{ symbol: sym, streams: ['depth'] }],
          onBook: (b) => {
            if (entered || b.bestBid <= 0 || b.bestAsk <= 0) return;
            entered =
              ctx.submit({
                symbol: sym,
                kind: 'entry',
                side: 'buy',
                type: 'limit',
                quantity: 10,
                limitPrice: b.bestAsk + 5 * TICK,
                stopLoss: b.bestBid - 200 * TICK,
                takeProfit: b.bestAsk + 200 * TICK,
                reason: 'validation E13',
              }).status === 'sent';
          },
        }),
      });
      defer(() => session.stop());
      defer(() => {
        server.scenario = 'normal';
      }); // lets the session-end flatten go through
      await until(
        () => session.bus.some((e) => e.type === 'order.filled' && e.p.symbol === sym && e.p.side === 'buy'),
        t.timing.waitMs * 2,
        'the entry to fill',
      );
      // From here the venue refuses every order (201, then Cancelled), as TWS does a close it will not take.
      server.scenario = 'reject';
      sells.length = 0; // the bracket's take-profit went out with the entry; only the closes count
      await session.runtime.engine.controls.apply({ command: 'flatten', operatorId: 'validation', note: 'E13' });
      const attempts = (): number => new Set(sells.map((s) => `${s.orderId}@${s.lmtPrice ?? 'MKT'}`)).size;
      await until(() => attempts() >= 3, t.timing.waitMs * 3, `3 close attempts at adjusted prices (saw ${attempts()})`);
      const prices = [...new Set(sells.map((s) => (s.lmtPrice === undefined ? 'MKT' : String(s.lmtPrice))))];
      expect(prices.length, 'the retries change the price').to.be.at.least(2);
      await until(
        () => session.bus.some((e) => e.type === 'flatten.escalated'),
        t.timing.waitMs * 2,
        'an operator-visible escalation (flatten.escalated) after the 3rd failed close',
      );
      const alert = session.bus.find((e) => e.type === 'flatten.escalated')!.p;
      expect(alert).to.include({ severity: 'critical', symbol: sym, attempts: 3 });
      expect(attempts(), 'nothing more after the escalation').to.equal(3);
      note(`${attempts()} close attempts at ${prices.join(', ')}; escalated`);
    },
  },
];
