import type { Command } from 'commander';
import type { ResolvedConfig } from '../../core/config/resolve-config.js';
import { HarvesterError } from '../../core/errors/harvester-error.js';
import type { Journal, SessionRecord } from '../../ports/journal.js';
import { loadResolvedConfig } from './load.js';
import { DB_URL_HELP, openStore, withDbUrl } from './open-store.js';

export interface StoreOptions {
  config: string;
  dbUrl?: string;
}

/** The options every command that reads a journal takes: the config naming the store, or `--db-url` for it. */
export function storeOptions(cmd: Command): Command {
  return cmd.option('-c, --config <file>', 'config file (names the store)', 'harvester.config.ts').option('--db-url <url>', DB_URL_HELP);
}

/** Opens the store a journal command names, hands its journal to `fn`, and closes the store whatever happens. */
export async function withJournal<T>(opts: StoreOptions, fn: (journal: Journal, resolved: ResolvedConfig) => Promise<T>): Promise<T> {
  const resolved = withDbUrl((await loadResolvedConfig(opts.config)).resolved, opts.dbUrl);
  const store = await openStore(resolved);
  try {
    if (store.journal === undefined)
      throw new HarvesterError('CONFIG.INVALID', 'the configured store has no journal', { details: { path: 'store' } });
    return await fn(store.journal, resolved);
  } finally {
    await store.close?.();
  }
}

/** The session by id, or a `DATA.NOT_FOUND` naming it (the CLI exits 2). */
export async function requireSession(journal: Journal, sessionId: string): Promise<SessionRecord> {
  const meta = await journal.session(sessionId);
  if (meta === null)
    throw new HarvesterError('DATA.NOT_FOUND', `no session '${sessionId}' in this store (see \`harvester sessions\`)`, {
      details: { path: 'session' },
    });
  return meta;
}
