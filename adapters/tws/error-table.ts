/** What an IB error code means for the adapter (ib-adapter-behaviour.md §1). */
export interface ErrorRule {
  action: 'ignore' | 'warn' | 'retry' | 'invalidate-order' | 'hard-fail' | 'connectivity';
  harvesterCode: string;
  severity: 'info' | 'warn' | 'error' | 'fatal';
}

const RULES: Record<number, ErrorRule> = {
  // Connectivity between TWS and IB's servers.
  1100: { action: 'connectivity', harvesterCode: 'BROKER.NOT_CONNECTED', severity: 'error' },
  1101: { action: 'connectivity', harvesterCode: 'BROKER.NOT_CONNECTED', severity: 'warn' },
  1102: { action: 'connectivity', harvesterCode: 'BROKER.NOT_CONNECTED', severity: 'info' },
  2110: { action: 'connectivity', harvesterCode: 'BROKER.NOT_CONNECTED', severity: 'warn' },
  // Farm status notices: informational.
  2103: { action: 'warn', harvesterCode: 'FEED.NOT_CONNECTED', severity: 'warn' },
  2104: { action: 'ignore', harvesterCode: 'FEED.NOT_CONNECTED', severity: 'info' },
  2105: { action: 'warn', harvesterCode: 'FEED.NOT_CONNECTED', severity: 'warn' },
  2106: { action: 'ignore', harvesterCode: 'FEED.NOT_CONNECTED', severity: 'info' },
  2158: { action: 'ignore', harvesterCode: 'FEED.NOT_CONNECTED', severity: 'info' },
  // Session-level failures.
  326: { action: 'hard-fail', harvesterCode: 'BROKER.CLIENT_ID_IN_USE', severity: 'fatal' },
  502: { action: 'hard-fail', harvesterCode: 'BROKER.NOT_CONNECTED', severity: 'fatal' },
  10197: { action: 'warn', harvesterCode: 'FEED.NOT_ENTITLED', severity: 'warn' },
  // Pacing and market-data lines.
  100: { action: 'retry', harvesterCode: 'RISK.PACING', severity: 'error' },
  162: { action: 'retry', harvesterCode: 'RISK.PACING', severity: 'error' },
  420: { action: 'retry', harvesterCode: 'RISK.PACING', severity: 'error' },
  101: { action: 'warn', harvesterCode: 'FEED.LINE_BUDGET_EXCEEDED', severity: 'error' },
  10090: { action: 'warn', harvesterCode: 'FEED.NOT_ENTITLED', severity: 'warn' },
  354: { action: 'warn', harvesterCode: 'FEED.NOT_ENTITLED', severity: 'error' },
  200: { action: 'warn', harvesterCode: 'ORDER.UNKNOWN_INSTRUMENT', severity: 'error' },
  // Orders.
  201: { action: 'invalidate-order', harvesterCode: 'ORDER.REJECTED', severity: 'warn' },
  202: { action: 'ignore', harvesterCode: 'ORDER.REJECTED', severity: 'info' },
  103: { action: 'invalidate-order', harvesterCode: 'ORDER.DUPLICATE_ID', severity: 'error' },
  10147: { action: 'warn', harvesterCode: 'ORDER.NOT_FOUND', severity: 'warn' },
  10148: { action: 'warn', harvesterCode: 'ORDER.NOT_OPEN', severity: 'warn' },
};

export function ruleFor(code: number): ErrorRule {
  return RULES[code] ?? (code >= 2100 && code < 2200
    ? { action: 'warn', harvesterCode: 'BROKER.NOT_CONNECTED', severity: 'info' }
    : { action: 'warn', harvesterCode: 'BROKER.NOT_CONNECTED', severity: 'error' });
}
