/**
 * `npm run bench [-- --json] [-- --full-day]`: replay throughput of the whole framework against two baselines run
 * in the same process on the same events — a bare loop (book updates + the same per-event arithmetic, no
 * framework) and the npm package nodejs-order-book applying the same LOBSTER messages. Prints figures; never
 * passes or fails on time.
 *
 * Data: the real NASDAQ day under ../shared/data/lobster (LOBSTER sample, GOOG 2012-06-21; https://lobsterdata.com)
 * when present, and a generated day. `--full-day` also replays a generated 6.5-hour day of ≥ 10 million events in a
 * child process and reports its peak RSS.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { generateToFile } from '../adapters/replay/generated-recording.js';
import { GENERATOR_VERSION } from '../adapters/replay/generator/market-generator.js';
import { importLobster } from '../adapters/replay/lobster/lobster-importer.js';
import { bareLoop, decode, nodejsOrderBook } from './lib/baselines.js';
import { runFramework } from './lib/framework-run.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const dataDir = path.resolve('var/bench');
fs.mkdirSync(dataDir, { recursive: true });
const lobsterDir = path.resolve('../shared/data/lobster/GOOG_2012-06-21_L10');
const messageFile = path.join(lobsterDir, 'GOOG_2012-06-21_34200000_57600000_message_10.csv');
const orderbookFile = path.join(lobsterDir, 'GOOG_2012-06-21_34200000_57600000_orderbook_10.csv');
const say = (s: string) => { if (!json) process.stderr.write(`${s}\n`); };
const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function fullDayChild(): Promise<void> {
  const file = path.join(dataDir, `generated-full-day-i8-v${GENERATOR_VERSION}.hrec`);
  const start = DateTime.fromISO('2024-03-14T09:30', { zone: 'America/New_York' }).toMillis() * 1000;
  if (!fs.existsSync(file)) {
    generateToFile(file, { seed: 7, symbol: 'HRVST', date: '2024-03-14', timeZone: 'America/New_York', startTime: start, endTime: start + 390 * 60e6, tick: 100, startPrice: 325_000, intensity: 8 });
  }
  const run = await runFramework({ marketData: { recording: file }, symbol: 'HRVST', date: '2024-03-14', start: '09:30', end: '16:00', dataDir });
  process.stdout.write(`${JSON.stringify({ ...run, peakRssMb: rssMb() })}\n`);
}

async function main(): Promise<void> {
  if (args.has('--full-day-child')) return fullDayChild();
  const datasets: Record<string, unknown>[] = [];

  if (fs.existsSync(messageFile)) {
    const rec = path.join(dataDir, 'goog-2012-06-21.hrec');
    if (!fs.existsSync(rec)) {
      say('importing the LOBSTER GOOG day…');
      await importLobster({ messageFile, orderbookFile, out: rec, symbol: 'GOOG', date: '2012-06-21' });
    }
    say('GOOG: decoding, bare loop, nodejs-order-book, framework…');
    const d = await decode(rec);
    bareLoop(d); // warm-up: JIT the book and arithmetic before measuring
    const bare = bareLoop(d);
    const nob = nodejsOrderBook(messageFile);
    const fw = await runFramework({ marketData: { recording: rec }, symbol: 'GOOG', date: '2012-06-21', start: '09:30', end: '16:00', dataDir });
    datasets.push({
      name: 'lobster-goog-2012-06-21', events: fw.events, eventsPerSec: fw.eventsPerSec, baselineEventsPerSec: Math.round(bare.eventsPerSec),
      ratioToBaseline: round(fw.eventsPerSec / bare.eventsPerSec), nodejsOrderBookEventsPerSec: Math.round(nob.eventsPerSec),
      nodejsOrderBookMessages: nob.messages, ratioToNodejsOrderBook: round(fw.eventsPerSec / nob.eventsPerSec), bookUpdateNs: round(bare.bookUpdateNs),
      orders: fw.orders, fills: fw.fills,
    });
  } else {
    say(`LOBSTER sample not found at ${lobsterDir}: GOOG figures skipped`);
  }

  say('generated 105-minute day: generating, bare loop, framework…');
  const gen = path.join(dataDir, `generated-105min-v${GENERATOR_VERSION}.hrec`);
  const start = DateTime.fromISO('2024-03-14T09:30', { zone: 'America/New_York' }).toMillis() * 1000;
  if (!fs.existsSync(gen)) generateToFile(gen, { seed: 42, symbol: 'HRVST', date: '2024-03-14', timeZone: 'America/New_York', startTime: start, endTime: start + 105 * 60e6, tick: 100, startPrice: 325_000 });
  const dg = await decode(gen);
  bareLoop(dg);
  const bareG = bareLoop(dg);
  const fwG = await runFramework({ marketData: { recording: gen }, symbol: 'HRVST', date: '2024-03-14', start: '09:30', end: '11:15', dataDir });
  datasets.push({
    name: 'generated-105min', events: fwG.events, eventsPerSec: fwG.eventsPerSec, baselineEventsPerSec: Math.round(bareG.eventsPerSec),
    ratioToBaseline: round(fwG.eventsPerSec / bareG.eventsPerSec), bookUpdateNs: round(bareG.bookUpdateNs), orders: fwG.orders, fills: fwG.fills,
  });

  let fullDay: Record<string, unknown> | null = null;
  if (args.has('--full-day')) {
    say('generated 6.5-hour day (≥ 10M events) in a child process…');
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run-bench.ts', '--full-day-child'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    fullDay = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  }

  const head = datasets[0]!;
  const out = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    events: head.events, eventsPerSec: head.eventsPerSec, baselineEventsPerSec: head.baselineEventsPerSec, ratioToBaseline: head.ratioToBaseline,
    nodejsOrderBookEventsPerSec: head.nodejsOrderBookEventsPerSec ?? null, peakRssMb: rssMb(), bookUpdateNs: head.bookUpdateNs,
    goals: { ratioToBaseline: '>= 0.5', vsNodejsOrderBook: '>= 3x', fullDayPeakRssMb: '< 250 for >= 10M events' },
    datasets, fullDay,
  };
  process.stdout.write(json ? `${JSON.stringify(out)}\n` : `${JSON.stringify(out, null, 2)}\n`);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

await main();
