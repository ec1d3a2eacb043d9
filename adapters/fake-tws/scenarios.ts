/**
 * Named fault scenarios. Each one changes how the server behaves for every connection; tests can also inject the
 * same faults one at a time with `server.inject(...)`.
 */
export const SCENARIOS = {
  normal: 'a well-behaved TWS',
  'no-next-valid-id': 'answers START_API with nothing (the client never leaves its request queue)',
  'socket-close': 'closes the socket after the first request that follows NEXT_VALID_ID',
  silent: 'after NEXT_VALID_ID stops answering but keeps the connection open',
  'upstream-lost': 'sends 1100 once the client is ready',
  'upstream-restored-data-lost': 'sends 1100 then 1101',
  'upstream-restored-data-kept': 'sends 1100 then 1102',
  'farm-flaps': 'sends 2103, 2104, 2105, 2106 once the client is ready',
  'client-id-in-use': 'refuses every connection with 326 and closes it',
  'competing-session': 'answers every market-data request with a burst of 10–20 × 10197 (size from the seed)',
  'pacing-violation': 'answers historical-data requests with 162',
  'no-subscription': 'answers market-data and depth requests with 354',
  'duplicate-executions': 'sends every execution (execDetails) twice with the same execId',
  'exec-before-open-order': 'sends execDetails of a fill before its openOrder/orderStatus',
  'commission-before-exec': 'sends the commissionReport before its execDetails',
  inactive: 'every order goes Inactive instead of working',
  'partial-fills': 'fills every order in halves, one step per market update',
  reject: 'rejects every order with 201 followed by Cancelled',
  'duplicate-order-status': 'sends every orderStatus twice',
  'garbage-frames': 'sends garbage frames (non-numeric id, unknown id 250, empty payload) once the client is ready',
  'oversized-frame': 'sends a frame whose length prefix (0x7FFFFFFF) far exceeds its body once the client is ready',
  'unsupported-version': 'answers the handshake with server version 200 (the client fails with 506)',
  'margin-check': "rejects (201, IB's margin text, then Cancelled) a buy limit whose value exceeds the account's cash",
  'read-only': 'TWS with "Read-Only API" on: every order, cancel and global cancel is answered with 321 (read-only) and nothing else',
  'no-depth-subscription': 'answers every depth request with 354 (quotes and tape flow): an account without TotalView',
  'no-commission': 'never sends a commissionReport (live or replayed): every execution lacks its commission',
  'clock-skew': 'answers currentTime 30 s ahead of its clock (unless clockSkewMs says otherwise)',
} as const;

export type ScenarioName = keyof typeof SCENARIOS;

export function isScenarioName(s: string): s is ScenarioName {
  return Object.prototype.hasOwnProperty.call(SCENARIOS, s);
}

/** TWS texts for the codes the fake emits; texts a real TWS was not seen sending are IB's documented wording. */
export const ERROR_TEXT: Readonly<Record<number, string>> = {
  103: 'Duplicate order id',
  162: 'Historical Market Data Service error message:Historical data request pacing violation',
  200: 'No security definition has been found for the request',
  201: 'Order rejected - reason:',
  202: 'Order Canceled - reason:',
  // The text real TWS sends with Read-Only API on ('bN' is the request's tag).
  321: "Error validating request.-'bN' : cause - The API interface is currently in Read-Only mode.",
  326: 'Unable to connect as the client id is already in use. Retry with a unique client id.',
  354: 'Requested market data is not subscribed.',
  2152: 'Exchanges - Depth: ISLAND; Top: BYX; AMEX; PEARL; MEMX; EDGEA; CHX; IEX; NYSENAT; LTSE; PSX',
  10089: 'Requested market data requires additional subscription for API.',
  10092: 'Deep market data is not supported for this combination of security/exchange',
  10167: 'Requested market data is not subscribed. Displaying delayed market data.',
  1100: 'Connectivity between IB and Trader Workstation has been lost.',
  1101: 'Connectivity between IB and Trader Workstation has been restored - data lost.',
  1102: 'Connectivity between IB and Trader Workstation has been restored - data maintained.',
  2103: 'Market data farm connection is broken:usfarm',
  2104: 'Market data farm connection is OK:usfarm',
  2105: 'HMDS data farm connection is broken:ushmds',
  2106: 'HMDS data farm connection is OK:ushmds',
  2158: 'Sec-def data farm connection is OK:secdefnj',
  10147: 'OrderId that needs to be cancelled is not found.',
  10197: 'No market data during competing live session',
};
