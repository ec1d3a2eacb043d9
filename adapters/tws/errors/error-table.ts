import type { ErrorCode } from '../../../core/errors/error-codes.js';

/**
 * What an IB error code means for the adapter (docs/tws-adapter.md#error-policy). The table is data, not scattered `if`s,
 * so a reviewer can read the whole policy in one place.
 *
 * - `ignore`: logged at most; no event.
 * - `warn`: a `broker.error` (warn/info/error severity), throttled per code when it repeats.
 * - `retry`: transient (pacing, socket errors while reconnecting): the owner retries; surfaced as `broker.error`.
 * - `invalidate-order`: on a live order id, the order is rejected (definitive venue answer).
 * - `hard-fail`: a fatal `broker.error`; the kernel's auto-triggers halt trading on it (core/risk/auto-triggers.ts).
 * - `connectivity`: drives the connection state machine (1100/1101/1102/2110/1300).
 */
export type ErrorAction = 'ignore' | 'warn' | 'retry' | 'invalidate-order' | 'hard-fail' | 'connectivity';

/** What an error does to the registered request whose id it carries. */
export type RequestEffect = 'fail' | 'retry' | 'keep' | 'empty';

export interface ErrorRule {
  action: ErrorAction;
  harvesterCode: ErrorCode;
  severity: 'info' | 'warn' | 'error' | 'fatal';
  request: RequestEffect;
  /** Repeats of this code within the window fold into one `broker.error` (warn and info only); 0 = never fold. */
  throttleMs: number;
  /** A hard-fail that also ends the session: reconnecting cannot help (e.g. TWS too old). */
  halt?: boolean;
}

const MINUTE = 60_000;

function rule(
  action: ErrorAction,
  harvesterCode: ErrorCode,
  severity: ErrorRule['severity'],
  request: RequestEffect = 'keep',
  throttleMs = 0,
  halt = false,
): ErrorRule {
  return halt ? { action, harvesterCode, severity, request, throttleMs, halt } : { action, harvesterCode, severity, request, throttleMs };
}

const RULES: Readonly<Record<number, ErrorRule>> = {
  // Upstream (TWS ↔ IB) connectivity: the socket stays up. 1100 repeats many times in a nightly reset.
  // The state change (Degraded) is the signal; the repeats are folded so a reset does not flood operators.
  1100: rule('connectivity', 'BROKER.NOT_CONNECTED', 'warn', 'keep', MINUTE),
  2110: rule('connectivity', 'BROKER.NOT_CONNECTED', 'warn', 'keep', MINUTE),
  1101: rule('connectivity', 'BROKER.NOT_CONNECTED', 'warn'),
  1102: rule('connectivity', 'BROKER.NOT_CONNECTED', 'info'),
  // The socket port was reset: only a new socket helps.
  1300: rule('connectivity', 'BROKER.NOT_CONNECTED', 'error'),
  // Farm notices affect data only, never the order channel (nautilus PR #4412: tearing down on 2103 caused 326 loops).
  2103: rule('warn', 'FEED.NOT_CONNECTED', 'warn', 'keep', MINUTE),
  2105: rule('warn', 'FEED.NOT_CONNECTED', 'warn', 'keep', MINUTE),
  2157: rule('warn', 'FEED.NOT_CONNECTED', 'warn', 'keep', MINUTE),
  2104: rule('ignore', 'FEED.NOT_CONNECTED', 'info'),
  2106: rule('ignore', 'FEED.NOT_CONNECTED', 'info'),
  2107: rule('ignore', 'FEED.NOT_CONNECTED', 'info'),
  2108: rule('ignore', 'FEED.NOT_CONNECTED', 'info'),
  2119: rule('ignore', 'FEED.NOT_CONNECTED', 'info'),
  2158: rule('ignore', 'FEED.NOT_CONNECTED', 'info'),
  // Client-side codes from @stoqey/ib. 502 comes with every socket error, including each refused reconnect attempt:
  // the reconnect ladder handles it, so it must not read as fatal.
  326: rule('retry', 'BROKER.CLIENT_ID_IN_USE', 'error'),
  502: rule('retry', 'BROKER.NOT_CONNECTED', 'warn', 'keep', MINUTE),
  503: rule('hard-fail', 'BROKER.NOT_CONNECTED', 'fatal', 'fail', 0, true),
  504: rule('warn', 'BROKER.NOT_CONNECTED', 'warn', 'fail', MINUTE),
  505: rule('warn', 'DATA.MALFORMED_LINE', 'warn', 'keep', MINUTE),
  506: rule('retry', 'BROKER.NOT_CONNECTED', 'error'),
  507: rule('retry', 'BROKER.NOT_CONNECTED', 'warn', 'keep', MINUTE),
  // 100: TWS will likely disconnect us; it means the outbound pacing is broken, which must stop trading.
  100: rule('hard-fail', 'RISK.PACING', 'fatal'),
  // 162: historical data service errors; the text carries the subtype (requestEffect). 165 is a note on a running
  // request, 166 (expired contract) ends it.
  162: rule('retry', 'RISK.PACING', 'error', 'retry'),
  165: rule('ignore', 'FEED.HISTORICAL_FAILED', 'info'),
  166: rule('warn', 'FEED.HISTORICAL_FAILED', 'warn', 'fail'),
  420: rule('retry', 'RISK.PACING', 'error', 'retry'),
  // Market-data lines and entitlements.
  101: rule('warn', 'FEED.LINE_BUDGET_EXCEEDED', 'error', 'fail'),
  309: rule('warn', 'FEED.LINE_BUDGET_EXCEEDED', 'error', 'fail'),
  354: rule('warn', 'FEED.NOT_ENTITLED', 'error', 'fail'),
  10089: rule('warn', 'FEED.NOT_ENTITLED', 'error', 'fail'),
  10168: rule('warn', 'FEED.NOT_ENTITLED', 'error', 'fail'),
  10186: rule('warn', 'FEED.NOT_ENTITLED', 'error', 'fail'),
  10189: rule('warn', 'FEED.NOT_ENTITLED', 'error', 'fail'),
  10092: rule('warn', 'FEED.NOT_ENTITLED', 'error', 'fail'),
  10090: rule('warn', 'FEED.NOT_ENTITLED', 'warn', 'keep', MINUTE),
  10167: rule('warn', 'FEED.NOT_ENTITLED', 'warn', 'keep', MINUTE),
  // A competing live session: arrives in bursts of 10–20; LEAN warns at most once per 15 minutes (PR #212).
  10197: rule('warn', 'FEED.NOT_ENTITLED', 'warn', 'keep', 15 * MINUTE),
  102: rule('warn', 'BROKER.REQUEST_FAILED', 'error', 'fail'),
  316: rule('warn', 'FEED.NOT_CONNECTED', 'warn', 'keep', MINUTE),
  317: rule('warn', 'FEED.NOT_CONNECTED', 'info', 'keep', MINUTE),
  // Late answers for ids already cancelled or completed.
  300: rule('ignore', 'BROKER.REQUEST_FAILED', 'info'),
  366: rule('ignore', 'BROKER.REQUEST_FAILED', 'info'),
  // Orders: definitive refusals.
  200: rule('invalidate-order', 'ORDER.UNKNOWN_INSTRUMENT', 'error', 'fail'),
  201: rule('invalidate-order', 'ORDER.REJECTED', 'warn', 'fail'),
  203: rule('invalidate-order', 'ORDER.REJECTED', 'warn', 'fail'),
  321: rule('invalidate-order', 'ORDER.REJECTED', 'warn', 'fail'),
  434: rule('invalidate-order', 'ORDER.INVALID_QUANTITY', 'warn', 'fail'),
  460: rule('invalidate-order', 'ORDER.REJECTED', 'error', 'fail'),
  110: rule('invalidate-order', 'ORDER.INVALID_PRICE', 'warn', 'fail'),
  401: rule('invalidate-order', 'ORDER.INVALID_REF', 'warn', 'fail'),
  10006: rule('invalidate-order', 'ORDER.REJECTED', 'warn', 'fail'),
  103: rule('invalidate-order', 'ORDER.DUPLICATE_ID', 'error', 'fail'),
  // Orders: the order stays as it is at TWS.
  202: rule('ignore', 'ORDER.REJECTED', 'info'),
  399: rule('warn', 'ORDER.REJECTED', 'info', 'keep', MINUTE),
  404: rule('warn', 'ORDER.REJECTED', 'info', 'keep', MINUTE),
  2109: rule('warn', 'ORDER.REJECTED', 'info', 'keep', MINUTE),
  104: rule('warn', 'ORDER.ALREADY_FILLED', 'warn'),
  105: rule('warn', 'ORDER.MODIFY_IN_PROGRESS', 'warn'),
  2102: rule('warn', 'ORDER.MODIFY_IN_PROGRESS', 'warn'),
  10147: rule('warn', 'ORDER.NOT_FOUND', 'warn'),
  10148: rule('warn', 'ORDER.NOT_OPEN', 'warn'),
  161: rule('warn', 'ORDER.NOT_OPEN', 'warn'),
  320: rule('warn', 'BROKER.REQUEST_FAILED', 'error', 'fail'),
  322: rule('warn', 'BROKER.REQUEST_FAILED', 'error', 'fail'),
  10328: rule('warn', 'ORDER.UNKNOWN', 'error'),
};

const FARM_DEFAULT = rule('warn', 'BROKER.NOT_CONNECTED', 'info', 'keep', MINUTE);
const DEFAULT = rule('warn', 'BROKER.REQUEST_FAILED', 'error', 'fail', MINUTE);

export function ruleFor(code: number): ErrorRule {
  return RULES[code] ?? (code >= 2100 && code < 2200 ? FARM_DEFAULT : DEFAULT);
}

/**
 * The effect on a request, refined by the text where IB reuses one code for several meanings (docs/tws-adapter.md#error-policy: 162 carries
 * a subtype: "pacing violation" retries, "no data" is an empty result, anything else fails).
 */
export function requestEffect(code: number, message: string): RequestEffect {
  if (code === 162) {
    const text = message.toLowerCase();
    if (text.includes('returned no data')) return 'empty';
    if (text.includes('pacing violation')) return 'retry';
    if (text.includes('query cancelled')) return 'keep';
    return 'fail';
  }
  return ruleFor(code).request;
}
