/**
 * `node --import tsx bench/tick-to-order.ts [--samples N] [--spacing-ms M] [--stages]`: tick-to-order latency through
 * the whole paper-mode path. The fake TWS writes one depth frame; the real @stoqey/ib client decodes it; the TWS feed
 * turns it into a delta; the kernel applies it to the book; a strategy reacts with an intent; risk approves; the order
 * manager commits the approval and the order request (the journal barrier) and the TWS broker adapter encodes
 * placeOrder; the fake TWS receives those bytes. The fake runs on its own thread (bench/lib/tick-to-order-venue.ts),
 * as TWS is its own process; both threads read one monotonic clock. Samples are spaced `spacingMs` apart so that the
 * adapter's outbound pacing does not turn into queueing delay. Prints p50/p90/p99 in µs (`--stages`: also when each
 * sample passed each stage); never passes or fails on time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { builtinPlugins } from '../adapters/cli/builtin-plugins.js';
import { WallClock } from '../adapters/system-clock/wall-clock.js';
import { env } from '../core/config/env-ref.js';
import { resolveConfig } from '../core/config/resolve-config.js';
import { createHarvester } from '../core/di/container.js';
import { defineStrategy } from '../plugins/sdk/define.js';
import cliProgress from 'cli-progress';
import { StageClock } from './lib/tick-to-order-stages.js';
import type { VenueReport, VenueRun } from './lib/tick-to-order-venue.js';
import { tsWorker } from './lib/ts-worker.js';
import { sessionAround } from '../core/config/session-window.js';

const arg = (name: string): number | undefined =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined;
const samples = arg('--samples') || 10_000;
// The adapter's outbound pacer gives order messages a 30 ms slot each (TWS allows 50 msg/s; @stoqey/ib's own limiter
// passes 4 per 100 ms): one order every 25 ms would wait for its slot every time and measure the pacer, not the
// path. Each sample sends two order messages (the new order, then the cancel of the one before, see `reactor`), so
// the next order finds its slot free only if the cancel's slot timer fired on time: at 65 ms the margin was 5 ms, and
// on a loaded machine a late timer pushed the next order into the pacer, which then stayed behind for many samples
// (p90 38–53 ms, the order waiting for its slot while the path itself took ~2 ms). 100 ms leaves 40 ms.
const spacingMs = arg('--spacing-ms') || 100;
/** [sample index, hrtime of its publication], written by the venue thread. */
const shared = new SharedArrayBuffer(16);
const stages = process.argv.includes('--stages') ? new StageClock(shared) : null;

/**
 * Reacts to every book batch with a far-away 1-share limit buy: the order itself is the measured output. It then
 * cancels the order of the sample before, so one order at a time rests: the session writes a checkpoint of every
 * working order after each kernel input (core/engine/session-recovery.ts), so 10,000 resting orders made every ack
 * cost O(orders) (checkpoints of 100-200 KB, each committed with FULL sync), the run O(n²), and the orderly stop send
 * 10,000 paced cancels.
 */
const reactor = defineStrategy({
  id: 'tick-reactor',
  apiVersion: 1,
  paramsSchema: z.object({ symbol: z.string() }),
  create: (ctx) => {
    let previous: string | undefined;
    return {
      id: ctx.strategyId,
      subscriptions: () => [{ symbol: ctx.params.symbol, streams: ['depth'], levels: 5 }],
      onBook: () => {
        stages?.mark('onBook');
        // The stop keeps risk-per-trade (part of the paper risk floor, docs/risk-floor.md) satisfied; without a take-profit
        // the entry is still one plain limit order.
        const r = ctx.submit({
          symbol: ctx.params.symbol,
          kind: 'entry',
          side: 'buy',
          type: 'limit',
          quantity: 1,
          limitPrice: 10_000,
          stopLoss: 5_000,
          reason: 'tick-to-order',
        });
        // After the submit, so the new order takes the free slot and the cancel the next one.
        if (previous !== undefined) ctx.cancel(previous);
        previous = r.status === 'sent' ? r.coids[0] : undefined;
      },
    };
  },
});

stages?.install();
const venue = tsWorker(new URL('./lib/tick-to-order-venue.ts', import.meta.url), { clock: shared });
const reports: VenueReport[] = [];
let notify: (() => void) | null = null;
venue.on('message', (m: VenueReport) => {
  reports.push(m);
  notify?.();
});
venue.on('error', (e) => {
  console.error(e);
  process.exit(1);
});
const next = async <K extends VenueReport['kind']>(
  kind: K,
  onOther?: (m: VenueReport) => void,
): Promise<Extract<VenueReport, { kind: K }>> => {
  for (;;) {
    const i = reports.findIndex((m) => m.kind === kind);
    if (i >= 0) return reports.splice(i, 1)[0] as Extract<VenueReport, { kind: K }>;
    for (const m of reports.splice(0)) onOther?.(m);
    await new Promise<void>((r) => (notify = r));
    notify = null;
  }
};
const server = await next('ready');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-t2o-'));
const resolved = await resolveConfig(
  {
    mode: 'paper',
    session: sessionAround(Date.now(), 1, 30),
    account: { id: env('HV_BENCH_ACCOUNT') },
    instruments: [{ symbol: 'AAPL' }],
    // Paper may go below the risk floor: thousands of entries are the point of this benchmark.
    risk: [{ use: 'max-trades-day', action: 'reject', params: { max: 10_000_000 } }],
    marketData: { use: 'tws', params: { port: server.port, clientId: 77 } },
    broker: { use: 'tws', params: { port: server.port, clientId: 77 } },
    store: { use: 'typeorm', params: { file: path.join(dir, 't2o.sqlite') } },
    strategies: [{ use: reactor, params: { symbol: 'AAPL' } }],
    startGates: { maxDataAgeMs: 60_000 },
    dataDir: dir,
  },
  { builtins: await builtinPlugins(), baseDir: process.cwd(), env: { HV_BENCH_ACCOUNT: 'DU0000001' } },
);
const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
const runtime = await createHarvester(resolved, {
  sessionId: 'tick-to-order',
  wallStartedAt: new Date().toISOString(),
  clock: new WallClock(),
  log: quiet,
});
const stop = new AbortController();
const done = runtime.engine.run({ signal: stop.signal });

await new Promise((r) => setTimeout(r, 500)); // subscriptions in place
const warmup = Math.min(200, Math.floor(samples / 10));
// Progress on stderr (stdout carries the figures): a bar on a terminal, a line every tenth elsewhere.
const bar = process.stderr.isTTY
  ? new cliProgress.SingleBar(
      { format: 'tick-to-order {bar} {value}/{total} samples', stream: process.stderr },
      cliProgress.Presets.shades_classic,
    )
  : null;
bar?.start(samples + warmup, 0);
const tenth = Math.max(1, Math.floor((samples + warmup) / 10));
let shown = 0;
venue.postMessage({ kind: 'run', samples, warmup, spacingMs, trace: process.env.HV_KEEP !== undefined } satisfies VenueRun);
const { latencyUs } = await next('done', (m) => {
  if (m.kind !== 'progress') return;
  if (bar !== null) bar.update(m.done);
  else if (m.done >= shown + tenth) process.stderr.write(`tick-to-order: ${(shown = m.done)}/${m.total} samples\n`);
});
bar?.stop();
const measured = latencyUs.slice(warmup); // the first ones warm the JIT
const missed = measured.filter((x) => Number.isNaN(x)).length;
const lat = measured.filter((x) => !Number.isNaN(x));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
// The figures first: a slow teardown (client disconnect, journal close) must not hold them back.
const early = median(lat.slice(0, 1000));
const late = median(lat.slice(-1000));
lat.sort((a, b) => a - b);
const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! * 10) / 10;
process.stdout.write(
  `${JSON.stringify({ samples: lat.length, spacingMs, missed, p50Us: q(0.5), p90Us: q(0.9), p99Us: q(0.99), maxUs: q(1), firstThousandP50Us: Math.round(early), lastThousandP50Us: Math.round(late) })}\n`,
);
if (stages !== null) console.error(stages.summary(latencyUs, warmup));
const phase = async (name: string, p: Promise<unknown>) => {
  const t0 = process.hrtime.bigint();
  await p;
  if (process.env.HV_KEEP) console.error(`${name}: ${Number(process.hrtime.bigint() - t0) / 1e6} ms`);
};
stop.abort();
await phase('run', done);
await phase('close', runtime.close());
venue.postMessage({ kind: 'stop' });
await phase('server', next('stopped'));
await venue.terminate();
if (process.env.HV_KEEP) console.error(dir);
else fs.rmSync(dir, { recursive: true, force: true });
