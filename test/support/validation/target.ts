import type { FakeTwsOptions, FakeTwsServer } from '../../../adapters/fake-tws/index.js';
import type { ResetWindow } from '../../../adapters/tws/connection/reset-windows.js';

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
  /**
   * The adapter's IB reset windows; omitted = its defaults (IB's published schedule, which a paper account obeys).
   * The fake TWS has no scheduled resets: with the defaults, the reconnect scenarios waited out the weekend window
   * on a Saturday and failed by the day of the week (tws-reset-window.spec.ts tests the windows themselves).
   */
  resetWindows?: readonly ResetWindow[];
  fake?: FakeControl;
}
