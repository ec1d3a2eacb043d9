/**
 * `node --import tsx bench/tick-to-order.ts [--samples N] [--spacing-ms M]`: tick-to-order latency through the whole paper-mode path.
 * The fake TWS writes one depth frame; the real @stoqey/ib client decodes it; the TWS feed turns it into a delta;
 * the kernel applies it to the book; a strategy reacts with an intent; risk approves; the order manager and the TWS
 * broker adapter encode placeOrder; the fake TWS receives those bytes. Client and server share this process, so one
 * monotonic clock times both ends. Samples are spaced 35 ms apart (see `spacingMs`) so that TWS's message pacing
 * (≤ 50 msg/s, which the client enforces by queueing) does not turn into queueing delay. Prints p50/p90/p99 in µs;
 * never passes or fails on time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { builtinPlugins } from '../adapters/cli/builtin-plugins.js';
import { WallClock } from '../adapters/system-clock/wall-clock.js';
import { env } from '../core/config/env-ref.js';
import { resolveConfig } from '../core/config/resolve-config.js';
import { createHarvester } from '../core/di/container.js';
import { defineStrategy } from '../plugins/sdk/define.js';
import { FakeTwsServer, wallClock, type FakeMatcher } from '../adapters/fake-tws/index.js';
import { level } from '../adapters/fake-tws/market-builders.js';
import cliProgress from 'cli-progress';

const arg = (name: string): number | undefined =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined;
const samples = arg('--samples') || 10_000;
// The adapter's outbound pacer gives order messages a 30 ms slot each (TWS allows 50 msg/s; @stoqey/ib's own limiter
// passes 4 per 100 ms): one order every 25 ms would wait for its slot every time and measure the pacer, not the
// path. Each sample sends two order messages (the new order, then the cancel of the one before, see `reactor`), so
// 65 ms keeps every order inside a free slot.
const spacingMs = arg('--spacing-ms') || 65;

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

// The reactor's far-away buys never fill; a venue that sweeps its resting orders on every touch (the fake's default
// matcher) would put an O(open orders) cost of the fake into every sample, 10,000 of them by the end. A matcher that
// rests nothing keeps the figure about Harvester's path; TWS still acknowledges every order through the fake's desk.
const restNothing: FakeMatcher = {
  setSink: () => {},
  submit: () => {},
  modify: () => {},
  cancel: () => {},
  onTouch: () => {},
  onTrade: () => {},
};
// The fake's clock must be the wall clock: the session checks TWS's currentTime against its own (WallClock) and goes
// to SAFE_MODE (entries denied) once they are 5 s apart; a StepClock fixed at 2026-01-01 did that at the first heartbeat,
// and every later sample waited out its timeout (docs/tws-adapter.md#heartbeat).
const server = await FakeTwsServer.start({ clock: wallClock, accounts: ['DU0000001'], matcher: restNothing });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-t2o-'));
const now = DateTime.now().setZone('America/New_York');
const resolved = await resolveConfig(
  {
    mode: 'paper',
    session: {
      date: now.toISODate(),
      timeZone: 'America/New_York',
      start: now.minus({ minutes: 1 }).toFormat('HH:mm'),
      end: now.plus({ minutes: 30 }).toFormat('HH:mm'),
    },
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

let sentAt = 0n;
let waiting: ((t: bigint) => void) | null = null;
server.on('frame', (f: { request: { kind: string } }) => {
  if (f.request.kind === 'placeOrder' && waiting !== null) {
    const w = waiting;
    waiting = null;
    w(process.hrtime.bigint());
  }
});
await new Promise((r) => setTimeout(r, 500)); // subscriptions in place
const lat: number[] = [];
let missed = 0;
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
for (let i = 0; i < samples + warmup; i++) {
  if (bar !== null) bar.update(i);
  else if (i > 0 && i % tenth === 0) process.stderr.write(`tick-to-order: ${i}/${samples + warmup} samples\n`);
  const got = new Promise<bigint>((resolve) => {
    waiting = resolve;
  });
  sentAt = process.hrtime.bigint();
  // A new best bid every time, so the frame always reaches row 0 of the client's 5-row book.
  server.publish(level('AAPL', 'bid', 150 + i / 100, 100 + (i % 7) * 100));
  const t = await Promise.race([got, new Promise<bigint>((r) => setTimeout(() => r(0n), 1000))]);
  if (t === 0n) {
    missed++;
    waiting = null;
    if (process.env.HV_KEEP) console.error(`missed at ${i}`);
    continue;
  }
  if (i >= warmup) lat.push(Number(t - sentAt) / 1000); // the first ones warm the JIT
  // Stay under TWS's message pacing (50 msg/s; @stoqey/ib queues above its limit): two messages per sample.
  const spent = Number(process.hrtime.bigint() - sentAt) / 1e6;
  if (spent < spacingMs) await new Promise((r) => setTimeout(r, spacingMs - spent));
}
bar?.stop();
// The figures first: a slow teardown (client disconnect, journal close) must not hold them back.
const early = lat.slice(0, 1000).sort((a, b) => a - b)[500] ?? 0;
const late = lat.slice(-1000).sort((a, b) => a - b)[500] ?? 0;
lat.sort((a, b) => a - b);
const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! * 10) / 10;
process.stdout.write(
  `${JSON.stringify({ samples: lat.length, spacingMs, missed, p50Us: q(0.5), p90Us: q(0.9), p99Us: q(0.99), maxUs: q(1), firstThousandP50Us: Math.round(early), lastThousandP50Us: Math.round(late) })}\n`,
);
const phase = async (name: string, p: Promise<unknown>) => {
  const t0 = process.hrtime.bigint();
  await p;
  if (process.env.HV_KEEP) console.error(`${name}: ${Number(process.hrtime.bigint() - t0) / 1e6} ms`);
};
stop.abort();
await phase('run', done);
await phase('close', runtime.close());
await phase('server', server.stop());
if (process.env.HV_KEEP) console.error(dir);
else fs.rmSync(dir, { recursive: true, force: true });
