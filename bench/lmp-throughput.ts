/**
 * `node --import tsx bench/lmp-throughput.ts [--rounds N]`: LMP's events/s on the default generated day (the same
 * run as `lmpEventsPerSec` in `npm run bench -- --json`), without the GOOG and baseline contenders, so a change to
 * strategies/lmp can be measured in a minute. One unmeasured warm-up round, then N rounds of LMP and of the bench
 * strategy on the same day; prints min/median of both, their in-process ratio and the same for steady-window CPU time; never passes or fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runGeneratedDay } from './lib/bench-days.js';
import { benchGeneratedDay } from './lib/generated-day.js';

const argv = process.argv.slice(2);
const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 5;
const dataDir = path.resolve('var/bench');
fs.mkdirSync(dataDir, { recursive: true });
const gen = benchGeneratedDay(dataDir);
const run = (strategy: 'bench' | 'lmp') => runGeneratedDay(gen, dataDir, strategy);

const lmp: number[] = [];
const bench: number[] = [];
// CPU time of the steady window: on this shared 2-core box wall-clock rates swing between rounds far more.
const lmpCpu: number[] = [];
const benchCpu: number[] = [];
for (let r = 0; r <= rounds; r++) {
  const b = await run('bench');
  const l = await run('lmp');
  if (r > 0) {
    bench.push(b.eventsPerSec);
    lmp.push(l.eventsPerSec);
    benchCpu.push(b.steadyCpuMs);
    lmpCpu.push(l.steadyCpuMs);
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const out = {
  rounds,
  lmpEventsPerSec: Math.round(median(lmp)),
  lmpMin: Math.round(Math.min(...lmp)),
  benchStrategyEventsPerSec: Math.round(median(bench)),
  lmpToBenchStrategy: Math.round((median(lmp) / median(bench)) * 1000) / 1000,
  lmpSteadyCpuMs: median(lmpCpu),
  benchStrategySteadyCpuMs: median(benchCpu),
  /** LMP's CPU over the bench strategy's on the same day, same rounds: what a change to strategies/lmp moves. */
  lmpCpuToBenchStrategyCpu: Math.round((median(lmpCpu) / median(benchCpu)) * 1000) / 1000,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
