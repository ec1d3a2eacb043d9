/**
 * `node --import tsx bench/cpu-profile.ts [goog|lmp] [--rounds N] [--out file]`: a CPU profile of warm framework runs
 * only (the recordings are imported or generated before, and one unmeasured run warms the JIT), so the profile shows
 * the replay hot path and not the importer, the generator or the baselines. Writes a `.cpuprofile` (Chrome DevTools)
 * and prints the top self-time functions; never passes or fails.
 */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import path from 'node:path';
import { benchGoogDay, runGeneratedDay, runGoogDay } from './lib/bench-days.js';
import { benchGeneratedDay } from './lib/generated-day.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const argv = process.argv.slice(2);
const which = argv[0] === 'lmp' ? 'lmp' : 'goog';
const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 3;
const outFile = (argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : undefined) ?? path.resolve(`var/bench/${which}.cpuprofile`);
const dataDir = path.resolve('var/bench');
fs.mkdirSync(dataDir, { recursive: true });
let run: () => Promise<unknown>;
if (which === 'goog') {
  const rec = await benchGoogDay(dataDir);
  if (rec === null) throw new Error('the LOBSTER sample is not in ../shared/data/lobster');
  run = () => runGoogDay(rec, dataDir);
} else {
  const gen = benchGeneratedDay(dataDir);
  run = () => runGeneratedDay(gen, dataDir, 'lmp');
}

await run(); // warm-up
const session = new inspector.Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
for (let i = 0; i < rounds; i++) await run();
const { profile } = (await session.post('Profiler.stop')) as unknown as {
  profile: { nodes: Node[]; samples: number[]; timeDeltas: number[] };
};
session.disconnect();
fs.writeFileSync(outFile, JSON.stringify(profile));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const f = byId.get(id)!.callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '')}:${f.lineNumber + 1}`;
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30))
  process.stdout.write(`${((100 * v) / total).toFixed(1).padStart(5)}% ${k}\n`);
process.stdout.write(`profile: ${outFile}\n`);
