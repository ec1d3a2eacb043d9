/**
 * Static LMP on N planted days, each trade joined to the shelf episode it was decided in (the generator's answer
 * key, GeneratorSummary.episodes): R by quality, by quartile of the decision-time `shelfSizeRatio`, and exits by
 * quality. The check docs/learning.md#the-markets-it-is-measured-on makes of a planted version before E2.
 *
 *   node --import tsx bench/planted-episodes.ts [--seeds 1..8] [--version 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { createDataSource, TypeormJournal } from '../adapters/persistence/index.js';
import { parseSeeds } from '../adapters/cli/sweep/run-sweep.js';
import { runSweepDay } from '../adapters/cli/sweep/sweep-day.js';
import { generateSession } from '../adapters/replay/generator/market-generator.js';
import type { PlantedVersion } from '../adapters/replay/generator/planted.js';
import { sampleFromRow } from '../core/learning/sample-row.js';

const root = path.resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const seeds = parseSeeds(arg('seeds', '1..8'));
const version = Number(arg('version', '5')) as PlantedVersion;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-planted-episodes-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

interface Row {
  r: number;
  ratio: number;
  genuine: boolean | null;
  exit: string;
  sinceEpisodeS: number;
}
const rows: Row[] = [];
let episodes = 0;
for (const [index, seed] of seeds.entries()) {
  const store = path.join(tmp, `d${index}.sqlite`);
  await runSweepDay({
    seed,
    index,
    signal: 'planted',
    plantedVersion: version,
    flipAt: 1e9,
    arm: 'static',
    store,
    dataDir: path.join(root, 'var'),
    baseDir: root,
  });
  // The same session the sweep day generated (sweep-day.ts: its date, 09:30–11:15 New York, default generate params).
  const day = DateTime.fromISO('2024-03-04T09:30', { zone: 'America/New_York' }).plus({ days: index });
  const summary = generateSession(
    {
      seed,
      symbol: 'HRVST',
      date: day.toISODate()!,
      timeZone: 'America/New_York',
      start: '00:00',
      startTime: day.toMillis() * 1000,
      endTime: day.set({ hour: 11, minute: 15 }).toMillis() * 1000,
      tick: 100,
      startPrice: 325_000,
      signal: 'planted',
      plantedVersion: version,
    },
    () => {},
  );
  const eps = summary.episodes!;
  episodes += eps.length;
  const ds = await createDataSource({ driver: 'sqlite', file: store });
  const journal = new TypeormJournal(ds);
  for (const s of await journal.sessions(10))
    for (const row of await journal.entries(s.sessionId, { kind: 'sample' })) {
      const x = sampleFromRow(row, s.sessionId);
      if (x === null || x.synthetic) continue;
      const ep = eps.filter((e) => e.at <= x.decidedAt).at(-1);
      rows.push({
        r: x.label.r,
        ratio: x.features[x.featureNames.indexOf('dec.shelfSizeRatio')]!,
        genuine: ep === undefined ? null : ep.genuine,
        exit: x.label.exitReason,
        sinceEpisodeS: ep === undefined ? -1 : (x.decidedAt - ep.at) / 1e6,
      });
    }
  await ds.destroy();
}
const mean = (xs: number[]): number => (xs.length === 0 ? 0 : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000);
const filled = rows.filter((x) => x.exit !== 'entry-unfilled');
console.log(
  `planted v${version}, ${seeds.length} static days: ${episodes} episodes, ${rows.length} trades (${rows.length - filled.length} unfilled), mean ${mean(rows.map((x) => x.r))} R`,
);
for (const g of [true, false, null])
  console.log(
    `  ${g === null ? 'no episode' : g ? 'genuine' : 'fake'}: ${rows.filter((x) => x.genuine === g).length} trades, mean ${mean(rows.filter((x) => x.genuine === g).map((x) => x.r))} R`,
  );
const sorted = [...rows].sort((a, b) => a.ratio - b.ratio);
for (let q = 0; q < 4; q++) {
  const part = sorted.slice(Math.floor((q * sorted.length) / 4), Math.floor(((q + 1) * sorted.length) / 4));
  if (part.length === 0) continue;
  console.log(
    `  quartile ${q + 1} shelfSizeRatio ${part[0]!.ratio.toFixed(1)}–${part.at(-1)!.ratio.toFixed(1)}: ${part.length} trades, mean ${mean(part.map((x) => x.r))} R, genuine share ${mean(part.map((x) => (x.genuine === true ? 1 : 0)))}`,
  );
}
const exits = new Map<string, number[]>();
for (const x of rows)
  exits.set(`${x.exit} ${x.genuine === null ? '-' : x.genuine ? 'G' : 'F'}`, [
    ...(exits.get(`${x.exit} ${x.genuine === null ? '-' : x.genuine ? 'G' : 'F'}`) ?? []),
    x.r,
  ]);
for (const [k, v] of [...exits].sort()) console.log(`  exit ${k}: ${v.length}, mean ${mean(v)} R`);
console.log(
  `  decision after episode start: median ${[...rows.map((x) => x.sinceEpisodeS)].sort((a, b) => a - b)[Math.floor(rows.length / 2)]} s`,
);
console.log(JSON.stringify({ version, seeds: seeds.length, episodes, trades: rows.length, meanR: mean(rows.map((x) => x.r)) }));
