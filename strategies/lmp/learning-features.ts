import type { Price } from '../../core/domain/units.js';
import { BASE_FEATURES, F, type FeatureHistory } from './features.js';
import type { EntryLevels } from './entry.js';

/** Per-snapshot columns (after the tm3s./tm1s./dec. prefix), all scale-free: ticks, ratios, sizes, seconds. */
export const SNAPSHOT_COLUMNS = [
  'imbalance',
  'tapeImbalance',
  'spreadTicks',
  'shelfSizeRatio',
  'shelfPersistenceSec',
  'shelfDistanceTicks',
  'volatilityTicks',
  'impulseTicks',
  'retracement',
  'replenishments',
  'relativeVolume',
  'vwapDistanceTicks',
  'topBidSize',
  'topAskSize',
] as const;

/** Columns whose change from T-3s and T-1s to the decision is a feature (d3./d1. prefixes). */
export const DELTA_COLUMNS = [
  'imbalance',
  'tapeImbalance',
  'spreadTicks',
  'shelfSizeRatio',
  'retracement',
  'midTicks',
  'topBidSize',
  'topAskSize',
] as const;

/** Decision-only columns: the planned bracket against the book, in ticks. */
export const PLAN_COLUMNS = ['dec.riskTicks', 'dec.limitBelowAskTicks', 'dec.tp1Ticks'] as const;

const BASE = BASE_FEATURES.length;

/** Read one scale-free column from a feature row (the live vector or a history slot). */
function column(name: (typeof SNAPSHOT_COLUMNS)[number] | 'midTicks', row: (c: number) => number, topN: number, tick: Price): number {
  switch (name) {
    case 'spreadTicks':
      return row(F.spread) / tick;
    case 'vwapDistanceTicks':
      return row(F.vwap) > 0 ? (row(F.mid) - row(F.vwap)) / tick : 0;
    case 'midTicks':
      return row(F.mid) / tick;
    case 'topBidSize': {
      let s = 0;
      for (let i = 0; i < topN; i++) s += row(BASE + i);
      return s;
    }
    case 'topAskSize': {
      let s = 0;
      for (let i = 0; i < topN; i++) s += row(BASE + topN + i);
      return s;
    }
    default:
      return row(F[name]);
  }
}

/**
 * The decision-time feature record of a trigger (docs/lmp.md#feature-snapshots, docs/learning-data.md): the T-3s and T-1s snapshots from
 * the sampled history, the live vector at the decision, their deltas, and the planned levels — every column known at the
 * decision (prefixes tm3s./tm1s./dec./d3./d1., ports/feature-spec.ts). A history that does not reach back yet gives
 * the decision values (deltas 0). Called once per trigger; allocates its record only.
 */
export function decisionFeatures(
  history: FeatureHistory,
  live: Float64Array,
  decidedAt: number,
  topN: number,
  tick: Price,
  lv: EntryLevels,
  bestAsk: Price,
): Record<string, number> {
  const out: Record<string, number> = {};
  const liveRow = (c: number): number => live[c]!;
  const rowAt = (back: number): ((c: number) => number) => {
    const slot = history.slotAt(decidedAt - back);
    return slot < 0 ? liveRow : (c: number) => history.value(slot, c);
  };
  const rows: [string, (c: number) => number][] = [
    ['tm3s', rowAt(3_000_000)],
    ['tm1s', rowAt(1_000_000)],
    ['dec', liveRow],
  ];
  for (const [prefix, row] of rows) for (const c of SNAPSHOT_COLUMNS) out[`${prefix}.${c}`] = column(c, row, topN, tick);
  for (const c of DELTA_COLUMNS) {
    const now = column(c, liveRow, topN, tick);
    out[`d3.${c}`] = now - column(c, rows[0]![1], topN, tick);
    out[`d1.${c}`] = now - column(c, rows[1]![1], topN, tick);
  }
  out['dec.riskTicks'] = lv.risk / tick;
  out['dec.limitBelowAskTicks'] = (bestAsk - lv.limit) / tick;
  out['dec.tp1Ticks'] = (lv.tp1 - lv.limit) / tick;
  for (const k of Object.keys(out)) if (!Number.isFinite(out[k]!)) out[k] = 0;
  return out;
}
