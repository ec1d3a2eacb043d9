/**
 * `node --import tsx bench/journal-commit-anatomy.ts [--commits N] [--rounds R]`: what one order-path commit costs in
 * a replay (SQLite WAL, `synchronous = NORMAL`, the schema the migrations create), and how much of it each part of
 * the table costs. Each arm commits N single-row transactions of a real `order.requested` row through
 * `SqliteCommitSink`, the path `JournalWriter.durable` takes; arms are interleaved round by round and start from a
 * fresh file each time. Arms: the schema as migrated (a WITHOUT ROWID table keyed by (session_id, ordinal), no
 * other index); the first schema's layout (an AUTOINCREMENT rowid table with an ordinal index and a per-trade
 * index), which migration 1796342400000 replaced; as migrated plus the per-trade index (the layout `hv_decisions`
 * keeps); as migrated with no automatic WAL checkpoints. Prints the median µs per commit, the final close (and its checkpoint) included; never
 * passes or fails (bench/RESULTS.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../adapters/persistence/data-source.js';
import { JOURNAL_TABLES } from '../adapters/persistence/entities/journal-row.entity.js';
import { JournalKeyedByOrdinal1796342400000 } from '../adapters/persistence/migrations/1796342400000-journal-keyed-by-ordinal.js';
import { SqliteCommitSink, sqliteHandle } from '../adapters/persistence/sqlite-commit-sink.js';

const argv = process.argv.slice(2);
const opt = (name: string, d: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : d);
const commits = opt('--commits', 2_000);
const rounds = opt('--rounds', 5);
const table = JOURNAL_TABLES.order;
const data = JSON.stringify({
  bracketId: 'bench-l2-i1.b',
  coid: 'bench-l2-i1.p',
  intentId: 'bench-l2-i1',
  limitPrice: 5778700,
  orderRef: 'hv:r1:bench-l2-i1.p',
  quantity: 10,
  role: 'entry',
  side: 'buy',
  symbol: 'GOOG',
  tif: 'day',
  type: 'limit',
});

type Arm = { name: string; prepare(ds: DataSource): Promise<void> };
const arms: Arm[] = [
  { name: 'as migrated (keyed by session, ordinal)', prepare: async () => {} },
  {
    // The layout before migration 1796342400000, by its own down(): the comparison stays in one process.
    name: 'first schema (rowid table + two indexes)',
    prepare: async (ds) => {
      const q = ds.createQueryRunner();
      await new JournalKeyedByOrdinal1796342400000().down(q);
      await q.release();
    },
  },
  {
    name: 'as migrated, plus the per-trade index',
    prepare: async (ds) => void sqliteHandle(ds).exec(`CREATE INDEX "ix_${table}_session_trade" ON "${table}" ("session_id", "trade_id")`),
  },
  { name: 'as migrated, no automatic WAL checkpoint', prepare: async (ds) => void sqliteHandle(ds).pragma('wal_autocheckpoint = 0') },
];

async function once(arm: Arm): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-commit-'));
  try {
    const ds = await createDataSource({ driver: 'sqlite', file: path.join(dir, 'j.sqlite'), synchronous: 'NORMAL' });
    await arm.prepare(ds);
    const sink = new SqliteCommitSink(ds);
    let ordinal = 0;
    const commit = () => {
      ordinal++;
      sink.commit([
        {
          table,
          row: {
            sessionId: 'bench-GOOG',
            ordinal,
            loopSeq: ordinal,
            time: 1_340_285_419_843_969 + ordinal,
            type: 'order.requested',
            symbol: 'GOOG',
            coid: `bench-l2-i${ordinal}.p`,
            tradeId: `bench-l2-t${ordinal >> 3}`, // a trade's rows come in runs
            strategyId: 'bench-l2',
            data,
          } as never,
        },
      ]);
    };
    for (let i = 0; i < 300; i++) commit(); // warm: statements prepared, pages cached
    const t0 = performance.now();
    for (let i = 0; i < commits; i++) commit();
    // The close is inside the window: it checkpoints what the WAL still holds, work an arm without automatic
    // checkpoints only defers.
    await ds.destroy();
    return ((performance.now() - t0) * 1000) / commits;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const results = arms.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) for (let a = 0; a < arms.length; a++) results[a]!.push(await once(arms[a]!));
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
for (let a = 0; a < arms.length; a++) {
  const v = results[a]!;
  process.stdout.write(
    `${arms[a]!.name.padEnd(44)} median ${median(v).toFixed(1)} µs/commit (min ${Math.min(...v).toFixed(1)}, max ${Math.max(...v).toFixed(1)})\n`,
  );
}
