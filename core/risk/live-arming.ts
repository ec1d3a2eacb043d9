import type { z } from 'zod';
import type { riskSelection } from '../config/root-schema.js';
import type { RunMode } from './start-gates.js';

export interface LiveArmingInput {
  mode: RunMode;
  /** `live.armed` in config. */
  configArmed: boolean;
  /** `--arm-live` was passed. */
  armFlag: boolean;
  /** HARVESTER_ARM_LIVE: the raw env value ('1' arms) or a boolean. */
  armEnv?: string | boolean | undefined;
  configuredAccount: string | null;
  /** The account the broker reported once connected; checked again then. */
  connectedAccount?: string | null;
  /** TWS/Gateway API port, when known; the well-known paper and live ports must match the mode. */
  port?: number;
}

export type LiveArmingResult = { ok: true } | { ok: false; code: 'CONFIG.LIVE_NOT_ARMED' | 'CONFIG.ACCOUNT_MISMATCH'; message: string };

/** IB paper-trading account ids start with 'D' (DU…, DF…); live ones with U, F, I… */
export function isPaperAccount(account: string): boolean {
  return /^D/i.test(account);
}

/** Well-known TWS (7496/7497) and IB Gateway (4001/4002) API ports. */
const LIVE_PORTS: ReadonlySet<number> = new Set([7496, 4001]);
const PAPER_PORTS: ReadonlySet<number> = new Set([7497, 4002]);

/**
 * Live trading never happens by accident (roadmap §9, M9). Live needs config `mode: 'live'` and `live.armed: true`
 * AND `--arm-live` or HARVESTER_ARM_LIVE=1 at start, a configured account, and, once connected, the same account,
 * which must be a live one. Conversely a paper run refuses a live account or a live port, so a paper config pointed
 * at a live session cannot trade real money. Replay and sim-live never touch a venue and always pass.
 */
export function checkLiveArming(input: LiveArmingInput): LiveArmingResult {
  const { mode } = input;
  if (mode === 'replay' || mode === 'sim-live') return { ok: true };
  const connected = input.connectedAccount ?? null;
  if (mode === 'paper') {
    if (connected !== null && !isPaperAccount(connected)) {
      return { ok: false, code: 'CONFIG.ACCOUNT_MISMATCH', message: `mode is 'paper' but the connected account ${connected} is a live account` };
    }
    if (input.port !== undefined && LIVE_PORTS.has(input.port)) {
      return { ok: false, code: 'CONFIG.ACCOUNT_MISMATCH', message: `mode is 'paper' but port ${input.port} is a live TWS/Gateway port` };
    }
    if (connected !== null && input.configuredAccount !== null && connected !== input.configuredAccount) {
      return { ok: false, code: 'CONFIG.ACCOUNT_MISMATCH', message: `connected account ${connected} differs from configured ${input.configuredAccount}` };
    }
    return { ok: true };
  }
  if (!input.configArmed) {
    return { ok: false, code: 'CONFIG.LIVE_NOT_ARMED', message: "mode is 'live' but live.armed is not true in the config" };
  }
  const envArmed = input.armEnv === true || input.armEnv === '1';
  if (!input.armFlag && !envArmed) {
    return { ok: false, code: 'CONFIG.LIVE_NOT_ARMED', message: "mode is 'live' but the run was not armed: pass --arm-live or set HARVESTER_ARM_LIVE=1" };
  }
  if (input.configuredAccount === null) {
    return { ok: false, code: 'CONFIG.ACCOUNT_MISMATCH', message: "mode is 'live' but account.id is not configured" };
  }
  if (isPaperAccount(input.configuredAccount)) {
    return { ok: false, code: 'CONFIG.ACCOUNT_MISMATCH', message: `mode is 'live' but the configured account ${input.configuredAccount} is a paper account` };
  }
  if (input.port !== undefined && PAPER_PORTS.has(input.port)) {
    return { ok: false, code: 'CONFIG.ACCOUNT_MISMATCH', message: `mode is 'live' but port ${input.port} is a paper TWS/Gateway port` };
  }
  if (connected !== null) {
    if (isPaperAccount(connected)) {
      return { ok: false, code: 'CONFIG.ACCOUNT_MISMATCH', message: `mode is 'live' but the connected account ${connected} is a paper account` };
    }
    if (connected !== input.configuredAccount) {
      return { ok: false, code: 'CONFIG.ACCOUNT_MISMATCH', message: `connected account ${connected} differs from configured ${input.configuredAccount}` };
    }
  }
  return { ok: true };
}

export type RiskSelectionInput = z.input<typeof riskSelection>;

/**
 * Roadmap M9 "controlled live launch (micro-size)": tiny size, strict window, one position at a time, tight daily
 * stops. Use as `risk: microLaunchRiskProfile` (or spread and override) in harvester.config.ts. The instrument list
 * in config is the symbol whitelist.
 */
export const microLaunchRiskProfile: readonly RiskSelectionInput[] = Object.freeze([
  { use: 'session-window', action: 'reject', params: { start: '09:30', end: '11:15' } },
  { use: 'price-sanity', action: 'reject', params: { maxSpreadBps: 20, maxDeviationBps: 50, maxQuoteAgeMs: 3000 } },
  { use: 'risk-per-trade', action: 'reject', params: { riskPct: 0.05 } },
  { use: 'max-order-size', action: 'reject', params: { maxQuantity: 10, maxNotional: 2_000 } },
  { use: 'max-position', action: 'reject', params: { maxShares: 10, maxPositionValue: 2_000 } },
  { use: 'max-open-positions', action: 'reject', params: { max: 1 } },
  { use: 'max-trades-day', action: 'reject', params: { max: 3 } },
  { use: 'max-reentries', action: 'reject', params: { max: 1 } },
  { use: 'cooldown-after-stop', action: 'reject', params: { seconds: 300 } },
  { use: 'max-orders-day', action: 'halt', params: { max: 12 } },
  { use: 'daily-loss', action: 'halt', params: { maxLossPct: 0.25 } },
  { use: 'consecutive-losses', action: 'halt', params: { max: 2 } },
]);
