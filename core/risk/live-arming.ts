import type { z } from 'zod';
import type { riskSelection } from '../config/root-schema.js';
import type { RunMode } from './start-gates.js';

/** A selected adapter that connects to a real venue (TWS / IB Gateway), with the port it will dial. */
export interface VenueUse {
  /** Config path of the selection: 'broker' or 'marketData'. */
  path: string;
  /** Adapter id, e.g. 'tws'. */
  adapter: string;
  port: number;
}

export interface LiveArmingInput {
  mode: RunMode;
  /** `live.armed` in config. */
  configArmed: boolean;
  /** `--arm-live` was passed (read from argv before any config code ran). */
  armFlag: boolean;
  /** HARVESTER_ARM_LIVE as it was before any config code ran: the raw env value ('1' arms) or a boolean. */
  armEnv?: string | boolean | undefined;
  configuredAccount: string | null;
  /**
   * The account the broker reported once connected. `undefined`: not connected yet (the pre-connect check);
   * `null` or '': connected, but the venue named no account, which never gets an order.
   */
  connectedAccount?: string | null;
  /** Adapters that talk to a venue. Empty or absent: the session never leaves the process. */
  venues?: readonly VenueUse[];
  /** Shorthand for one broker venue on this port (kept for callers that know only the port). */
  port?: number;
}

export type LiveArmingCode = 'CONFIG.LIVE_NOT_ARMED' | 'CONFIG.ACCOUNT_MISMATCH' | 'CONFIG.ACCOUNT_MISSING' | 'CONFIG.PORT_MISMATCH';
export type LiveArmingResult = { ok: true } | { ok: false; code: LiveArmingCode; message: string };

/** IB paper-trading account ids start with 'D' (DU…, DF…); live ones with U, F, I… */
export function isPaperAccount(account: string): boolean {
  return /^D/i.test(account);
}

/** Well-known TWS (7496/7497) and IB Gateway (4001/4002) API ports. */
const LIVE_PORTS: ReadonlySet<number> = new Set([7496, 4001]);
const PAPER_PORTS: ReadonlySet<number> = new Set([7497, 4002]);

const fail = (code: LiveArmingCode, message: string): LiveArmingResult => ({ ok: false, code, message });

/**
 * Live trading never happens by accident (README "Safety"). The rules follow what the session talks to, not only
 * the mode it claims:
 * - a session whose broker or feed talks to a venue (TWS) in mode 'paper' needs a configured paper account, no
 *   venue on a live port, and, once connected, that same account reported by the venue;
 * - every other session that talks to a venue ('live', and 'replay'/'sim-live' pointed at TWS) follows the live
 *   rules: `live.armed: true` AND `--arm-live` or HARVESTER_ARM_LIVE=1, a configured live account, no venue on a
 *   paper port, and once connected the same account;
 * - mode 'live' follows the live rules even without a venue; replay and sim-live without a venue always pass.
 * Messages name the setting to fix and never the account id itself (it is redacted everywhere).
 */
export function checkLiveArming(input: LiveArmingInput): LiveArmingResult {
  const { mode } = input;
  const venues: readonly VenueUse[] =
    input.venues ?? (input.port === undefined ? [] : [{ path: 'broker', adapter: 'venue', port: input.port }]);
  const simulatedMode = mode === 'replay' || mode === 'sim-live';
  if (simulatedMode && venues.length === 0) return { ok: true };
  const where = venues.map((v) => `${v.path} '${v.adapter}' (port ${v.port})`).join(' and ');
  const postConnect = input.connectedAccount !== undefined;
  const connected = input.connectedAccount ?? null;
  const configured = input.configuredAccount;

  if (mode === 'paper') {
    if (venues.length > 0 && configured === null) {
      return fail(
        'CONFIG.ACCOUNT_MISSING',
        `mode is 'paper' and ${where} talks to TWS, but account.id is not set: set account: { id: ` +
          `env('TWS_ACCOUNT') } to your paper account (DU…), so a live account is never traded by mistake`,
      );
    }
    if (configured !== null && !isPaperAccount(configured)) {
      return fail(
        'CONFIG.ACCOUNT_MISMATCH',
        "mode is 'paper' but account.id is a live account (paper ids start with " +
          "D): point account.id at the paper account, or use mode 'live' with arming",
      );
    }
    for (const v of venues) {
      if (LIVE_PORTS.has(v.port))
        return fail(
          'CONFIG.PORT_MISMATCH',
          `mode is 'paper' but ${v.path}.params.port ${v.port} is a live TWS/Gateway port: use the paper port (7497 TWS, 4002 Gateway)`,
        );
    }
    return checkConnected(postConnect, connected, configured, venues.length > 0, 'paper');
  }

  const label = simulatedMode
    ? `mode is '${mode}' but ${where} talks to TWS, so the live rules apply (use mode 'paper' with a paper account, or arm live)`
    : "mode is 'live'";
  if (!input.configArmed) return fail('CONFIG.LIVE_NOT_ARMED', `${label}: live.armed is not true in the config`);
  const envArmed = input.armEnv === true || input.armEnv === '1';
  if (!input.armFlag && !envArmed)
    return fail(
      'CONFIG.LIVE_NOT_ARMED',
      `${label}: the run was not armed: pass --arm-live or set HARVESTER_ARM_LIVE=1 in the environment that starts harvester`,
    );
  if (configured === null)
    return fail('CONFIG.ACCOUNT_MISSING', `${label}: account.id is not set: set account: { id: env('TWS_ACCOUNT') } to the live account`);
  if (isPaperAccount(configured))
    return fail('CONFIG.ACCOUNT_MISMATCH', `${label}: account.id is a paper account (it starts with D): use mode 'paper' for it`);
  for (const v of venues) {
    if (PAPER_PORTS.has(v.port))
      return fail(
        'CONFIG.PORT_MISMATCH',
        `${label}: ${v.path}.params.port ${v.port} is a paper TWS/Gateway port: use the live port (7496 TWS, 4001 Gateway) or mode 'paper'`,
      );
  }
  return checkConnected(postConnect, connected, configured, true, 'live');
}

function checkConnected(
  postConnect: boolean,
  connected: string | null,
  configured: string | null,
  venue: boolean,
  kind: 'paper' | 'live',
): LiveArmingResult {
  if (!postConnect) return { ok: true };
  if (connected === null || connected === '') {
    return venue
      ? fail(
          'CONFIG.ACCOUNT_MISMATCH',
          'the broker reported no account once connected: no order goes to an unnamed account; check the TWS login',
        )
      : { ok: true };
  }
  if (kind === 'paper' && !isPaperAccount(connected)) {
    return fail(
      'CONFIG.ACCOUNT_MISMATCH',
      "mode is 'paper' but the connected TWS session is logged in to a live account: log TWS in to the paper account",
    );
  }
  if (kind === 'live' && isPaperAccount(connected)) {
    return fail('CONFIG.ACCOUNT_MISMATCH', "mode is 'live' but the connected TWS session is logged in to a paper account");
  }
  if (configured !== null && connected !== configured) {
    return fail(
      'CONFIG.ACCOUNT_MISMATCH',
      'the connected account differs from account.id: log TWS in to the configured account or fix account.id',
    );
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
