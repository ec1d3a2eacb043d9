import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24h)');
const window = z.object({ start: hhmm, end: hhmm }).strict();

/**
 * LMP parameters. Defaults are the roadmap's v1 values (docs/lmp.md#lmp). Units:
 * - prices (`tick`, `minPrice`, `maxPrice`, `maxSpreadAbs`, `maxPositionValue`) are given in DECIMAL currency in
 *   config for readability and converted once to integer ten-thousandths when the strategy is built, except `tick`,
 *   which is already in Price units (100 = $0.01) like the example strategy;
 * - durations are seconds (converted once to µs);
 * - ratios are plain fractions (0.0008 = 0.08 %).
 */
export const lmpParams = z
  .object({
    symbol: z.string().min(1),
    /** Minimum price increment in Price units (100 = $0.01). */
    tick: z.number().int().positive().default(100),
    /** Depth rows subscribed (1..20) and N of the top-N book metrics (≤ levels). */
    levels: z.number().int().min(1).max(20).default(10),
    topN: z.number().int().min(1).max(20).default(5),
    /** Exchange time zone: luxon resolves DST; never a fixed offset. */
    timeZone: z.string().default('America/New_York'),
    /** Primary session (docs/lmp.md#lmp-1); `extraWindows` e.g. [{ start: '14:30', end: '15:45' }] once stable. */
    session: window.default({ start: '09:30', end: '11:15' }),
    extraWindows: z.array(window).default([]),

    // universe filters (docs/lmp.md#lmp-1)
    minPrice: z.number().positive().default(2),
    maxPrice: z.number().positive().default(50),
    /** Spread ≤ max(maxSpreadAbs, maxSpreadRel · mid) (docs/lmp.md#lmp-3). */
    maxSpreadAbs: z.number().positive().default(0.03),
    maxSpreadRel: z.number().positive().default(0.0008),
    /** Combined top-N bid+ask size must reach this (shares) — "top of book not thin". */
    minTopNSize: z.number().int().nonnegative().default(500),
    /** Relative volume = last `relVolWindowSec` volume per minute / baseline per minute. */
    minRelativeVolume: z.number().nonnegative().default(3),
    /** Baseline volume per minute (scanner). null: the gate is reported but not enforced (no baseline known). */
    baselineVolumePerMinute: z.number().positive().nullable().default(null),
    relVolWindowSec: z.number().positive().default(60),
    /** After a halt, gap or stale feed, the name is excluded until this long after it resumed. */
    brokenCooldownSec: z.number().nonnegative().default(60),

    // microstructure (docs/lmp.md#lmp-3)
    minImbalance: z.number().min(-1).max(1).default(0.2),
    tapeWindowSec: z.number().min(3).max(10).default(5),
    minTapeImbalance: z.number().min(-1).max(1).default(0.15),
    /** Replenishment: a bid hit at best, then the bid holds/steps up and refills ≥ this share of the hit size. */
    replenishWindowSec: z.number().positive().default(10),
    replenishRefillRatio: z.number().positive().default(0.5),
    minReplenishments: z.number().int().nonnegative().default(2),
    /** "Recommended" (docs/lmp.md#lmp-4): when false the gate is reported but not enforced. */
    requireReplenishment: z.boolean().default(false),

    // momentum context (docs/lmp.md#lmp-4)
    impulseLookbackSec: z.number().positive().default(180),
    minImpulseTicks: z.number().int().positive().default(10),
    /** VWAP condition: price above session VWAP (from the tape), or above the shelf. */
    requireAboveVwap: z.boolean().default(true),

    // shelf and entry (docs/lmp.md#lmp-5)
    shelfK: z.number().positive().default(2.5),
    shelfPersistenceSec: z.number().positive().default(1.5),
    minRetracement: z.number().min(0).max(1).default(0.3),
    maxRetracement: z.number().min(0).max(1).default(0.55),
    /** Trigger: best bid within this many ticks above the shelf. */
    triggerTicks: z.number().int().min(0).max(5).default(2),
    minRecoveredTape: z.number().min(-1).max(1).default(0),
    /** Cancel the entry when unfilled after this long and microstructure has weakened (docs/lmp.md#lmp-5: 2–4 s). */
    entryCancelSec: z.number().min(0.5).max(10).default(3),
    /** Cancel an unfilled entry regardless after this long. */
    entryMaxWaitSec: z.number().positive().default(10),

    // stops and early exits (docs/lmp.md#lmp-6)
    stopBufferMinTicks: z.number().int().min(0).default(1),
    stopBufferMaxTicks: z.number().int().min(0).default(3),
    exitImbalanceBelow: z.number().min(-1).max(1).default(0.05),
    exitTapeBelow: z.number().min(-1).max(1).default(-0.1),
    spreadBreachSec: z.number().positive().default(1),
    bidStepDownTicks: z.number().int().positive().default(2),
    bidStepDownSec: z.number().positive().default(1),

    // profit taking and time stop (docs/lmp.md#lmp-7)
    tp1R: z.number().positive().default(1),
    tp1Fraction: z.number().gt(0).lt(1).default(0.5),
    tp2R: z.number().positive().default(2),
    breakEvenBufferTicks: z.number().int().min(0).default(0),
    timeStopSec: z.number().min(1).default(75),
    timeStopR: z.number().min(0).default(0.5),

    // sizing (docs/lmp.md#lmp-8)
    riskFraction: z.number().gt(0).max(0.05).default(0.0025),
    maxPositionValue: z.number().positive().default(25_000),
    maxShares: z.number().int().positive().default(2_000),
    /** 1 entry + 2 re-entries per symbol (docs/lmp.md#lmp-8); risk policies enforce the account-wide limits. */
    maxEntries: z.number().int().positive().default(3),
    cooldownAfterStopSec: z.number().nonnegative().default(180),

    /** Feature history sampling period for the T-3s / T-1s snapshots (docs/lmp.md#feature-snapshots). */
    sampleMs: z.number().int().min(10).max(1000).default(250),
  })
  .strict()
  .refine((p) => p.topN <= p.levels, { message: 'topN must be ≤ levels', path: ['topN'] })
  .refine((p) => p.minPrice < p.maxPrice, { message: 'minPrice must be < maxPrice', path: ['minPrice'] })
  .refine((p) => p.minRetracement < p.maxRetracement, { message: 'minRetracement must be < maxRetracement', path: ['minRetracement'] })
  .refine((p) => p.stopBufferMinTicks <= p.stopBufferMaxTicks, {
    message: 'stopBufferMinTicks must be ≤ stopBufferMaxTicks',
    path: ['stopBufferMinTicks'],
  })
  .refine((p) => p.tp1R < p.tp2R, { message: 'tp1R must be < tp2R', path: ['tp1R'] });

export type LmpParams = z.output<typeof lmpParams>;
export type LmpParamsInput = z.input<typeof lmpParams>;

const US = 1_000_000;
const toUnits = (decimal: number): number => Math.round(decimal * 10_000);

/** Params in the strategy's working units (integer Price/Money, µs), computed once at construction. */
export interface LmpConfig {
  readonly p: LmpParams;
  readonly minPrice: number;
  readonly maxPrice: number;
  readonly maxSpreadAbs: number;
  readonly maxPositionValue: number;
  readonly tapeWindow: number;
  readonly relVolWindow: number;
  readonly brokenCooldown: number;
  readonly replenishWindow: number;
  readonly impulseLookback: number;
  readonly shelfPersistence: number;
  readonly entryCancel: number;
  readonly entryMaxWait: number;
  readonly spreadBreach: number;
  readonly bidStepDown: number;
  readonly timeStop: number;
  readonly cooldownAfterStop: number;
  readonly sample: number;
}

export function compileParams(p: LmpParams): LmpConfig {
  return Object.freeze({
    p,
    minPrice: toUnits(p.minPrice),
    maxPrice: toUnits(p.maxPrice),
    maxSpreadAbs: toUnits(p.maxSpreadAbs),
    maxPositionValue: toUnits(p.maxPositionValue),
    tapeWindow: Math.round(p.tapeWindowSec * US),
    relVolWindow: Math.round(p.relVolWindowSec * US),
    brokenCooldown: Math.round(p.brokenCooldownSec * US),
    replenishWindow: Math.round(p.replenishWindowSec * US),
    impulseLookback: Math.round(p.impulseLookbackSec * US),
    shelfPersistence: Math.round(p.shelfPersistenceSec * US),
    entryCancel: Math.round(p.entryCancelSec * US),
    entryMaxWait: Math.round(p.entryMaxWaitSec * US),
    spreadBreach: Math.round(p.spreadBreachSec * US),
    bidStepDown: Math.round(p.bidStepDownSec * US),
    timeStop: Math.round(p.timeStopSec * US),
    cooldownAfterStop: Math.round(p.cooldownAfterStopSec * US),
    sample: p.sampleMs * 1_000,
  });
}
