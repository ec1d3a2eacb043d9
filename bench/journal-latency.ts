/**
 * `npm run bench:journal-latency [-- --json] [-- --samples N] [-- --gap-ms N] [-- --pg-url postgres://…]`: the order-path journal
 * commit latency — one `JournalWriter.write` of an order row, which returns only once the row is committed
 * (core/engine/journal-durability.ts) — on SQLite (synchronous FULL, as paper/live use, and NORMAL, as replay uses)
 * and on PostgreSQL (`--pg-url`, else HARVESTER_TEST_PG_URL; skipped and said so when neither is set). Then, paired
 * sample by sample so that the disk's own noise falls on all three alike: the FULL commit; what an append-only
 * barrier log in front of SQLite would cost (the NORMAL commit plus one append and `fdatasync` of the same row); and
 * that append + `fdatasync` alone (bench/RESULTS.md, "A barrier log would not help"). Prints p50 / p99 / max in µs;
 * never passes or fails on time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataSource, type StoreOptions } from '../adapters/persistence/data-source.js';
import { redactDbUrl } from '../adapters/persistence/db-url.js';
import { TypeormJournal } from '../adapters/persistence/typeorm-journal.js';
import { EventLoop } from '../core/engine/event-loop.js';
import { JournalWriter } from '../core/engine/journal-writer.js';
import { ManualClock } from '../core/engine/virtual-clock.js';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const samples = Number(opt('--samples') ?? 2_000);
/**
 * `--gap-ms N`: idle N ms before each commit, as a paper session between ticks (bench/tick-to-order.ts spaces its
 * samples 100 ms): on this project's VM disk a flush after idle costs ~3× one back to back (bench/RESULTS.md).
 */
const gapMs = Number(opt('--gap-ms') ?? 0);
const idle = (): Promise<void> => (gapMs > 0 ? new Promise((r) => setTimeout(r, gapMs)) : Promise.resolve());
const warmup = 100;
const pgUrl = opt('--pg-url') ?? process.env.HARVESTER_TEST_PG_URL;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function measure(name: string, options: StoreOptions): Promise<Record<string, unknown>> {
  const w = await openWriter(name, options);
  const us: number[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    await idle();
    const t0 = performance.now();
    w.write(i);
    const dt = (performance.now() - t0) * 1000;
    if (i >= warmup) us.push(dt);
    w.tick();
  }
  await w.close();
  return figures(name, us);
}

function figures(name: string, us: number[]): Record<string, unknown> {
  us.sort((a, b) => a - b);
  return {
    backend: name,
    samples: us.length,
    p50Us: Math.round(quantile(us, 0.5)),
    p99Us: Math.round(quantile(us, 0.99)),
    maxUs: Math.round(us[us.length - 1]!),
  };
}

function orderRow(i: number): Record<string, unknown> {
  return {
    coid: `bench-i${i}.p`,
    symbol: 'HRVST',
    side: 'buy',
    type: 'limit',
    quantity: 100,
    limitPrice: 325_0100,
    tif: 'day',
    orderRef: `hv:r1:bench-i${i}.p`,
    role: 'entry',
    intentId: `bench-i${i}`,
  };
}

/** A journal writer on a fresh session of `options`' store: `write(i)` is one order-path row (committed on return). */
async function openWriter(name: string, options: StoreOptions) {
  const ds = await createDataSource(options);
  const journal = new TypeormJournal(ds);
  const sessionId = `lat-${process.pid}-${name.replace(/\W+/g, '-')}-${Date.now()}`;
  await journal.openSession({
    sessionId,
    mode: 'bench',
    strategy: 'bench',
    learner: 'none',
    seed: 1,
    config: {},
    startedAt: 0,
    wallStartedAt: new Date().toISOString(),
  });
  const clock = new ManualClock(1_700_000_000_000_000);
  const writer = new JournalWriter(journal, sessionId, new EventLoop(), clock);
  return {
    write: (i: number) =>
      writer.write('order', 'order.requested', orderRow(i) as never, { symbol: 'HRVST', coid: `bench-i${i}.p`, strategyId: 'bench' }),
    tick: () => clock.advanceTo(clock.now() + 1_000),
    close: async () => {
      await journal.close();
      await ds.destroy();
    },
  };
}

/** FULL commit vs a barrier log (NORMAL commit + append + fdatasync) vs the append + fdatasync alone, interleaved. */
async function pairedBarrier(): Promise<Record<string, unknown>[]> {
  if (gapMs > 0) return [];
  const full = await openWriter('pair-full', { driver: 'sqlite', file: path.join(dir, 'pair-full.sqlite'), synchronous: 'FULL' });
  const normal = await openWriter('pair-normal', { driver: 'sqlite', file: path.join(dir, 'pair-normal.sqlite'), synchronous: 'NORMAL' });
  const logFd = fs.openSync(path.join(dir, 'pair-barrier.log'), 'a');
  const rawFd = fs.openSync(path.join(dir, 'pair-raw.log'), 'a');
  const record = Buffer.from(`${JSON.stringify(orderRow(0))}\n`);
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  try {
    // Back to back (no --gap-ms): the arms follow each other within a sample, so only the first would be after idle.
    for (let i = 0; i < warmup + samples; i++) {
      let t0 = performance.now();
      full.write(i);
      const ta = performance.now() - t0;
      t0 = performance.now();
      normal.write(i);
      fs.writeSync(logFd, record);
      fs.fdatasyncSync(logFd);
      const tb = performance.now() - t0;
      t0 = performance.now();
      fs.writeSync(rawFd, record);
      fs.fdatasyncSync(rawFd);
      const tc = performance.now() - t0;
      full.tick();
      normal.tick();
      if (i < warmup) continue;
      a.push(ta * 1000);
      b.push(tb * 1000);
      c.push(tc * 1000);
    }
  } finally {
    fs.closeSync(logFd);
    fs.closeSync(rawFd);
    await full.close();
    await normal.close();
  }
  return [
    figures('paired: sqlite synchronous=FULL commit', a),
    figures('paired: barrier log (NORMAL commit + append + fdatasync)', b),
    figures('paired: append + fdatasync alone', c),
  ];
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-lat-'));
const results: Record<string, unknown>[] = [];
try {
  results.push(
    await measure('sqlite synchronous=FULL (paper, live)', { driver: 'sqlite', file: path.join(dir, 'full.sqlite'), synchronous: 'FULL' }),
  );
  results.push(
    await measure('sqlite synchronous=NORMAL (replay)', { driver: 'sqlite', file: path.join(dir, 'normal.sqlite'), synchronous: 'NORMAL' }),
  );
  if (pgUrl !== undefined && pgUrl !== '')
    results.push({ ...(await measure('postgresql', { driver: 'postgres', url: pgUrl })), url: redactDbUrl(pgUrl) });
  else
    results.push({
      backend: 'postgresql',
      skipped: 'no --pg-url and HARVESTER_TEST_PG_URL is not set (eval "$(scripts/pg-test-server.sh start)")',
    });
  results.push(...(await pairedBarrier()));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const machine = { cpus: os.cpus().length, node: process.version, tmpdir: os.tmpdir() };
if (json) process.stdout.write(`${JSON.stringify({ machine, results })}\n`);
else
  for (const r of results)
    process.stdout.write(
      `${r.backend}: ` +
        `${r.skipped ? `skipped (${String(r.skipped)})` : `p50 ${String(r.p50Us)} µs, p99 ${String(r.p99Us)} µs, max ${String(r.maxUs)} µs over ${String(r.samples)} commits`}\n`,
    );
