/**
 * `node --import tsx bench/steady-rates.ts [--runs N]`: the framework's steady events/s on the three replay days the
 * #15 figures use (the generated 105-minute day with the bench strategy, the GOOG LOBSTER day with the bench
 * strategy, the generated day with LMP), each warmed once, then the median of N runs (default 5) interleaved day by
 * day. For comparing two trees in alternating processes when a change has no in-process baseline (bench/RESULTS.md,
 * "Inflate on the second core"). Prints one JSON line; never passes or fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { benchGoogDay, runGeneratedDay, runGoogDay } from './lib/bench-days.js';
import { benchGeneratedDay } from './lib/generated-day.js';

const argv = process.argv.slice(2);
const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 5;
const dataDir = path.resolve('var/bench');
fs.mkdirSync(dataDir, { recursive: true });
const gen = benchGeneratedDay(dataDir);
const goog = await benchGoogDay(dataDir);
if (goog === null) throw new Error('the LOBSTER sample is not in ../shared/data/lobster: steady-rates needs the GOOG day');
const days = {
  generated: () => runGeneratedDay(gen, dataDir),
  goog: () => runGoogDay(goog, dataDir),
  lmp: () => runGeneratedDay(gen, dataDir, 'lmp'),
};
for (const run of Object.values(days)) await run();
const rates: Record<string, number[]> = { generated: [], goog: [], lmp: [] };
for (let i = 0; i < runs; i++) for (const [name, run] of Object.entries(days)) rates[name]!.push((await run()).eventsPerSec);
const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!;
process.stdout.write(`${JSON.stringify({ runs, ...Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)])) })}\n`);
