import { z } from 'zod';
import { DEFAULT_RESET_WINDOWS, resetWindowSchema } from './connection/reset-windows.js';

/** The `tws` adapter's params (zod): what a config may set, with the defaults the adapter documents (docs/tws-adapter.md). */
export const twsParams = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    /** TWS/Gateway API port; no default on purpose (7497/4002 paper and 7496/4001 live are conventions). */
    port: z.number().int().min(1).max(65_535),
    /** A fixed client id per process (IB allows one connection per id; 326 otherwise). */
    clientId: z.number().int().min(0),
    /** Name of the environment variable that holds the account id; defaults to the config's account.id. */
    accountEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    connectTimeoutMs: z.number().int().positive().default(10_000),
    /**
     * Reconnect ladder (ms), ±20 % seeded jitter; the last step repeats up to maxReconnectAttempts (docs/tws-adapter.md#reconnect-ladder).
     */
    backoffMs: z.array(z.number().int().positive()).min(1).default([2_500, 5_000, 10_000, 20_000, 40_000, 60_000]),
    maxReconnectAttempts: z.number().int().min(1).default(12),
    /**
     * reqCurrentTime probe period, per-probe deadline, and consecutive misses that mean the socket is dead (docs/tws-adapter.md#heartbeat).
     */
    heartbeatIntervalMs: z.number().int().positive().default(10_000),
    heartbeatTimeoutMs: z.number().int().positive().default(5_000),
    heartbeatMisses: z.number().int().min(1).default(2),
    /** IB reset windows in New York time; disconnects inside one are expected, still being down at its end escalates. */
    resetWindows: z.array(resetWindowSchema).default(() => DEFAULT_RESET_WINDOWS.map((w) => resetWindowSchema.parse(w))),
    resetRetryMs: z.number().int().positive().default(60_000),
    /** Deadline of each reconciliation query; passes per link before the link is treated as unusable. */
    reconcileDeadlineMs: z.number().int().positive().default(15_000),
    /** Periodic reconciliation while Connected (the broker wins; discrepancies journaled); 0 turns it off. */
    reconcileIntervalMs: z.number().int().min(0).default(60_000),
    /** A fill whose commission report has not come after this long raises `commission-missing`. */
    commissionTimeoutMs: z.number().int().positive().default(60_000),
    /** Clock skew |TWS − local| from the heartbeat: warn above, SAFE_MODE above the larger one (whole seconds from TWS). */
    clockSkewWarnMs: z.number().int().positive().default(2_000),
    clockSkewSafeModeMs: z.number().int().positive().default(5_000),
    /** T_ack: a placement TWS has not acknowledged after this long becomes "unknown, reconcile" (docs/tws-adapter.md#timeouts). */
    ackTimeoutMs: z.number().int().positive().default(5_000),
    /**
     * Minimum spacing of order messages and contract requests (the outbound pacer; cancels first, then exits and
     * modifies, then entries). 30 ms ≈ 33/s: under TWS's 50/s, and under @stoqey/ib's own 40/s FIFO with room left for
     * the heartbeat and data requests, so that FIFO never holds a cancel back.
     */
    outboundIntervalMs: z.number().min(25).default(30),
    syncAttempts: z.number().int().min(1).default(3),
    syncRetryMs: z.number().int().positive().default(2_000),
    lineBudget: z.number().int().positive().default(100),
    depthBudget: z.number().int().positive().default(3),
    /** What the account allows (IB: from equity, commissions and quote boosters); the budgets above must fit in it. */
    accountLines: z.number().int().positive().default(100),
    accountDepth: z.number().int().positive().default(3),
    /** Startup data check: each line's first data within this long of its request, or entries in its symbol wait; 0 = off. */
    entitlementDeadlineMs: z.number().int().min(0).default(15_000),
    /** Feed quality: silence before a line is stale; crossed depth batches, and depth anomalies within the window, before a resync. */
    staleMs: z.number().int().positive().default(5_000),
    /** Tape lines are not watched by default: no trades is not a dead line (see FeedQuality.staleTapeMs). */
    staleTapeMs: z.number().int().min(0).default(0),
    crossedBatches: z.number().int().min(1).default(3),
    depthAnomalies: z.number().int().min(0).default(5),
    depthAnomalyWindowMs: z.number().int().positive().default(60_000),
    /** Malformed inbound frames (dropped before decoding) within the window that mean a broken link: it reconnects. */
    badFrameLimit: z.number().int().min(1).default(5),
    badFrameWindowMs: z.number().int().positive().default(10_000),
    /** Ask TWS at connect whether its API is read-only (a cancel of an unused order id), and how long to wait. */
    readOnlyProbe: z.boolean().default(true),
    readOnlyProbeMs: z.number().int().positive().default(2_000),
    /** Deadline for one historical-bars result set; past it the request is cancelled and answers FEED.REQUEST_TIMEOUT. */
    historicalTimeoutMs: z.number().int().positive().default(60_000),
  })
  .strict()
  .refine((p) => p.clockSkewSafeModeMs > p.clockSkewWarnMs, {
    message: 'clockSkewSafeModeMs must exceed clockSkewWarnMs',
    path: ['clockSkewSafeModeMs'],
  });

export type TwsParams = z.output<typeof twsParams>;
