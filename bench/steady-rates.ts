/**
 * `node --import tsx bench/steady-rates.ts [--runs N]`: the framework's steady events/s on the three replay days the
 * #15 figures use (the generated 105-minute day with the bench strategy, the GOOG LOBSTER day with the bench
 * strategy, the generated day with LMP), each warmed once, then the median of N runs (default 5) interleaved day by
 * day. For comparing two trees in alternating processes when a change has no in-process baseline (bench/RESULTS.md,
 * "Inflate on the second core"). Prints one JSON line; never passes or fails.
 */
import path from 'node:path';
import { importLobster } from '../adapters/replay/lobster/lobster-importer.js';
import { runFramework } from './lib/framework-run.js';
import { benchGeneratedDay } from './lib/generated-day.js';
import fs from 'node:fs';

const argv = process.argv.slice(2);
const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 5;
const dataDir = path.resolve('var/bench');
fs.mkdirSync(dataDir, { recursive: true });
const gen = benchGeneratedDay(dataDir);
const goog = path.join(dataDir, 'goog-2012-06-21.hrec');
if (!fs.existsSync(goog)) {
  const lobster = path.resolve('../shared/data/lobster/GOOG_2012-06-21_L10');
  await importLobster({
    messageFile: path.join(lobster, 'GOOG_2012-06-21_34200000_57600000_message_10.csv'),
    orderbookFile: path.join(lobster, 'GOOG_2012-06-21_34200000_57600000_orderbook_10.csv'),
    out: goog,
    symbol: 'GOOG',
    date: '2012-06-21',
  });
}
const days = {
  generated: () =>
    runFramework({ marketData: { recording: gen }, symbol: 'HRVST', date: '2024-03-14', start: '09:30', end: '11:15', dataDir }),
  goog: () => runFramework({ marketData: { recording: goog }, symbol: 'GOOG', date: '2012-06-21', start: '09:30', end: '16:00', dataDir }),
  lmp: () =>
    runFramework({
      marketData: { recording: gen },
      symbol: 'HRVST',
      date: '2024-03-14',
      start: '09:30',
      end: '11:15',
      dataDir,
      strategy: 'lmp',
    }),
};
for (const run of Object.values(days)) await run();
const rates: Record<string, number[]> = { generated: [], goog: [], lmp: [] };
for (let i = 0; i < runs; i++) for (const [name, run] of Object.entries(days)) rates[name]!.push((await run()).eventsPerSec);
const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!;
process.stdout.write(`${JSON.stringify({ runs, ...Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)])) })}\n`);
