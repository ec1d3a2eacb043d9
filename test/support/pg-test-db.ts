import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { skipBecause } from './skip.js';

/**
 * The PostgreSQL server for the specs: `HARVESTER_TEST_PG_URL` (scripts/pg-test-server.sh starts one; .ci/run
 * always does). Unset, the PostgreSQL specs skip with the reason printed — except under `CI=true`, where they fail:
 * CI must never pass without having run them.
 */
export function pgTestUrl(ctx: Mocha.Context): string {
  const url = process.env.HARVESTER_TEST_PG_URL;
  if (url !== undefined && url !== '') return url;
  if (process.env.CI === 'true') {
    throw new Error(
      'HARVESTER_TEST_PG_URL is not set but CI=true: the PostgreSQL specs must ' +
        'run in CI (.ci/run starts the server with scripts/pg-test-server.sh)',
    );
  }
  if (!warned) {
    warned = true;
    process.stderr.write(
      'PostgreSQL specs skipped: HARVESTER_TEST_PG_URL is not set (eval "$(scripts/pg-test-server.sh start)" to run them)\n',
    );
  }
  return skipBecause(ctx, 'HARVESTER_TEST_PG_URL is not set');
}
let warned = false;

/** A fresh, empty database on the test server (its own name), and a way to drop it. */
export async function freshPgDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hv_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Count rows out of band, on a connection of its own (what another process would see). */
export async function pgCount(url: string, sql: string, params: unknown[] = []): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(sql, params);
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}
