import type { ErrorCode } from '../../../core/errors/error-codes.js';
import type { HarvesterError } from '../../../core/errors/harvester-error.js';
import type { ConnectionState } from '../../../ports/broker-adapter.js';
import type { Clock } from '../../../ports/clock.js';
import type { ResetWindow } from './reset-windows.js';
import type { FrameFault } from './frame-guard.js';

export interface TwsConnectionOptions {
  host: string;
  port: number;
  clientId: number;
  clock: Clock;
  connectTimeoutMs: number;
  /** Reconnect ladder (ms); ±20 % seeded jitter; attempts past the end repeat the last step. */
  backoffMs: readonly number[];
  jitter: () => number;
  /** Attempts outside reset windows before escalating; default 10. */
  maxReconnectAttempts?: number;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  heartbeatMisses?: number;
  resetWindows?: readonly ResetWindow[];
  /** Retry and check period while down inside a reset window; default 60 s. */
  resetRetryMs?: number;
  /** Sync (reconciliation) passes per link before the link is treated as unusable; default 3, spaced syncRetryMs. */
  syncAttempts?: number;
  syncRetryMs?: number;
  /** Malformed inbound frames within badFrameWindowMs that mean a broken link (reconnect); default 5 in 10 s. */
  badFrameLimit?: number;
  badFrameWindowMs?: number;
}

/** Inbound frames dropped before decoding (connection/frame-guard.ts): the first on a link, and the one that broke it. */
export interface FrameReport {
  fault: FrameFault;
  detail: string;
  /** Frames dropped since the connection was created. */
  dropped: number;
  /** The link is treated as broken (lost framing, or a burst): it reconnects. */
  broken: boolean;
}

export type SyncTrigger = 'connect' | 'reconnect' | 'restored';
/** 'ok': trading may resume; 'retry': not yet (e.g. a query timed out); an error: fatal, stop for good. */
export type SyncVerdict = 'ok' | 'retry' | HarvesterError;
/** How the link came (back): a new socket, or IB upstream restored with data lost (1101) or kept (1102). */
export type LinkUp = 'connect' | 'reconnect' | 'data-lost' | 'data-kept';
export type CodeRoute = 'system' | 'request' | 'late' | 'none';

export interface ConnectionNotice {
  code: number;
  harvesterCode: ErrorCode;
  severity: 'info' | 'warn' | 'error' | 'fatal';
  message: string;
}

export interface ConnectionEvents {
  state: (from: ConnectionState, to: ConnectionState, reason: string) => void;
  /** Every IB error/info code, after the registry has had its turn (`route`). */
  code: (code: number, reqId: number, message: string, route: CodeRoute) => void;
  /** The link is usable for requests again: streams re-request (except on data-kept), before reconciliation. */
  restored: (kind: LinkUp) => void;
  /** The link was lost (socket closed, heartbeat missed): streams are interrupted. */
  interrupted: (reason: string) => void;
  /** Adapter-level conditions (reset-window quiet warnings, escalations), for `broker.error`. */
  notice: (notice: ConnectionNotice) => void;
  /** Malformed inbound frames were dropped (reported once per link, and when they break it). */
  frames: (report: FrameReport) => void;
  /** A heartbeat was answered: the measured skew (venue − local receive time, µs). */
  heartbeat: (skewUs: number) => void;
}
