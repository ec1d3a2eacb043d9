import type { LmpConfig } from './params.js';

/**
 * The live measurements every gate reads, updated in place by the strategy at each batch end (one object for the
 * strategy's lifetime: the hot path allocates nothing). Prices in Price units; `mid` may end in .5.
 */
export interface LiveState {
  now: number;
  inSession: boolean;
  broken: boolean;
  bestBid: number;
  bestAsk: number;
  crossed: boolean;
  spread: number;
  spreadLimit: number;
  mid: number;
  topBid: number;
  topAsk: number;
  imbalance: number;
  tapeImbalance: number;
  /** NaN when no baseline is configured. */
  relativeVolume: number;
  vwap: number;
  impulseTicks: number;
  retracement: number;
  swingLow: number;
  volatilityTicks: number;
  shelfPresent: boolean;
  shelfPersistent: boolean;
  shelfPrice: number;
  shelfSizeRatio: number;
  shelfPersistenceSec: number;
  /** (bestBid − shelf) / tick; NaN when no shelf. */
  shelfDistanceTicks: number;
  replenishments: number;
}

export function emptyLiveState(): LiveState {
  return {
    now: 0,
    inSession: false,
    broken: false,
    bestBid: 0,
    bestAsk: 0,
    crossed: false,
    spread: 0,
    spreadLimit: 0,
    mid: 0,
    topBid: 0,
    topAsk: 0,
    imbalance: 0,
    tapeImbalance: 0,
    relativeVolume: Number.NaN,
    vwap: 0,
    impulseTicks: 0,
    retracement: 0,
    swingLow: 0,
    volatilityTicks: 0,
    shelfPresent: false,
    shelfPersistent: false,
    shelfPrice: 0,
    shelfSizeRatio: 0,
    shelfPersistenceSec: 0,
    shelfDistanceTicks: Number.NaN,
    replenishments: 0,
  };
}

/** One named check: its observed value, its threshold, and whether it passes. Descriptors are built once. */
export interface Gate {
  readonly name: string;
  value(s: LiveState, c: LmpConfig): number | string | boolean;
  threshold(c: LmpConfig): number | string | undefined;
  pass(s: LiveState, c: LmpConfig): boolean;
}

const r4 = (x: number): number => (Number.isFinite(x) ? Math.round(x * 10_000) / 10_000 : x);

/** Is the name tradable at all right now (docs/trading-safety.md#time-window, docs/lmp.md#lmp-1). */
export const UNIVERSE_GATES: readonly Gate[] = Object.freeze([
  {
    name: 'session',
    value: (s) => s.inSession,
    threshold: (c) => `${c.p.session.start}-${c.p.session.end} ${c.p.timeZone}`,
    pass: (s) => s.inSession,
  },
  { name: 'feedHealthy', value: (s) => !s.broken, threshold: () => undefined, pass: (s) => !s.broken },
  {
    name: 'bookReady',
    value: (s) => s.bestBid > 0 && s.bestAsk > 0 && !s.crossed,
    threshold: () => undefined,
    pass: (s) => s.bestBid > 0 && s.bestAsk > 0 && !s.crossed,
  },
  { name: 'priceMin', value: (s) => s.mid, threshold: (c) => c.minPrice, pass: (s, c) => s.mid >= c.minPrice },
  { name: 'priceMax', value: (s) => s.mid, threshold: (c) => c.maxPrice, pass: (s, c) => s.mid <= c.maxPrice },
  { name: 'spread', value: (s) => s.spread, threshold: () => undefined, pass: (s) => s.spread <= s.spreadLimit },
  {
    name: 'liquidity',
    value: (s) => s.topBid + s.topAsk,
    threshold: (c) => c.p.minTopNSize,
    pass: (s, c) => s.topBid + s.topAsk >= c.p.minTopNSize,
  },
  {
    name: 'relativeVolume',
    value: (s) => (Number.isNaN(s.relativeVolume) ? 'n/a' : r4(s.relativeVolume)),
    threshold: (c) => c.p.minRelativeVolume,
    // Without a baseline there is nothing to compare with: reported, not enforced.
    pass: (s, c) => Number.isNaN(s.relativeVolume) || s.relativeVolume >= c.p.minRelativeVolume,
  },
]);

/** Long setup gates (docs/lmp.md#lmp-4): momentum context, VWAP, L2 imbalance, tape, replenishment. */
export const SETUP_GATES: readonly Gate[] = Object.freeze([
  {
    name: 'impulse',
    value: (s) => s.impulseTicks,
    threshold: (c) => c.p.minImpulseTicks,
    pass: (s, c) => s.impulseTicks >= c.p.minImpulseTicks,
  },
  {
    // An impulse the price has already given back more than the pullback zone allows is history, not context:
    // arming on it would only disarm at the next batch (pullback too deep).
    name: 'impulseIntact',
    value: (s) => r4(s.retracement),
    threshold: (c) => c.p.maxRetracement,
    pass: (s, c) => s.retracement <= c.p.maxRetracement,
  },
  {
    name: 'aboveVwap',
    value: (s) => s.mid,
    threshold: () => undefined,
    pass: (s, c) => !c.p.requireAboveVwap || (s.vwap > 0 && s.mid >= s.vwap),
  },
  { name: 'imbalance', value: (s) => r4(s.imbalance), threshold: (c) => c.p.minImbalance, pass: (s, c) => s.imbalance >= c.p.minImbalance },
  {
    name: 'tape',
    value: (s) => r4(s.tapeImbalance),
    threshold: (c) => c.p.minTapeImbalance,
    pass: (s, c) => s.tapeImbalance >= c.p.minTapeImbalance,
  },
  {
    name: 'replenishment',
    value: (s) => s.replenishments,
    threshold: (c) => c.p.minReplenishments,
    pass: (s, c) => !c.p.requireReplenishment || s.replenishments >= c.p.minReplenishments,
  },
]);

/** Pullback trigger (docs/lmp.md#lmp-5): retracement zone, hold above VWAP or shelf, persistent shelf within reach, tape recovered. */
export const TRIGGER_GATES: readonly Gate[] = Object.freeze([
  {
    name: 'retracementMin',
    value: (s) => r4(s.retracement),
    threshold: (c) => c.p.minRetracement,
    pass: (s, c) => s.retracement >= c.p.minRetracement,
  },
  {
    name: 'retracementMax',
    value: (s) => r4(s.retracement),
    threshold: (c) => c.p.maxRetracement,
    pass: (s, c) => s.retracement <= c.p.maxRetracement,
  },
  {
    name: 'holdsVwapOrShelf',
    value: (s) => s.mid,
    threshold: () => undefined,
    pass: (s) => (s.vwap > 0 && s.mid >= s.vwap) || (s.shelfPresent && s.bestBid >= s.shelfPrice),
  },
  {
    name: 'shelfPersistent',
    value: (s) => r4(s.shelfPersistenceSec),
    threshold: (c) => c.p.shelfPersistenceSec,
    pass: (s) => s.shelfPersistent,
  },
  {
    name: 'shelfProximity',
    value: (s) => (Number.isNaN(s.shelfDistanceTicks) ? 'none' : s.shelfDistanceTicks),
    threshold: (c) => c.p.triggerTicks,
    pass: (s, c) => s.shelfDistanceTicks >= 0 && s.shelfDistanceTicks <= c.p.triggerTicks,
  },
  {
    // The long bias (docs/lmp.md#lmp-3, Imb ≥ +0.20) must still hold when the entry goes out: the early exit fires below +0.05,
    // and entering on a thinner margin gets closed by book noise at the next batch (spread and commission lost).
    name: 'imbalanceHolds',
    value: (s) => r4(s.imbalance),
    threshold: (c) => c.p.minImbalance,
    pass: (s, c) => s.imbalance >= c.p.minImbalance,
  },
  {
    name: 'tapeRecovered',
    value: (s) => r4(s.tapeImbalance),
    threshold: (c) => c.p.minRecoveredTape,
    pass: (s, c) => s.tapeImbalance >= c.p.minRecoveredTape,
  },
]);

/** The first failing gate of a list, or null when all pass. Allocates nothing. */
export function firstFailing(gates: readonly Gate[], s: LiveState, c: LmpConfig): Gate | null {
  // An index loop: for-of here allocated an iterator per call (the gates' closures keep it from being optimised
  // away), ~200 bytes per book event in a heap profile (bench/alloc-profile.ts).
  for (let i = 0; i < gates.length; i++) {
    const g = gates[i]!;
    if (!g.pass(s, c)) return g;
  }
  return null;
}

export type GateRecord = Record<string, { value: number | string | boolean; threshold?: number | string; pass: boolean }>;

/** Gate values for a decision record (allocates: call only when a decision is written). */
export function gateRecord(s: LiveState, c: LmpConfig, ...lists: ReadonlyArray<readonly Gate[]>): GateRecord {
  const out: GateRecord = {};
  for (const list of lists) {
    for (const g of list) {
      const threshold = g.name === 'spread' ? r4(s.spreadLimit) : g.name === 'aboveVwap' ? s.vwap : g.threshold(c);
      const entry: GateRecord[string] = { value: g.value(s, c), pass: g.pass(s, c) };
      if (threshold !== undefined) entry.threshold = threshold;
      out[g.name] = entry;
    }
  }
  return out;
}
