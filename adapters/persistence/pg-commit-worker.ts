/**
 * Worker thread behind PgCommitSink: one `pg` connection that runs the journal's commits in arrival order, each in
 * one transaction, and answers each on the reply port before raising the shared counter the caller waits on
 * (so the answer is always there when the caller wakes). Never throws out of a commit: a failure is an answer.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import pg from 'pg';
import { JOURNAL_COLUMNS } from './commit-sink.js';

interface Init {
  url: string;
  signal: SharedArrayBuffer;
  port: MessagePort;
}
/** [table, ...the JOURNAL_COLUMNS values] */
type WireRow = [string, ...(string | number | null)[]];
interface Request {
  seq: number;
  rows?: WireRow[];
  close?: boolean;
}

const { url, signal, port } = workerData as Init;
const flags = new Int32Array(signal);
const SEQ = 0;
const STATE = 1;
/** Rows per INSERT statement: 10 columns × 500 rows stays far below PostgreSQL's 65,535 parameters. */
const ROWS_PER_INSERT = 500;
const MAX_PARAMS = 60_000;

function answer(seq: number, error: string | null): void {
  port.postMessage({ seq, error });
  Atomics.store(flags, SEQ, seq);
  Atomics.notify(flags, SEQ);
}

function setState(state: number, error: string | null): void {
  port.postMessage({ seq: 0, error });
  Atomics.store(flags, STATE, state);
  Atomics.notify(flags, STATE);
}

/**
 * One statement, one round trip: every table's rows in data-modifying CTEs of a single INSERT. A single statement
 * is atomic on its own (autocommit), so BEGIN/COMMIT would only add two round trips per commit.
 */
async function commit(client: pg.Client, rows: WireRow[]): Promise<void> {
  const byTable = new Map<string, WireRow[]>();
  for (const r of rows) {
    const list = byTable.get(r[0]) ?? [];
    list.push(r);
    byTable.set(r[0], list);
  }
  const cols = JOURNAL_COLUMNS.map((c) => `"${c}"`).join(', ');
  const params: unknown[] = [];
  const inserts: string[] = [];
  for (const [table, list] of byTable) {
    const tuples = list.map(
      (r) =>
        `(${r
          .slice(1)
          .map((v) => {
            params.push(v);
            return `$${params.length}`;
          })
          .join(', ')})`,
    );
    inserts.push(`INSERT INTO "${table}" (${cols}) VALUES ${tuples.join(', ')}`);
  }
  if (params.length <= MAX_PARAMS) {
    const [last, ...ctes] = [inserts.pop()!, ...inserts];
    const sql = ctes.length === 0 ? last : `WITH ${ctes.map((c, i) => `w${i} AS (${c})`).join(', ')} ${last}`;
    await client.query(sql, params);
    return;
  }
  // A large group (only at session end or for a very large bound): batches inside one transaction.
  await client.query('BEGIN');
  try {
    for (const [table, list] of byTable) {
      for (let i = 0; i < list.length; i += ROWS_PER_INSERT) {
        const chunk = list.slice(i, i + ROWS_PER_INSERT);
        const p: unknown[] = [];
        const tuples = chunk.map(
          (r) =>
            `(${r
              .slice(1)
              .map((v) => {
                p.push(v);
                return `$${p.length}`;
              })
              .join(', ')})`,
        );
        await client.query(`INSERT INTO "${table}" (${cols}) VALUES ${tuples.join(', ')}`, p);
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

async function main(): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    setState(2, (error as Error).message);
    return;
  }
  client.on('error', () => {}); // a dropped connection surfaces as the next commit's failure
  setState(1, null);
  let chain = Promise.resolve();
  port.on('message', (m: Request) => {
    chain = chain.then(async () => {
      if (m.close) {
        await client.end().catch(() => {});
        answer(m.seq, null);
        port.close();
        return;
      }
      try {
        await commit(client, m.rows ?? []);
        answer(m.seq, null);
      } catch (error) {
        answer(m.seq, (error as Error).message);
      }
    });
  });
}

void main();
