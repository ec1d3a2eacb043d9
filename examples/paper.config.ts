import { DateTime } from 'luxon';
import { defineConfig } from '../core/config/define-config.js';
import { env } from '../core/config/env-ref.js';

/**
 * A paper session: TWS (or IB Gateway, or `harvester fake-tws`) on the paper port 7497, your paper account from the
 * environment, today's session in New York. Run it with
 *   TWS_ACCOUNT=DU… npx harvester run --config examples/paper.config.ts
 * Against the fake TWS: `npx harvester fake-tws --port 7497 --recording var/day.hrec --speed 1` in another terminal.
 */
const today = DateTime.now().setZone('America/New_York').toISODate()!;

export default defineConfig({
  mode: 'paper',
  seed: 42,
  session: { date: today, timeZone: 'America/New_York', start: '09:30', end: '11:15' },
  account: { id: env('TWS_ACCOUNT'), currency: 'USD', startEquity: 100_000 },
  instruments: [{ symbol: 'HRVST', tick: 0.01 }],
  marketData: { use: 'tws', params: { host: '127.0.0.1', port: 7497, clientId: 17 } },
  broker: { use: 'tws', params: { host: '127.0.0.1', port: 7497, clientId: 17 } },
  store: { use: 'typeorm', params: { driver: 'sqlite', file: 'var/paper.sqlite' } },
  risk: [
    { use: 'daily-loss', action: 'halt', params: {} },
    { use: 'max-position', action: 'reject', params: { maxShares: 2_000, maxPositionValue: 50_000 } },
    { use: 'risk-per-trade', action: 'reject', params: {} },
    { use: 'max-trades-day', action: 'reject', params: {} },
    { use: 'consecutive-losses', action: 'halt', params: {} },
  ],
  strategies: [{ use: 'lmp', params: { symbol: 'HRVST' } }],
});
