import type { ResolvedConfig } from '../../core/config/resolve-config.js';
import { Sfc32 } from '../../core/domain/random.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import type { AdapterInstance } from '../../plugins/sdk/manifest.js';

/** Open the configured store outside a session (for `decisions`, `sessions`): journal and memory only. */
export async function openStore(resolved: ResolvedConfig): Promise<AdapterInstance> {
  const sel = resolved.store;
  const quiet = { debug: () => {}, info: () => {}, warn: () => {} };
  return sel.manifest.create({
    pluginId: sel.manifest.id, params: sel.params as Readonly<unknown>, clock: new ManualClock(0), log: quiet, random: new Sfc32(0),
    mode: resolved.root.mode, seed: resolved.root.seed, secret: (n) => process.env[n], instrument: () => undefined,
    market: { book: () => undefined, onDepth: () => () => {}, onTrade: () => () => {} },
    account: { id: null, currency: resolved.root.account.currency, startEquity: 0 },
    session: { date: resolved.root.session.date, timeZone: resolved.root.session.timeZone, start: 0, end: 0 },
    dataDir: resolved.root.dataDir,
  });
}
