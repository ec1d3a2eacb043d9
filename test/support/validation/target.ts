import type { FakeTwsOptions, FakeTwsServer } from '../../../adapters/fake-tws/index.js';

/** Timings a scenario uses; the fake runs them short, a paper TWS near the adapter's defaults. */
export interface ValidationTiming {
  /** Longest wait for a venue answer (a fill, an acknowledgement, a reconnect). */
  waitMs: number;
  /** How long the stream-quality scenario watches the stream (docs/live-validation-runbook.md: 60 s against a paper account). */
  streamWindowMs: number;
  /** Quotes the stream must deliver within the window. */
  streamMinQuotes: number;
  /** Feed silence before a line is stale (the adapter's `staleMs`). */
  staleMs: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  backoffMs: number[];
  /** How long the memory scenario streams, and how many events it expects to see at least. */
  soakMs: number;
  soakMinEvents: number;
}

/** Faults and market control only the fake TWS offers; a paper target has none (those scenarios are pending there). */
export interface FakeControl {
  readonly server: FakeTwsServer;
  /** Starts another fake TWS with the suite's accounts and contracts plus `options` (stopped after the scenario). */
  spawn(options?: Partial<FakeTwsOptions>): Promise<FakeTwsServer>;
  /** Stops (true) or restarts the fake's market maker on `server`. */
  quiet(on: boolean): void;
  /** One quote + depth + trade for `symbol` on `server`, at `mid` dollars (default: the suite's price). */
  tick(server: FakeTwsServer, symbol: string, mid?: number): void;
}

export interface ValidationTarget {
  name: 'fake-tws' | 'paper-tws';
  host: string;
  port: number;
  /** A fixed client id for the suite; scenarios that need their own connection use clientId + 1, + 2, … */
  clientId: number;
  /** The paper account (from the environment on a paper run, never from source). */
  account: string;
  /** Three liquid symbols, the first the main one (docs/live-validation-runbook.md: SPY, QQQ, IWM). */
  symbols: readonly [string, string, string];
  /** A symbol TWS does not know (error 200). */
  unknownSymbol: string;
  /** Where the adapter's id journal lives. */
  dataDir: string;
  /** Where the result table is written (default var/validation-report). */
  reportDir?: string;
  timing: ValidationTiming;
  fake?: FakeControl;
}

/**
 * The adapter params every connection of a validation run shares, for the venue and for the engine session alike.
 * The fake TWS has no scheduled resets, so it gets no reset windows: with the adapter's defaults, read off the wall
 * clock, the reconnect scenarios waited out IB's weekend window on a Saturday instead of redialling, and failed by
 * the day of the week (tws-reset-window.spec.ts tests the windows themselves). A paper account keeps IB's schedule.
 */
export function sharedAdapterParams(t: ValidationTarget): Record<string, unknown> {
  return {
    backoffMs: t.timing.backoffMs,
    heartbeatIntervalMs: t.timing.heartbeatIntervalMs,
    heartbeatTimeoutMs: t.timing.heartbeatTimeoutMs,
    staleMs: t.timing.staleMs,
    syncRetryMs: 200,
    ...(t.name === 'fake-tws' ? { resetWindows: [] } : {}),
  };
}
