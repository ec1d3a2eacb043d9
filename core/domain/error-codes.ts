/**
 * Stable `AREA.REASON` codes. They survive JSON and SQLite, so tests, dashboards and the conformance kit match on
 * codes, never on message text. Adding a code is fine; renaming one is a breaking change.
 *
 * The same catalogue types the value codes of the ports (risk reasons, broker rejects, feed refusals), so a code
 * outside it does not compile; `test/unit/error-codes.spec.ts` checks that every catalogue code is used somewhere.
 */
export const ErrorCodes = {
  CONFIG: [
    'INVALID',
    'NOT_FOUND',
    'LOAD_FAILED',
    'ENV_MISSING',
    'LIVE_NOT_ARMED',
    'ACCOUNT_MISMATCH',
    'ACCOUNT_MISSING',
    'PORT_MISMATCH',
    'RISK_FLOOR',
    'NO_INSTRUMENTS',
  ],
  PLUGIN: ['UNKNOWN_ID', 'DUPLICATE_ID', 'API_VERSION', 'INVALID_PARAMS', 'LOAD_FAILED', 'START_FAILED', 'LISTENER_THREW', 'WRONG_KIND'],
  BROKER: [
    'NOT_CONNECTED',
    'AUTH_FAILED',
    'CONNECT_TIMEOUT',
    'UNSUPPORTED_ORDER_TYPE',
    'MODIFY_UNSUPPORTED',
    'DISPOSED',
    'CLIENT_ID_IN_USE',
    'REQUEST_TIMEOUT',
    'REQUEST_FAILED',
    'RECONCILE_FAILED',
    'RESET_WINDOW_OVERRUN',
    'RECONNECT_EXHAUSTED',
    'READ_ONLY',
  ],
  ORDER: [
    'INVALID_QUANTITY',
    'INVALID_PRICE',
    'INVALID_REF',
    'DUPLICATE_ID',
    'UNKNOWN_INSTRUMENT',
    'REJECTED',
    'NOT_OPEN',
    'UNKNOWN',
    'NOT_FOUND',
    'ALREADY_FILLED',
    'MODIFY_IN_PROGRESS',
    'CANCEL_UNCONFIRMED',
    'MODIFY_UNCONFIRMED',
    'CANCELLED',
  ],
  FEED: [
    'LINE_BUDGET_EXCEEDED',
    'UNKNOWN_SYMBOL',
    'NOT_ENTITLED',
    'NOT_CONNECTED',
    'SUBSCRIPTION_FAILED',
    'PACING',
    'INVALID_REQUEST',
    'REQUEST_TIMEOUT',
    'HISTORICAL_FAILED',
  ],
  RISK: [
    'DAILY_LOSS',
    'CONSECUTIVE_LOSSES',
    'MAX_OPEN_POSITIONS',
    'MAX_TRADES_DAY',
    'RISK_PER_TRADE',
    'INVALID_STOP',
    'MAX_SHARES',
    'MAX_POSITION_VALUE',
    'MAX_REENTRIES',
    'COOLDOWN',
    'OUTSIDE_WINDOW',
    'STALE_DATA',
    'BROKER_NOT_READY',
    'DATA_PREREQUISITES',
    'SAFE_MODE',
    'HALTED',
    'RECONNECT_LOOP',
    'OUTAGE',
    'REPEATED_REJECTS',
    'PACING',
    'LINE_BUDGET',
    'POLICY_ERROR',
    'MAX_ORDER_NOTIONAL',
    'MAX_ORDER_QUANTITY',
    'MAX_ORDERS_DAY',
    'SPREAD',
    'PRICE_SANITY',
    'SYMBOL_PAUSED',
    'PAUSED',
    'SYMBOL_NOT_LISTED',
    'MODE_MISMATCH',
    'EXIT_EXCEEDS_POSITION',
    'ACCOUNT_MISMATCH',
    'LEARNING_UNSTABLE',
    'PLUGIN_FAILING',
    'CARRIED_OVER',
    'CLOCK_SKEW',
    'ACCOUNT_DISCREPANCY',
    'BUYING_POWER',
    'CLOSE_FAILED',
    'OVERFILL',
    'UNTRUSTED_FILL',
    // A policy's own limit that no code above names (a plugin's custom check, the conformance kit's deny-all).
    'DENIED',
  ],
  LEARNER: [
    'FEATURE_MISMATCH',
    'INVALID_FEATURE',
    'TOO_FEW_SAMPLES',
    'DEGENERATE_LABELS',
    'FORMAT_UNSUPPORTED',
    'LOOKAHEAD',
    'INVALID_PARAMS',
  ],
  MEMORY: [
    'CHECKSUM_MISMATCH',
    'SCHEMA_UNSUPPORTED',
    'WRITE_FAILED',
    'UNKNOWN_VERSION',
    'VERSION_QUARANTINED',
    'NO_PREVIOUS_VERSION',
    'VERSION_REJECTED',
    'NOT_A_CANDIDATE',
    'REBUILD_MISMATCH',
  ],
  DATA: ['MALFORMED_LINE', 'CORRUPT_BLOCK', 'UNSUPPORTED_FORMAT', 'TRUNCATED', 'NOT_FOUND'],
  STORE: ['URL_INVALID', 'OPEN_FAILED', 'MIGRATION_FAILED', 'COMMIT_FAILED', 'CLOSED', 'SESSION_EXISTS'],
  ENGINE: ['INVARIANT', 'NOT_STARTED'],
} as const;

type Codes = typeof ErrorCodes;
export type ErrorArea = keyof Codes;
/** Every valid code, e.g. `'BROKER.NOT_CONNECTED'`. */
export type ErrorCode = { [A in ErrorArea]: `${A}.${Codes[A][number]}` }[ErrorArea];
/**
 * The codes a risk reason may carry (`RiskReason.code`): the RISK area, and the malformed-quantity refusal the risk
 * gate makes before asking any policy (core/risk/risk-gate.ts).
 */
export type RiskCode = Extract<ErrorCode, `RISK.${string}`> | 'ORDER.INVALID_QUANTITY';

export function isErrorCode(value: string): value is ErrorCode {
  const [area, reason] = value.split('.');
  const list = (ErrorCodes as Record<string, readonly string[]>)[area ?? ''];
  return list !== undefined && reason !== undefined && list.includes(reason);
}
