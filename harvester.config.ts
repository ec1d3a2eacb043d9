import { defineConfig } from './core/config/define-config.js';

/**
 * The embedded defaults: a generated market day (09:30–11:15 New York), replayed on a virtual clock into the
 * simulated broker, journaled to a SQLite file, traded by LMP. Secrets never go here: reference them with env('NAME').
 */
export default defineConfig({
  mode: 'replay',
  seed: 42,
  session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '11:15' },
  account: { currency: 'USD', startEquity: 100_000 },
  instruments: [{ symbol: 'HRVST', tick: 0.01 }],
  marketData: { use: 'replay', params: { generate: { symbol: 'HRVST' } } },
  broker: { use: 'simulated', params: {} },
  store: { use: 'typeorm', params: { driver: 'sqlite', file: 'var/harvester.sqlite' } },
  learner: { use: 'none' },
  risk: [
    { use: 'max-position', action: 'reject', params: { maxShares: 2_000, maxPositionValue: 50_000 } },
    { use: 'daily-loss', action: 'halt', params: {} },
  ],
  // LOB Momentum Pullback (roadmap §5) at the roadmap's defaults; `strategies/lmp/params.ts` lists every threshold.
  strategies: [{ use: 'lmp', params: { symbol: 'HRVST' } }],
});
