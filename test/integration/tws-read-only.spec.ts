import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import { env } from '../../core/config/env-ref.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { createHarvester } from '../../core/di/container.js';
import { checkStartGates } from '../../core/risk/start-gates.js';
import { createTwsAdapter, until } from '../support/tws-adapter-harness.js';
import { FakeTwsServer, StepClock, syntheticMarket } from '../../adapters/fake-tws/index.js';
import { quote } from '../../adapters/fake-tws/market-builders.js';
import { sessionAround } from '../../core/config/session-window.js';

/**
 * Issue #11 item 1: TWS with "Read-Only API" on answers each order with 321 and nothing else. A paper session
 * through the TWS adapter on the fake TWS's `read-only` scenario (real socket, the engine's own kill switch).
 */
describe('read-only TWS API: a paper session stops at the first 321 (fake TWS read-only scenario, real socket)', function () {
  this.timeout(60_000);

  it('the connect-time probe finds it: no order reaches the fake, the session goes SAFE_MODE, the operator is told it is read-only', async () => {
    const server = await FakeTwsServer.start({
      clock: new StepClock(),
      accounts: ['DU0000001'],
      speed: 1,
      scenario: 'read-only',
      market: syntheticMarket({ symbol: 'HRVST', seed: 5, start: 0, steps: 400, mid: 325_000, tick: 100, interval: 15_000 }),
    });
    const placed: { orderId: number; parentId: number }[] = [];
    server.on('frame', (f) => {
      if (f.request.kind === 'placeOrder') placed.push({ orderId: f.request.order.orderId, parentId: f.request.order.parentId });
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-tws-readonly-'));
    try {
      const resolved = await resolveConfig(
        {
          mode: 'paper',
          session: sessionAround(Date.now(), 1, 2),
          account: { id: env('HV_TEST_PAPER_ACCOUNT'), startEquity: 100_000 },
          instruments: [{ symbol: 'HRVST', tick: 0.01 }],
          marketData: { use: 'tws', params: { port: server.port, clientId: 43 } },
          broker: { use: 'tws', params: { port: server.port, clientId: 43 } },
          store: { use: 'typeorm', params: { file: path.join(dir, 'paper.sqlite') } },
          risk: [{ use: 'max-position', action: 'reject', params: { maxShares: 1_000 } }],
          strategies: [
            {
              use: 'example-imbalance-tick',
              params: { symbol: 'HRVST', minImbalance: 0.2, cooldownSeconds: 1, maxHoldSeconds: 2, quantity: 10 },
            },
          ],
          dataDir: dir,
        },
        { builtins: await builtinPlugins(), baseDir: process.cwd(), env: { HV_TEST_PAPER_ACCOUNT: 'DU0000001' } },
      );
      const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
      const runtime = await createHarvester(resolved, {
        sessionId: 'read-only-on-fake',
        wallStartedAt: new Date().toISOString(),
        clock: new WallClock(),
        log: quiet,
      });
      const stop = new AbortController();
      const errors: { code: number; harvesterCode: string; message: string }[] = [];
      const states: { to: string; reason: { limit: string } }[] = [];
      runtime.parts.bus.on('broker.error', (e) => errors.push(e));
      runtime.parts.bus.on('risk.state-changed', (e) => {
        states.push(e);
        setTimeout(() => stop.abort(), 1_500);
      });
      const deadline = setTimeout(() => stop.abort(), 8_000);
      const result = await runtime.engine.run({ signal: stop.signal });
      clearTimeout(deadline);
      await runtime.close();
      expect(placed, 'order messages that reached TWS').to.deep.equal([]);
      expect(result.riskState).to.equal('SAFE_MODE');
      expect(states.map((s) => [s.to, s.reason.limit])).to.deep.include(['SAFE_MODE', 'auto-triggers.broker.readOnly']);
      const ro = errors.filter((e) => e.harvesterCode === 'BROKER.READ_ONLY');
      expect(ro).to.have.length(1);
      expect(ro[0]!.message)
        .to.match(/read-only/i)
        .and.match(/Read-Only API/);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const probe of [true, false]) {
    it(`the adapter${probe ? ', probing at connect' : ' without the probe (the first 321 to a real order)'}: health().readOnly fails the order-placement start gate; later orders are refused locally`, async () => {
      const server = await FakeTwsServer.start({ clock: new StepClock(), accounts: ['DU0000001'], scenario: 'read-only' });
      let placements = 0;
      server.on('frame', (f) => {
        if (f.request.kind === 'placeOrder') placements++;
      });
      const t = createTwsAdapter(server.port, 44, { readOnlyProbe: probe });
      try {
        await t.broker.connect();
        server.publish(quote('AAPL', 150.25, 150.27));
        const order = (coid: string) => ({
          coid,
          symbol: 'AAPL',
          side: 'buy' as const,
          type: 'market' as const,
          quantity: 10,
          tif: 'day' as const,
          orderRef: `hv:ro:${coid}`,
        });
        // The probe does not hold the connect; its answer comes within a round trip.
        if (probe) await until(() => t.broker.health().readOnly, 'the probe answered read-only');
        else expect(t.broker.health().readOnly).to.equal(false);
        t.broker.submit(order('R1'));
        await until(() => t.of('order.rejected').length === 1, 'the first order refused');
        expect(t.of('order.rejected')[0]).to.include(
          probe
            ? { coid: 'R1', origin: 'adapter', code: 'BROKER.READ_ONLY' }
            : { coid: 'R1', origin: 'broker', code: 'BROKER.READ_ONLY', venueCode: 321 },
        );
        const h = t.broker.health();
        expect(h.readOnly).to.equal(true);
        expect(h.detail).to.match(/read-only/);
        const gates = checkStartGates({
          intendedMode: 'paper',
          mode: 'paper',
          health: h,
          now: 0,
          lastData: { AAPL: 0 },
          maxDataAgeMs: 5_000,
          window: { start: 0, end: 1 },
          configuredAccount: null,
        });
        expect(gates.results.find((g) => g.gate === 'order-placement')).to.include({ pass: false });
        expect(t.broker.submit(order('R2'))).to.include({ status: 'rejected', code: 'BROKER.READ_ONLY' });
        expect(t.of('broker.error').filter((e) => e.harvesterCode === 'BROKER.READ_ONLY')).to.have.length(1);
        expect(
          t.of('broker.error').map((e) => e.code),
          'the probe answer is no error; one read-only notice',
        ).to.deep.equal([321]);
        expect(placements).to.equal(probe ? 0 : 1);
      } finally {
        await t.close();
        await server.stop();
      }
    });
  }

  it('the probe on a TWS that allows orders is silent: 10147 absorbed, not read-only, orders go out', async () => {
    const server = await FakeTwsServer.start({ clock: new StepClock(), accounts: ['DU0000001'] });
    const t = createTwsAdapter(server.port, 45);
    let passedAtProbe = -1;
    server.on('frame', (f) => {
      if (f.request.kind === 'cancelOrder') passedAtProbe = t.connection.frameStats.passed;
    });
    try {
      await t.broker.connect();
      // The fake answers the probe's cancel at once (10147): wait until a frame after it reached the adapter.
      await until(() => passedAtProbe >= 0 && t.connection.frameStats.passed > passedAtProbe, 'the probe answered');
      expect(t.broker.health().readOnly).to.equal(false);
      expect(t.of('broker.error')).to.deep.equal([]);
      server.publish(quote('AAPL', 150.25, 150.27));
      t.broker.submit({ coid: 'OK1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: 10, tif: 'day', orderRef: 'hv:ro:OK1' });
      await until(() => t.of('order.filled').length === 1, 'filled');
    } finally {
      await t.close();
      await server.stop();
    }
  });
});
