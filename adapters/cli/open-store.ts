import type { ResolvedConfig } from '../../core/config/resolve-config.js';
import { deepFreeze } from '../../core/config/deep-freeze.js';
import { Sfc32 } from '../../core/domain/random.js';
import { ConfigError } from '../../core/errors/harvester-error.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import type { AdapterInstance } from '../../plugins/sdk/manifest.js';
import { dbUrlPassword, parseDbUrl, redactDbUrl } from '../persistence/db-url.js';

/** Open the configured store outside a session (for `decisions`, `sessions`): journal and memory only. */
export async function openStore(resolved: ResolvedConfig): Promise<AdapterInstance> {
  const sel = resolved.store;
  const quiet = { debug: () => {}, info: () => {}, warn: () => {} };
  return sel.manifest.create({
    pluginId: sel.manifest.id,
    params: sel.params as Readonly<unknown>,
    clock: new ManualClock(0),
    log: quiet,
    random: new Sfc32(0),
    mode: resolved.root.mode,
    seed: resolved.root.seed,
    secret: (n) => process.env[n],
    instrument: () => undefined,
    market: { book: () => undefined, onDepth: () => () => {}, onTrade: () => () => {} },
    account: { id: null, currency: resolved.root.account.currency, startEquity: 0 },
    session: { date: resolved.root.session.date, timeZone: resolved.root.session.timeZone, start: 0, end: 0 },
    dataDir: resolved.root.dataDir,
  });
}

/** The `--db-url` option's help text (run, sessions, decisions). */
export const DB_URL_HELP =
  'database: sqlite:///relative.sqlite, sqlite:////absolute.sqlite or postgres://user:password@host:port/db (overrides store.params)';

/**
 * The resolved config with `--db-url` in place of the configured database: validated by the store plugin's own
 * schema, its password added to the secrets every log line is scrubbed of, and redacted in the stored config. An
 * unknown scheme is refused (`STORE.URL_INVALID`) with the accepted forms.
 */
export function withDbUrl(resolved: ResolvedConfig, url: string | undefined): ResolvedConfig {
  if (url === undefined) return resolved;
  const target = parseDbUrl(url);
  const sel = resolved.store;
  if (sel.manifest.id !== 'typeorm') {
    throw new ConfigError(
      'CONFIG.INVALID',
      `--db-url needs the typeorm store (store.use is '${sel.manifest.id}')`,
      'store.use',
      sel.manifest.id,
    );
  }
  const params: Record<string, unknown> = { ...(sel.params as Record<string, unknown>), driver: target.driver, url };
  const parsed = sel.manifest.paramsSchema.safeParse(params);
  if (!parsed.success) {
    throw new ConfigError(
      'CONFIG.INVALID',
      `--db-url ${redactDbUrl(url)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      'store.params.url',
      sel.manifest.id,
    );
  }
  const redactedStore = (resolved.redacted.store ?? {}) as Record<string, unknown>;
  const redactedParams = { ...((redactedStore.params ?? {}) as Record<string, unknown>), driver: target.driver, url: redactDbUrl(url) };
  const password = dbUrlPassword(url);
  return Object.freeze({
    ...resolved,
    store: { ...sel, params: deepFreeze(parsed.data) },
    redacted: deepFreeze({ ...resolved.redacted, store: { ...redactedStore, params: redactedParams } }),
    secrets: Object.freeze(password === null ? [...resolved.secrets] : [...resolved.secrets, password]),
  });
}
