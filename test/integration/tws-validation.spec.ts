import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeTwsServer, StepClock } from './fake-tws/index.js';
import { level, quote, trade } from './fake-tws/market-builders.js';
import { paperValidationScenarios } from '../support/paper-validation.js';

// The live-validation scenarios (seed 002), run in CI against the fake TWS over a real socket.
describe('live-validation scenarios against the fake TWS', function () {
  this.timeout(30_000);
  let server: FakeTwsServer;
  let clientId = 60;
  let dataDir = '';
  beforeEach(async () => {
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: ['DU0000001'] });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-validation-')); // the id journal stays out of the repository
  });
  afterEach(async () => {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  paperValidationScenarios(() => ({
    host: '127.0.0.1', port: server.port, clientId: ++clientId, account: 'DU0000001', symbol: 'AAPL', dataDir,
    stimulate: () => {
      // Let subscriptions reach the server first (the client's rate limiter may hold them behind the connect-time
      // reconciliation queries), then move the market; scenarios without subscriptions go after a short wait.
      const started = Date.now();
      const publish = (): void => {
        const kinds = new Set(server.market.subs.map((s) => s.kind));
        if (!(kinds.has('depth') && kinds.has('tbt')) && Date.now() - started < 400) {
          setTimeout(publish, 20);
          return;
        }
        server.publish(quote('AAPL', 150.25, 150.27));
        server.publish(level('AAPL', 'bid', 150.25, 300));
        server.publish(level('AAPL', 'ask', 150.27, 200));
        server.publish(trade('AAPL', 150.27, 100));
      };
      setTimeout(publish, 20);
    },
  }));
});
