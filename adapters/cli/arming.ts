import type { ResolvedConfig } from '../../core/config/resolve-config.js';

/**
 * Live trading never happens by accident: mode 'live' needs `live.armed: true` in config AND `--arm-live` (or
 * HARVESTER_ARM_LIVE=1) at start. The account match is checked again by the broker adapter once connected.
 */
export function checkArming(resolved: ResolvedConfig, armFlag: boolean, env: NodeJS.ProcessEnv): { ok: true } | { ok: false; message: string } {
  if (resolved.root.mode !== 'live') return { ok: true };
  const armedByRun = armFlag || env.HARVESTER_ARM_LIVE === '1';
  if (!resolved.root.live.armed) return { ok: false, message: "mode is 'live' but live.armed is not true in the config (CONFIG.LIVE_NOT_ARMED)" };
  if (!armedByRun) return { ok: false, message: "mode is 'live' but the run was not armed: pass --arm-live or set HARVESTER_ARM_LIVE=1 (CONFIG.LIVE_NOT_ARMED)" };
  if (resolved.accountId === null) return { ok: false, message: "mode is 'live' but account.id is not configured (use env('TWS_ACCOUNT')) (CONFIG.ACCOUNT_MISMATCH)" };
  return { ok: true };
}
