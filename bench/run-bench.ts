/**
 * `npm run bench [-- --json] [-- --rounds N] [-- --warmup N] [-- --full-day]`: replay throughput of the whole
 * framework against two baselines, in the same process, on the same events, in interleaved rounds so that a noisy
 * shared machine hits every contender alike:
 * - the bare loop (bench/lib/baselines.ts `bareLoop`): the recording pre-decoded into typed arrays, each depth row
 *   applied to the kernel's OrderBook, the shared L2 arithmetic (bench/lib/l2-arithmetic.ts) at every batch end and
 *   on every trade — no file, no clock, no events, no strategy host, no risk, no broker, no journal;
 * - nodejs-order-book applying the same day's LOBSTER messages through its documented API.
 * The framework also replays the GOOG day from stored blocks (format v2, no inflate; docs/recordings.md#stored-blocks),
 * reported as `storedBlocks*` beside the default-format figures, which stay the headline; and the replay feed alone
 * (bench/lib/feed-only.ts, `feedOnly*`), to show how much of the gap to the bare loop is the feed's. Those diagnostics
 * run in a child process with their own bare loop (reported as `storedBlocksBareLoopEventsPerSec`): a second recording
 * format and a feed-only harness are code paths a session never mixes with the default one, and run beside the
 * headline contenders they slowed them (bench/RESULTS.md, "The ninth playback").
 * Every contender runs once unmeasured first (the warm-up: the JIT sees the same code the rounds then time), then
 * `--rounds` (default 5) measured rounds. `--warmup N` gives every contender N unmeasured rounds instead of one: LMP
 * reaches its steady rate only after about six playbacks in a process, the bare loop after one, so the default rounds
 * measure part of its ramp (bench/RESULTS.md, "The ninth playback"). Prints min / median / max per contender; never
 * passes or fails on time.
 *
 * Data: the real NASDAQ day under ../shared/data/lobster (LOBSTER sample, GOOG 2012-06-21; https://lobsterdata.com)
 * when present, and the default generated day (seed 42, 105 min). `--full-day` also replays generated 1-hour and
 * 6.5-hour days (≥ 10 million events) each in its own child process and reports their peak RSS.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { generateToFile } from '../adapters/replay/generated-recording.js';
import { GENERATOR_VERSION } from '../adapters/replay/generator/market-generator.js';
import { benchGeneratedDay, NY_OPEN } from './lib/generated-day.js';
import { benchGoogDay, GOOG_MESSAGES, LOBSTER_DIR, runGeneratedDay, runGoogDay } from './lib/bench-days.js';
import { bareLoop, decode, loadLobsterMessages, nodejsOrderBook } from './lib/baselines.js';
import { feedOnly } from './lib/feed-only.js';
import { runFramework } from './lib/framework-run.js';
import { round, spread, type Spread } from './lib/rounds.js';

const argv = process.argv.slice(2);
const args = new Set(argv);
const json = args.has('--json');
const roundsArg = argv.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Math.max(1, Number(argv[roundsArg + 1])) : 5;
const warmupArg = argv.indexOf('--warmup');
const warmup = warmupArg >= 0 ? Math.max(1, Number(argv[warmupArg + 1])) : 1;
const dataDir = path.resolve('var/bench');
fs.mkdirSync(dataDir, { recursive: true });
const say = (s: string) => {
  if (!json) process.stderr.write(`${s}\n`);
};
const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** A generated day at intensity 8 (seed 7) of `minutes`, replayed alone in this (child) process. */
async function dayChild(minutes: number): Promise<void> {
  const file = path.join(dataDir, `generated-${minutes}min-i8-v${GENERATOR_VERSION}.hrec`);
  if (!fs.existsSync(file)) {
    generateToFile(file, {
      seed: 7,
      symbol: 'HRVST',
      date: '2024-03-14',
      timeZone: 'America/New_York',
      startTime: NY_OPEN,
      endTime: NY_OPEN + minutes * 60e6,
      tick: 100,
      startPrice: 325_000,
      intensity: 8,
    });
  }
  const end = DateTime.fromMillis(NY_OPEN / 1000 + minutes * 60e3, { zone: 'America/New_York' }).toFormat('HH:mm');
  const run = await runFramework({ marketData: { recording: file }, symbol: 'HRVST', date: '2024-03-14', start: '09:30', end, dataDir });
  process.stdout.write(`${JSON.stringify({ minutes, ...run, peakRssMb: rssMb() })}\n`);
}

/**
 * The GOOG diagnostics (stored blocks, feed alone), replayed alone in this (child) process, each against a bare loop
 * run in the same rounds, warm-up first as in `main`.
 */
async function diagnosticsChild(): Promise<void> {
  const goog = await benchGoogDay(dataDir);
  const googStored = await benchGoogDay(dataDir, { stored: true });
  if (goog === null || googStored === null) throw new Error(`the LOBSTER sample is not at ${LOBSTER_DIR}`);
  const dGoog = await decode(goog);
  const d = {
    bare: [] as number[],
    fwStored: [] as number[],
    ratioStored: [] as number[],
    feed: [] as number[],
    feedStored: [] as number[],
  };
  for (let r = 1 - warmup; r <= rounds; r++) {
    const bare = bareLoop(dGoog);
    const fwStored = await runGoogDay(googStored, dataDir);
    const feed = await feedOnly(goog, 'GOOG');
    const feedStored = await feedOnly(googStored, 'GOOG');
    if (r <= 0) continue;
    d.bare.push(bare.eventsPerSec);
    d.fwStored.push(fwStored.eventsPerSec);
    d.ratioStored.push(fwStored.eventsPerSec / bare.eventsPerSec);
    d.feed.push(feed.eventsPerSec / bare.eventsPerSec);
    d.feedStored.push(feedStored.eventsPerSec / bare.eventsPerSec);
  }
  const out = {
    storedBlocksFrameworkEventsPerSec: r0(spread(d.fwStored)),
    storedBlocksBareLoopEventsPerSec: r0(spread(d.bare)),
    storedBlocksRatioToBaseline: round(spread(d.fwStored).median / spread(d.bare).median),
    storedBlocksPerRoundRatioToBaseline: r2(spread(d.ratioStored)),
    feedOnlyPerRoundRatioToBaseline: r2(spread(d.feed)),
    storedBlocksFeedOnlyPerRoundRatioToBaseline: r2(spread(d.feedStored)),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function child(args: string[], what: string): Record<string, unknown> {
  const c = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run-bench.ts', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (c.status !== 0) throw new Error(`bench child (${what}) failed: ${c.stderr}`);
  return JSON.parse(c.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

const r0 = (s: Spread) => ({ min: Math.round(s.min), median: Math.round(s.median), max: Math.round(s.max) });
const r2 = (s: Spread) => ({ min: round(s.min), median: round(s.median), max: round(s.max) });

async function main(): Promise<void> {
  const dayArg = argv.indexOf('--day-child');
  if (dayArg >= 0) return dayChild(Number(argv[dayArg + 1]));
  if (args.has('--diagnostics-child')) return diagnosticsChild();

  const gen = benchGeneratedDay(dataDir);
  const goog = await benchGoogDay(dataDir);
  if (goog === null) say(`LOBSTER sample not found at ${LOBSTER_DIR}: GOOG figures skipped`);
  const dGoog = goog === null ? null : await decode(goog);
  const msgs = goog === null ? null : loadLobsterMessages(GOOG_MESSAGES);
  const dGen = await decode(gen);
  const googRun = (file = goog!) => runGoogDay(file, dataDir);
  const genRun = (strategy: 'bench' | 'lmp') => runGeneratedDay(gen, dataDir, strategy);

  const s = {
    bareGoog: [] as number[],
    fwGoog: [] as number[],
    nobMsg: [] as number[],
    nobDayMs: [] as number[],
    fwGoogDayMs: [] as number[],
    ratioGoog: [] as number[],
    ratioNob: [] as number[],
    bareGen: [] as number[],
    fwGen: [] as number[],
    ratioGen: [] as number[],
    lmp: [] as number[],
    cpuGoog: [] as number[],
    cpuGen: [] as number[],
    cpuLmp: [] as number[],
    bookNs: [] as number[],
    bookNsGen: [] as number[],
  };
  let googRes: Awaited<ReturnType<typeof googRun>> | null = null;
  let genRes: Awaited<ReturnType<typeof googRun>> | null = null;
  let lmpRes: Awaited<ReturnType<typeof googRun>> | null = null;
  let nobRes: ReturnType<typeof nodejsOrderBook> | null = null;
  // Rounds up to 0 are the warm-up of every contender; rounds 1..N are measured.
  for (let r = 1 - warmup; r <= rounds; r++) {
    say(r <= 0 ? `warm-up round ${r + warmup}/${warmup}…` : `round ${r}/${rounds}…`);
    if (dGoog !== null && msgs !== null) {
      const bare = bareLoop(dGoog);
      const fw = await googRun();
      const nob = nodejsOrderBook(msgs);
      if (r > 0) {
        s.bareGoog.push(bare.eventsPerSec);
        s.bookNs.push(bare.bookUpdateNs);
        s.fwGoog.push(fw.eventsPerSec);
        s.ratioGoog.push(fw.eventsPerSec / bare.eventsPerSec);
        s.nobMsg.push(nob.eventsPerSec);
        s.cpuGoog.push(fw.steadyCpuMs);
        s.nobDayMs.push(nob.dayMs);
        s.fwGoogDayMs.push(fw.steadyMs);
        // Per LOBSTER message: both divided by the same day's message count, so this is also the per-day ratio.
        s.ratioNob.push(nob.messages / (fw.steadyMs / 1000) / nob.eventsPerSec);
      }
      googRes = fw;
      nobRes = nob;
    }
    const bareG = bareLoop(dGen);
    const fwG = await genRun('bench');
    const lmp = await genRun('lmp');
    if (r > 0) {
      s.bareGen.push(bareG.eventsPerSec);
      s.bookNsGen.push(bareG.bookUpdateNs);
      s.fwGen.push(fwG.eventsPerSec);
      s.ratioGen.push(fwG.eventsPerSec / bareG.eventsPerSec);
      s.lmp.push(lmp.eventsPerSec);
      s.cpuGen.push(fwG.steadyCpuMs);
      s.cpuLmp.push(lmp.steadyCpuMs);
    }
    genRes = fwG;
    lmpRes = lmp;
  }

  const datasets: Record<string, unknown>[] = [];
  if (googRes !== null && nobRes !== null) {
    const fw = spread(s.fwGoog);
    const bare = spread(s.bareGoog);
    datasets.push({
      name: 'lobster-goog-2012-06-21',
      events: googRes.events,
      lobsterMessages: nobRes.messages,
      orders: googRes.orders,
      fills: googRes.fills,
      frameworkEventsPerSec: r0(fw),
      bareLoopEventsPerSec: r0(bare),
      ratioToBaseline: round(fw.median / bare.median),
      perRoundRatioToBaseline: r2(spread(s.ratioGoog)),
      frameworkMessagesPerSec: r0(spread(s.fwGoogDayMs.map((ms) => nobRes!.messages / (ms / 1000)))),
      nodejsOrderBookMessagesPerSec: r0(spread(s.nobMsg)),
      frameworkDayMs: r0(spread(s.fwGoogDayMs)),
      nodejsOrderBookDayMs: r0(spread(s.nobDayMs)),
      nodejsOrderBookRejected: nobRes.rejected,
      ratioToNodejsOrderBook: round(nobRes.messages / (spread(s.fwGoogDayMs).median / 1000) / spread(s.nobMsg).median),
      perRoundRatioToNodejsOrderBook: r2(spread(s.ratioNob)),
      bookUpdateNs: r0(spread(s.bookNs)),
      frameworkSteadyCpuMs: r0(spread(s.cpuGoog)),
      // The same day read from stored blocks (format v2, no inflate), and the replay feed alone (bench/lib/feed-only.ts)
      // ÷ the bare loop per round, the feed's share of the gap: not the default path, measured in a child process.
      ...(() => {
        say('GOOG diagnostics (stored blocks, feed alone) in a child process…');
        return child(['--diagnostics-child', '--rounds', String(rounds), '--warmup', String(warmup)], 'GOOG diagnostics');
      })(),
    });
  }
  const fwG = spread(s.fwGen);
  const bareG = spread(s.bareGen);
  const lmp = spread(s.lmp);
  datasets.push({
    name: 'generated-105min',
    events: genRes!.events,
    orders: genRes!.orders,
    fills: genRes!.fills,
    frameworkEventsPerSec: r0(fwG),
    bareLoopEventsPerSec: r0(bareG),
    ratioToBaseline: round(fwG.median / bareG.median),
    perRoundRatioToBaseline: r2(spread(s.ratioGen)),
    lmpEventsPerSec: r0(lmp),
    lmpOrders: lmpRes!.orders,
    lmpFills: lmpRes!.fills,
    bookUpdateNs: r0(spread(s.bookNsGen)),
    frameworkSteadyCpuMs: r0(spread(s.cpuGen)),
    lmpSteadyCpuMs: r0(spread(s.cpuLmp)),
  });

  let fullDay: Record<string, unknown> | null = null;
  if (args.has('--full-day')) {
    say('generated 1-hour and 6.5-hour days, each in its own child process…');
    const hour = child(['--day-child', '60'], '60 min');
    const day = child(['--day-child', '390'], '390 min');
    fullDay = {
      oneHour: hour,
      fullDay: day,
      rssFlat:
        `1 h: ${String(hour.events)} events, ${String(hour.peakRssMb)} MB; ` +
        `6.5 h: ${String(day.events)} events, ${String(day.peakRssMb)} MB`,
    };
  }

  const head = datasets[0]! as {
    frameworkEventsPerSec: { median: number };
    bareLoopEventsPerSec: { median: number };
    ratioToBaseline: number;
    ratioToNodejsOrderBook?: number;
    events: number;
  };
  const out = {
    machine: {
      cpus: (await import('node:os')).cpus().length,
      node: process.version,
      loadAverage: (await import('node:os')).loadavg().map((x) => round(x, 1)),
    },
    rounds,
    warmup,
    datasets,
    fullDay,
    goals: {
      ratioToBaseline: '>= 0.5 (GOOG and generated, median of >= 5 rounds)',
      ratioToNodejsOrderBook: '>= 3 per LOBSTER message',
      lmpEventsPerSec: '>= 1.5M',
      fullDayPeakRssMb: '< 250, flat with day length',
    },
    // The headline figures (the last line of --json): medians of the measured rounds.
    events: head.events,
    eventsPerSec: head.frameworkEventsPerSec.median,
    baselineEventsPerSec: head.bareLoopEventsPerSec.median,
    ratioToBaseline: head.ratioToBaseline,
    ratioToNodejsOrderBook: head.ratioToNodejsOrderBook ?? null,
    generatedRatioToBaseline: round(fwG.median / bareG.median),
    lmpEventsPerSec: Math.round(lmp.median),
    peakRssMb: rssMb(),
    ...(fullDay !== null
      ? {
          fullDayPeakRssMb: (fullDay.fullDay as { peakRssMb: number }).peakRssMb,
          oneHourPeakRssMb: (fullDay.oneHour as { peakRssMb: number }).peakRssMb,
        }
      : {}),
  };
  process.stdout.write(json ? `${JSON.stringify(out)}\n` : `${JSON.stringify(out, null, 2)}\n`);
}

await main();
