import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import { env } from '../../core/config/env-ref.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { createHarvester } from '../../core/di/container.js';
import { FakeTwsServer, StepClock, syntheticMarket } from '../../adapters/fake-tws/index.js';
import { sessionAround } from '../../core/config/session-window.js';

describe('harvester session in paper mode through the TWS adapter on the fake TWS (real socket)', function () {
  this.timeout(60_000);

  it('trades: orders reach the fake TWS, fills come back with commissions, and the session ends flat', async () => {
    const server = await FakeTwsServer.start({
      clock: new StepClock(),
      accounts: ['DU0000001'],
      speed: 1,
      market: syntheticMarket({ symbol: 'HRVST', seed: 5, start: 0, steps: 400, mid: 325_000, tick: 100, interval: 15_000 }),
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-tws-session-'));
    try {
      const resolved = await resolveConfig(
        {
          mode: 'paper',
          session: sessionAround(Date.now(), 1, 2),
          account: { id: env('HV_TEST_PAPER_ACCOUNT'), startEquity: 100_000 },
          instruments: [{ symbol: 'HRVST', tick: 0.01 }],
          marketData: { use: 'tws', params: { port: server.port, clientId: 41 } },
          broker: { use: 'tws', params: { port: server.port, clientId: 41 } },
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
      const clock = new WallClock();
      const runtime = await createHarvester(resolved, {
        sessionId: 'paper-on-fake',
        wallStartedAt: new Date().toISOString(),
        clock,
        log: quiet,
      });
      const stop = new AbortController();
      const fills: { commission: number | null }[] = [];
      let commissionReports = 0;
      runtime.parts.bus.on('order.filled', (f) => {
        fills.push(f);
        if (fills.length >= 4) setTimeout(() => stop.abort(), 300);
      });
      runtime.parts.bus.on('commission.reported', () => {
        commissionReports++;
      });
      const deadline = setTimeout(() => stop.abort(), 6_000);
      const result = await runtime.engine.run({ signal: stop.signal });
      clearTimeout(deadline);
      const kernelPositions = runtime.parts.ledger.positions().map((p) => [p.symbol, p.quantity]);
      await runtime.close();
      expect(result.orders).to.be.greaterThan(0);
      expect(result.fills).to.be.greaterThan(0);
      expect(fills.length).to.equal(result.fills);
      // Every execution ends with its commission, on the fill or in a later commission report.
      expect(fills.filter((f) => f.commission !== null).length + commissionReports).to.be.at.least(fills.length);
      // Session end flattens: the kernel ledger ends flat, as the venue does.
      expect(kernelPositions).to.deep.equal([]);
      expect(server.stats.decodeErrors).to.equal(0);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
