import { z } from 'zod';
import type { AnyPluginManifest } from '../../plugins/sdk/manifest.js';
import { autoTriggerParams } from '../risk/auto-triggers.js';
import { alertsSchema } from './alerts-schema.js';
import { DEFAULT_LEARNING, learningSchema } from '../learning/learning-config.js';

const envRef = z.object({ $env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/), optional: z.boolean().optional() }).strict();
const stringOrEnv = z.union([z.string().min(1), envRef]);

/** A plugin reference: a built-in id, a module path ('./x/index.ts') or a package name, or the manifest itself. */
const pluginRef = z.union([
  z.string().min(1),
  z.custom<AnyPluginManifest>((v) => typeof v === 'object' && v !== null && typeof (v as { create?: unknown }).create === 'function', {
    message: 'expected a plugin manifest (from defineStrategy/defineAdapter/…)',
  }),
]);

export const pluginSelection = z
  .object({
    use: pluginRef,
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** The largest dollar figure config accepts: 10⁹ × 10⁴ ten-thousandths stays far below 2^53. */
export const MAX_DOLLARS = 1_000_000_000;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24h)');

export const riskSelection = pluginSelection.extend({
  action: z.enum(['warn', 'reject', 'halt']).default('reject'),
});

export const strategySelection = pluginSelection.extend({
  instanceId: z
    .string()
    .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/)
    .optional(),
});

export const instrumentSchema = z
  .object({
    symbol: z.string().min(1).max(16),
    tick: z.number().positive().default(0.01),
    currency: z.string().length(3).default('USD'),
    exchange: z.string().default('SMART'),
    timeZone: z.string().default('America/New_York'),
  })
  .strict();

/** The root of harvester.config.ts. Each plugin's params are validated afterwards against the plugin's own schema. */
export const rootSchema = z
  .object({
    mode: z.enum(['replay', 'sim-live', 'paper', 'live']).default('replay'),
    seed: z.number().int().nonnegative().default(1),
    session: z
      .object({
        date: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
          .default('2024-03-14'),
        timeZone: z.string().default('America/New_York'),
        start: hhmm.default('09:30'),
        end: hhmm.default('11:15'),
      })
      .strict()
      .default({ date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '11:15' }),
    account: z
      .object({
        id: stringOrEnv.optional(),
        currency: z.string().length(3).default('USD'),
        /** Dollars; capped so every money figure stays an exact integer in ten-thousandths (core/domain/units.ts). */
        startEquity: z.number().positive().max(MAX_DOLLARS, `at most ${MAX_DOLLARS} (1 billion)`).default(100_000),
      })
      .strict()
      .default({ currency: 'USD', startEquity: 100_000 }),
    instruments: z.array(instrumentSchema).default([]),
    /** Extra plugins to register besides the built-ins: manifests or module references. */
    plugins: z.array(pluginRef.or(z.literal(false)).or(z.null()).or(z.undefined())).default([]),
    marketData: pluginSelection,
    broker: pluginSelection,
    store: pluginSelection,
    /** One-learner shorthand for `learning.learners: [learner]`. */
    learner: pluginSelection.default({ use: 'none', params: {} }),
    /** The learning loop: learners, cadence, window, shadow gate, monitor (core/learning/learning-config.ts). */
    learning: learningSchema.default(DEFAULT_LEARNING),
    risk: z.array(riskSelection).default([]),
    strategies: z.array(strategySelection).min(1, 'at least one strategy is needed'),
    /** Thresholds of the automatic kill switch (reconnect loops, outages, stale data, rejects, pacing, plugin errors). */
    killSwitch: autoTriggerParams.default(autoTriggerParams.parse({})),
    /** Start gates: the oldest market data (ms) accepted before the first entry. */
    startGates: z
      .object({ maxDataAgeMs: z.number().int().positive().default(5_000) })
      .strict()
      .default({ maxDataAgeMs: 5_000 }),
    /** Book depth kept per symbol and the N of the incremental top-N sums strategies read. */
    book: z
      .object({ topN: z.number().int().min(1).max(20).default(5) })
      .strict()
      .default({ topN: 5 }),
    dataDir: z.string().default('var'),
    live: z
      .object({
        armed: z.boolean().default(false),
        /**
         * Accept live risk policies looser than the risk floor (docs/risk-floor.md): name each policy and say why.
         * Journaled with the session; without it a looser live chain is refused.
         */
        belowRiskFloor: z
          .object({ policies: z.array(z.string().min(1)).min(1), reason: z.string().min(10, 'say why, in at least 10 characters') })
          .strict()
          .optional(),
      })
      .strict()
      .default({ armed: false }),
    /** Alert channels and rules (docs/alerts.md); none by default. */
    alerts: alertsSchema.default(alertsSchema.parse({})),
    /**
     * What an orderly stop (SIGINT/SIGTERM) does with open positions: 'flatten' closes them at market, 'keep-protection'
     * cancels working entries and leaves the stops/targets of open positions working at the broker. Unset: flatten in
     * replay and sim-live (nothing outlives the process), keep-protection in paper and live.
     */
    onShutdown: z.enum(['flatten', 'keep-protection']).optional(),
    /**
     * Restart recovery: positions inherited from an earlier run are kept with their working stop ('protect', else
     * closed) or closed ('flatten').
     */
    recovery: z
      .object({ adoptedPositions: z.enum(['protect', 'flatten']).default('protect') })
      .strict()
      .default({ adoptedPositions: 'protect' }),
  })
  .strict();

export type UserConfig = z.input<typeof rootSchema>;
export type RootConfig = z.output<typeof rootSchema>;
