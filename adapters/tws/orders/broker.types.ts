import type { Micros, Money, Price } from '../../../core/domain/units.js';
import type { Clock } from '../../../ports/clock.js';
import type { TwsConnection } from '../connection/connection.js';
import type { TwsContracts } from '../mapping/contracts.js';
import type { TwsIdJournal } from './id-journal.js';
import type { TwsOutboundPacer } from '../connection/outbound-pacer.js';

/** What TwsBrokerAdapter is built from (the manifest in index.ts wires these from config). */
export interface TwsBrokerOptions {
  connection: TwsConnection;
  clock: Clock;
  /** The account from config; must be among TWS's managed accounts. */
  account: string | null;
  startEquity: Money;
  clientId?: number;
  /** Deadline of each reconciliation query (openOrderEnd, execDetailsEnd, positionEnd); default 15 s. */
  reconcileDeadlineMs?: number;
  /** Executions are reconciled from here on; default: the first connect. */
  sessionStart?: Micros;
  /** T_ack: silence after a placement this long makes the order "unknown, reconcile"; default 5 s (docs/tws-adapter.md#timeouts). */
  ackTimeoutMs?: number;
  /** T_park: how long a commission waits for its execution before it is reported orphaned; default 60 s (docs/tws-adapter.md#fills). */
  parkTimeoutMs?: number;
  /** The configured tick of an instrument (Price units); without one, the US-stock tick rule applies. */
  tickOf?: (symbol: string) => Price | undefined;
  /**
   * coid ↔ orderId ↔ permId ↔ orderRef, kept across restarts (docs/tws-adapter.md#id-journal); default: in memory, for this adapter only.
   */
  ids?: TwsIdJournal;
  /** The connection's qualification cache (shared with the feed): no placement before its symbol has a conId. */
  contracts?: TwsContracts;
  /** Period of the reconciliation pass while Connected (positions, orders, executions, account); default 60 s; 0 = off. */
  reconcileIntervalMs?: number;
  /** A fill whose commission report has not come after this long is a `commission-missing` anomaly; default 60 s. */
  commissionTimeoutMs?: number;
  /** Clock-skew bands (|venue − local|, ms): warn above `warnMs`, SAFE_MODE above `safeModeMs`; default 2 s / 5 s. */
  clockSkew?: { warnMs: number; safeModeMs: number };
  /** The connection's outbound pacer (shared with the contract requests); default: one of its own on the Clock. */
  pacer?: TwsOutboundPacer;
  /**
   * Before trading is allowed, ask TWS once whether its API is read-only: a cancel of an order id never used, which
   * TWS answers 10147 (orders allowed) or 321 read-only. Default true; the probe waits at most readOnlyProbeMs.
   */
  readOnlyProbe?: boolean;
  readOnlyProbeMs?: number;
}
