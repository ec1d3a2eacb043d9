/**
 * `node --import tsx bench/playback-drift.ts [--playbacks N] [--json]`: does the framework keep its speed over many
 * playbacks in one process, as a sweep worker or the learning loop's evaluations run them? Plays the generated
 * 105-minute day N times (default 16) with the bench strategy and then N times with LMP, and prints each playback's
 * steady events/s, the median of playbacks 3–8 (warm, the window `npm run bench` measures in) and of playbacks 9–N,
 * and their ratio (late ÷ early; below 1 the process slowed down as it went). Never passes or fails.
 * Why it exists: bench/RESULTS.md, "The ninth playback".
 */
import fs from 'node:fs';
import path from 'node:path';
import { runGeneratedDay } from './lib/bench-days.js';
import { benchGeneratedDay } from './lib/generated-day.js';
import { round, spread } from './lib/rounds.js';

const argv = process.argv.slice(2);
const at = argv.indexOf('--playbacks');
const playbacks = at >= 0 ? Math.max(10, Number(argv[at + 1])) : 16;
const json = argv.includes('--json');
const dataDir = path.resolve('var/bench');
fs.mkdirSync(dataDir, { recursive: true });
const day = benchGeneratedDay(dataDir);

const out: Record<string, { perPlayback: number[]; early: number; late: number; lateOverEarly: number }> = {};
for (const strategy of ['bench', 'lmp'] as const) {
  const rates: number[] = [];
  for (let i = 0; i < playbacks; i++) {
    rates.push((await runGeneratedDay(day, dataDir, strategy)).eventsPerSec);
    if (!json) process.stderr.write(`${strategy} playback ${i + 1}/${playbacks}: ${(rates[i]! / 1e6).toFixed(2)} M events/s\n`);
  }
  const early = spread(rates.slice(2, 8)).median;
  const late = spread(rates.slice(8)).median;
  out[strategy] = { perPlayback: rates, early, late, lateOverEarly: round(late / early) };
}
if (json) process.stdout.write(`${JSON.stringify({ playbacks, ...out })}\n`);
else
  for (const [name, r] of Object.entries(out)) {
    const early = `playbacks 3–8 median ${(r.early / 1e6).toFixed(2)} M events/s`;
    const late = `9–${playbacks} median ${(r.late / 1e6).toFixed(2)} M`;
    process.stdout.write(`${name}: ${early}, ${late}, late ÷ early ${r.lateOverEarly}\n`);
  }
