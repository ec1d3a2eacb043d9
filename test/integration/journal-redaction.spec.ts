import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import { env } from '../../core/config/env-ref.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { createHarvester } from '../../core/di/container.js';
import { createDataSource, TypeormJournal } from '../../adapters/persistence/index.js';
import { FakeTwsServer, StepClock, syntheticMarket } from '../../adapters/fake-tws/index.js';
import { sessionAround } from '../../core/config/session-window.js';

/** Made up; the test checks it appears nowhere on disk. */
const ACCOUNT = 'DFAKE0004';

describe('no account id in the journal (paper session through the TWS adapter on the fake TWS)', function () {
  this.timeout(60_000);

  it('redacts the account from every row, including raw TWS error texts and the start-gate rows', async () => {
    const server = await FakeTwsServer.start({
      clock: new StepClock(),
      accounts: [ACCOUNT],
      speed: 1,
      market: syntheticMarket({ symbol: 'HRVST', seed: 5, start: 0, steps: 400, mid: 325_000, tick: 100, interval: 15_000 }),
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-redact-'));
    const file = path.join(dir, 'paper.sqlite');
    try {
      const resolved = await resolveConfig(
        {
          mode: 'paper',
          session: sessionAround(Date.now(), 1, 2),
          account: { id: env('HV_TEST_PAPER_ACCOUNT'), startEquity: 100_000 },
          instruments: [{ symbol: 'HRVST', tick: 0.01 }],
          marketData: { use: 'tws', params: { port: server.port, clientId: 43 } },
          broker: { use: 'tws', params: { port: server.port, clientId: 43 } },
          store: { use: 'typeorm', params: { file } },
          strategies: [
            {
              use: 'example-imbalance-tick',
              params: { symbol: 'HRVST', minImbalance: 0.2, cooldownSeconds: 1, maxHoldSeconds: 2, quantity: 10 },
            },
          ],
          dataDir: dir,
        },
        { builtins: await builtinPlugins(), baseDir: process.cwd(), env: { HV_TEST_PAPER_ACCOUNT: ACCOUNT } },
      );
      const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
      const runtime = await createHarvester(resolved, {
        sessionId: 'redact',
        wallStartedAt: new Date().toISOString(),
        clock: new WallClock(),
        log: quiet,
      });
      const stop = new AbortController();
      let injected = false;
      runtime.parts.bus.on('order.filled', () => {
        if (injected) return;
        injected = true;
        // TWS texts name the account; one such text, as a warning the adapter passes on as broker.error.
        server.inject({ kind: 'error', code: 2103, text: `Market data farm connection is broken: usfarm (account ${ACCOUNT})` });
        setTimeout(() => stop.abort(), 500);
      });
      const deadline = setTimeout(() => stop.abort(), 8_000);
      const result = await runtime.engine.run({ signal: stop.signal });
      clearTimeout(deadline);
      await runtime.close();
      const ds = await createDataSource({ driver: 'sqlite', file });
      const entries = await new TypeormJournal(ds).entries('redact');
      await ds.destroy();
      expect(result.orders).to.be.greaterThan(0);
      const types = entries.map((e) => e.type);
      expect(types).to.include('start-gates.passed');
      const notice = entries.find((e) => e.type === 'broker.error' && String(e.data.message).includes('usfarm'));
      expect(notice, types.join(',')).to.not.equal(undefined);
      expect(String(notice!.data.message)).to.contain('(account [redacted])');
      // Nothing on disk names the account: every table, the WAL, the id journal.
      const files: string[] = [];
      const walkDir = (d: string) => {
        for (const f of fs.readdirSync(d)) {
          const p = path.join(d, f);
          if (fs.statSync(p).isDirectory()) walkDir(p);
          else files.push(p);
        }
      };
      walkDir(dir);
      for (const f of files) expect(fs.readFileSync(f).includes(ACCOUNT), f).to.equal(false);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
