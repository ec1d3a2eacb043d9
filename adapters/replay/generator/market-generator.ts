import { DateTime } from 'luxon';
import type { DepthEvent, FeedStatus, MarketEvent, TradeEvent } from '../../../core/domain/market.js';
import { Sfc32 } from '../../../core/domain/random.js';
import { Ladder, LEVELS } from './ladder.js';
import {
  PLANTED_REGIMES,
  PlantedQuality,
  TYPICAL_LEVEL,
  type GeneratorSignal,
  type PlantedRegime,
  type PlantedVersion,
} from './planted.js';
import { REGIMES, type RegimeSpec } from './regimes.js';

export interface GeneratorOptions {
  seed: number;
  symbol: string;
  /** Exchange-local date and window. */
  date: string;
  timeZone: string;
  start: string;
  end?: string;
  /** Alternative to `end`: session length in minutes from `start`. */
  minutes?: number;
  /** Price units (100 = $0.01). */
  tick: number;
  /** Opening price in Price units. */
  startPrice: number;
  /** Multiplies every regime's message rate (1 = the statistics below). */
  intensity?: number;
  /** Include the session's halt (5 min) and feed gap (15 s). */
  incidents?: boolean;
  /** Exact window in epoch µs; overrides date/start/end when given. */
  startTime?: number;
  endTime?: number;
  /** `none` (default): the v2 market. `planted`: hidden shelf quality; `null`: the same without a leak (see planted.ts). */
  signal?: GeneratorSignal;
  /** Planted market only: swap the observable's ranges (the observable–outcome link flips). */
  invert?: boolean;
  /** Planted market only: which version (default PLANTED_VERSION); 3 and 4 stay selectable. */
  plantedVersion?: PlantedVersion;
}

export interface GeneratorSummary {
  events: number;
  trades: number;
  depth: number;
  status: number;
  firstTime: number;
  lastTime: number;
  lastPrice: number;
  /**
   * Planted and null markets only: each shelf episode's start (epoch µs) and hidden quality, for benches that join
   * trades to episodes. A side channel: nothing in core or strategies may read it (it is the answer key).
   */
  episodes?: PlantedEpisode[];
}

/** One shelf episode of the planted or null market, as the answer key records it. */
export interface PlantedEpisode {
  /** Start of its pullback (epoch µs) and its hidden quality. */
  at: number;
  genuine: boolean;
  /** v5 only, when its shelf was tested and based: the tape's turn to buying on it, and the moment its fate began. */
  turnedAt?: number;
  resolvedAt?: number;
}

/**
 * Bumped whenever the same options would generate different events: cached recordings are keyed by it, so a
 * changed generator never replays a stale cache (v2: bounded bursts, shelf bases, queue-scaled cancels).
 */
export const GENERATOR_VERSION = 2;
/**
 * Version of the planted market (`signal: 'planted'`), part of its cache key beside GENERATOR_VERSION (v4: every
 * tested shelf forms a base and is resolved at its end by a travel that reaches LMP's stop or second target; v5:
 * resolved 1–3 s after the tape turns to buying on the shelf instead).
 */
export const PLANTED_VERSION: PlantedVersion = 5;
/** Version of the null market (`signal: 'null'`), part of its cache key. */
export const NULL_VERSION = 1;

type Sink = (event: MarketEvent) => void;
const S = 1_000_000;
const LOT = 100;
/** LMP's default `tapeWindowSec` (strategies/lmp/params.ts). */
const TAPE_WINDOW = 5 * S;

/**
 * A seeded order-flow generator for one symbol. Two ladders of ten contiguous levels evolve under regime-dependent
 * Poisson flow (adds, cancels, aggressive prints that walk the book, price improvement). A schedule strings regimes
 * together — calm, momentum bursts, pullbacks onto a persistent bid shelf, a base on the shelf, recoveries — plus spread blowouts, thin
 * books, one 5-minute halt and one 15-second feed gap.
 *
 * Calibration (GOOG 2012-06-21 LOBSTER sample scaled to a ~$48, one-tick stock): top-level sizes median ~1,500
 * shares (lognormal), prints mostly 100–300 shares with occasional blocks, spread 1 tick most of the time and
 * 2–6 ticks in blowouts, 40–200 messages/s by regime (GOOG's sample averages ~17/s at 10 levels on a $580 price;
 * liquid $50 names run several times that).
 */
export function generateSession(options: GeneratorOptions, sink: Sink): GeneratorSummary {
  const rng = new Sfc32(options.seed);
  // The planted market draws its hidden qualities from a stream of its own; `none` never touches it, so the v2
  // market is generated exactly as before.
  const planted = options.signal === 'planted' || options.signal === 'null';
  const quality = planted
    ? new PlantedQuality(
        options.seed,
        options.invert === true,
        options.signal === 'planted',
        options.signal === 'planted' ? (options.plantedVersion ?? PLANTED_VERSION) : 4,
      )
    : null;
  const late = quality?.resolvesAfterBase === true;
  const onTapeTurn = quality?.resolvesOnTapeTurn === true;
  // v5: signed aggressive volume over the last TAPE_WINDOW, as LMP's default tape window measures it, so the base
  // can end a drawn 1–3 s after buying outweighs selling on the shelf (planted.ts).
  const tapeTimes: number[] = [];
  const tapeSigned: number[] = [];
  let tapeHead = 0;
  let tapeSum = 0;
  let tapeTurned = false;
  let episode: PlantedEpisode | null = null;
  const regimes: Readonly<Record<PlantedRegime, RegimeSpec>> = planted ? PLANTED_REGIMES : (REGIMES as Record<PlantedRegime, RegimeSpec>);
  const start = options.startTime ?? DateTime.fromISO(`${options.date}T${options.start}`, { zone: options.timeZone }).toMillis() * 1000;
  const end =
    options.endTime !== undefined
      ? options.endTime
      : options.end !== undefined
        ? DateTime.fromISO(`${options.date}T${options.end}`, { zone: options.timeZone }).toMillis() * 1000
        : start + Math.round((options.minutes ?? 105) * 60 * S);
  const tick = options.tick;
  const intensity = options.intensity ?? 1;
  const summary: GeneratorSummary = {
    events: 0,
    trades: 0,
    depth: 0,
    status: 0,
    firstTime: start,
    lastTime: start,
    lastPrice: options.startPrice,
  };
  if (quality !== null) summary.episodes = [];

  let now = start;
  const batch: DepthEvent[] = [];
  const pool: DepthEvent[] = [];
  const trade: TradeEvent = {
    kind: 'trade',
    symbol: options.symbol,
    price: 0,
    size: 0,
    aggressor: 'unknown',
    aggressorSource: 'venue',
    seq: 0,
    epoch: 1,
    recvTime: 0,
    exchTime: 0,
  };
  const push = (
    d: Omit<DepthEvent, 'symbol' | 'seq' | 'epoch' | 'recvTime' | 'exchTime' | 'marketMaker' | 'endOfBatch' | 'kind'>,
  ): void => {
    const e =
      pool[batch.length] ??
      (pool[batch.length] = {
        kind: 'depth',
        symbol: options.symbol,
        side: 'bid',
        position: -1,
        operation: 'update',
        price: 0,
        size: 0,
        marketMaker: '',
        endOfBatch: false,
        seq: 0,
        epoch: 1,
        recvTime: 0,
        exchTime: 0,
      });
    e.side = d.side;
    e.operation = d.operation;
    e.price = d.price;
    e.size = d.size;
    e.position = -1;
    batch.push(e);
  };
  const flush = (): void => {
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      e.endOfBatch = i === batch.length - 1;
      e.recvTime = now;
      e.exchTime = now;
      sink(e);
      summary.events++;
      summary.depth++;
    }
    batch.length = 0;
  };
  const status = (s: FeedStatus): void => {
    sink({ kind: 'status', symbol: options.symbol, status: s, reason: s, seq: 0, epoch: 1, recvTime: now, exchTime: now });
    summary.events++;
    summary.status++;
  };
  const levelSize = (scale = 1): number => Math.max(LOT, Math.round((TYPICAL_LEVEL * scale * Math.exp(0.6 * rng.normal())) / LOT) * LOT);
  const printSize = (): number => (rng.next() < 0.01 ? 10 * LOT : LOT * (1 + Math.floor(Math.log(1 - rng.next()) / Math.log(0.45))));

  const bids = new Ladder('bid', options.startPrice - tick, tick, push);
  const asks = new Ladder('ask', options.startPrice, tick, push);
  bids.init(() => levelSize());
  asks.init(() => levelSize());
  flush();

  let regime: PlantedRegime = 'calm';
  // +1: bursts lift offers and pullbacks lean on a bid shelf; -1: the mirror image. Drawn per episode, leaning
  // against the distance from the opening price so the day mean-reverts instead of trending without bound.
  let direction = 1;
  // The impulse of the last up-burst (bid at its start and its high), so the pullback's shelf sits at ~40 % of it.
  let impulseFrom = bids.best;
  let impulseHigh = bids.best;
  let regimeEnds = now + 30 * S;
  // Bursts and recoveries stop once they covered `travel` from `travelFrom` (a drawn impulse of 12–36 ticks, a
  // recovery of 50–100 % of it): the flow stays momentum-like while the price path keeps a realistic scale.
  let travel = Infinity;
  let travelFrom = 0;
  let shelf: { k: number; size: number } | null = null;
  // Lowest bid per second over the last three minutes: a trader reads an impulse from the recent low, which may
  // precede the burst itself, so the shelf's retracement is measured from there too.
  const lowBySecond = new Float64Array(180).fill(Infinity);
  const lowStamp = new Float64Array(180).fill(-1);
  const recentLow = (): number => {
    let low = Infinity;
    const second = Math.floor(now / S);
    for (let i = 0; i < 180; i++) if (lowStamp[i]! > second - 180 && lowBySecond[i]! < low) low = lowBySecond[i]!;
    return Number.isFinite(low) ? low : bids.best;
  };
  // Sellers give up a few seconds after the pullback reached the shelf and found it refilled.
  let shelfTested = false;
  let shelfAt = 0;
  let shelfSize = 0;
  let exhaustAfter = 0;
  let thinUntil = 0;
  let blowoutUntil = 0;
  let haltAt = options.incidents === false ? Infinity : start + Math.round((end - start) * 0.42);
  let gapAt = options.incidents === false ? Infinity : start + Math.round((end - start) * 0.71);

  // Every way the best bid can leave goes through here so the shelf's level index follows the ladder.
  const dropBest = (side: Ladder, backSize: number): void => {
    side.removeBest(backSize);
    if (side === bids && shelf !== null) shelf.k = Math.max(0, shelf.k - 1);
  };

  const aggress = (buy: boolean, size: number): void => {
    const book = buy ? asks : bids;
    let left = size;
    trade.aggressor = buy ? 'buy' : 'sell';
    while (left > 0) {
      const avail = book.sizes[0]!;
      const take = Math.min(left, avail);
      trade.price = book.best;
      trade.size = take;
      if (onTapeTurn) {
        tapeTimes.push(now);
        tapeSigned.push(buy ? take : -take);
        tapeSum += buy ? take : -take;
      }
      trade.recvTime = now;
      trade.exchTime = now;
      sink(trade);
      summary.events++;
      summary.trades++;
      summary.lastPrice = book.best;
      left -= take;
      // A shelf absorbs selling: its owner refills every hit, which is what makes it a shelf (and what LMP's
      // replenishment heuristic looks for).
      if (!buy && shelf !== null && shelf.k === 0) {
        book.setSize(0, shelf.size);
        shelfTested = true;
        continue;
      }
      if (take === avail) dropBest(book, levelSize(thinUntil > now ? 0.3 : 1));
      else {
        book.setSize(0, avail - take);
      }
    }
  };

  while (now < end) {
    const spec: RegimeSpec = regimes[regime];
    now += Math.max(1, Math.round((-Math.log(1 - rng.next()) / (spec.rate * intensity)) * S));
    if (now >= end) break;
    if (now >= haltAt) {
      status('halted');
      now += 5 * 60 * S;
      status('resumed');
      haltAt = Infinity;
    }
    if (now >= gapAt) {
      // Nothing arrives for 15 s; the feed marks the hole when data resumes.
      now += 15 * S;
      status('gap');
      gapAt = Infinity;
    }
    if (now >= regimeEnds) {
      const was = regime;
      regime = spec.next(rng) as PlantedRegime;
      // Planted: a tested shelf decides what follows its pullback (genuine: a base; fake: pulled, a breakdown).
      if (quality !== null && was === 'pullback')
        regime = !shelfTested || shelf === null ? 'calm' : quality.genuine || late ? 'base' : 'breakdown';
      // v4 and null: the quality decides only once the base is over, whatever happened before it.
      if (late && was === 'base') regime = quality!.genuine ? 'recovery' : 'breakdown';
      const [lo, hi] = regimes[regime].seconds;
      regimeEnds = now + Math.round((lo + rng.next() * (hi - lo)) * S);
      // ...and its travel, not the clock, ends the move (a minute and a half at most).
      if (late && was === 'base') regimeEnds = now + 90 * S;
      if (onTapeTurn && was === 'base' && episode !== null) episode.resolvedAt = now;
      // v5: the tape's turn ends the base (planted.ts); 20 s only bounds a base on which it never turns.
      if (onTapeTurn && regime === 'base') {
        tapeTurned = false;
        regimeEnds = now + 20 * S;
      }
      // A fake shelf's owner cancels: the level falls back to an ordinary size.
      if (regime === 'breakdown' && shelf !== null) bids.setSize(shelf.k, levelSize());
      // The shelf outlives its pullback into the base that forms on it; any other regime change retires it.
      if (regime !== 'base') shelf = null;
      // v4 and null: the pulled shelf's owner turns seller and sweeps the book at once, so a position resting on
      // the shelf is stopped out instead of easing out on a slowly fading imbalance.
      if (late && was === 'base' && regime === 'breakdown') aggress(false, bids.total(6));
      travel = Infinity;
      if (regime === 'burst') {
        const drift = (asks.best - options.startPrice) / (options.startPrice * 0.015);
        direction = rng.next() < 0.5 - 0.35 * Math.tanh(drift) + 0.15 ? 1 : -1;
        impulseFrom = bids.best;
        impulseHigh = bids.best;
        travel = (12 + rng.int(0, 24)) * tick;
      }
      if (regime === 'recovery')
        travel =
          late && was === 'base'
            ? quality!.travelTicks() * tick
            : Math.max(4 * tick, Math.round((Math.abs(impulseHigh - impulseFrom) * (0.5 + rng.next() * 0.5)) / tick) * tick);
      travelFrom = direction === 1 ? bids.best : asks.best;
      if (regime === 'breakdown') travel = late ? quality!.travelTicks() * tick : (6 + rng.int(0, 10)) * tick;
      if (regime === 'pullback' && direction === 1) {
        const from = Math.min(impulseFrom, recentLow());
        const retrace = Math.round(((impulseHigh - from) * (0.36 + rng.next() * 0.12)) / tick);
        // The shelf's owner rests at the retracement price; it shows once that price is within the visible book.
        shelfAt = impulseHigh - Math.max(2, retrace) * tick;
        const reference = quality !== null ? quality.sizeReference(bids.total(5) / 5) : bids.total(5) / 5;
        shelfSize = Math.round((reference * (quality !== null ? quality.draw() : 3 + rng.next() * 2)) / LOT) * LOT;
        if (quality !== null) {
          episode = { at: now, genuine: quality.genuine };
          summary.episodes!.push(episode);
        }
        shelfTested = false;
        exhaustAfter = Math.round((quality !== null && (late || !quality.genuine) ? quality.pullDelaySeconds() : 2 + rng.next() * 5) * S);
      } else shelfAt = 0;
      if (regime === 'calm' && rng.next() < 0.25) blowoutUntil = now + Math.round((2 + rng.next() * 4) * S);
      if (rng.next() < 0.08) thinUntil = now + Math.round((30 + rng.next() * 30) * S);
    }
    const spread = (asks.best - bids.best) / tick;
    const u = rng.next();
    const lean = (share: number): number => (regime === 'calm' || regime === 'breakdown' || direction === 1 ? share : 1 - share);
    if (blowoutUntil > now && spread < 6 && u < 0.5) {
      const side = rng.next() < 0.5 ? asks : bids;
      // Liquidity pulled in a blowout is the fleeting kind; a shelf's owner stays.
      if (side === asks || shelf === null || shelf.k > 0) dropBest(side, levelSize(0.5));
    } else if (u < spec.trade) {
      aggress(rng.next() < lean(spec.buyShare), printSize());
    } else if (spread > 1 && blowoutUntil <= now && (u < spec.trade + spec.improve || rng.next() < 1 - 0.8 ** (spread - 1))) {
      // Liquidity providers step into a wide spread, the faster the wider it is.
      const side = rng.next() < lean(spec.bidImproveShare) ? bids : asks;
      side.improve(levelSize(0.6));
      // Pushed out of the visible ten levels, the shelf is no longer a shelf anyone can see.
      if (side === bids && shelf !== null && ++shelf.k >= LEVELS) shelf = null;
    } else if (u < spec.trade + spec.improve + spec.add) {
      const side = rng.next() < lean(spec.bidAddShare) ? bids : asks;
      const k = Math.min(LEVELS - 1, Math.floor(-Math.log(1 - rng.next()) * 2.5));
      side.setSize(k, side.sizes[k]! + LOT * (1 + rng.int(0, 5)));
    } else {
      const side = rng.next() < 0.5 ? bids : asks;
      const k = Math.min(LEVELS - 1, Math.floor(-Math.log(1 - rng.next()) * 2.5));
      if (side === bids && shelf !== null && shelf.k === k) continue;
      // Cancels scale with the queue (as in queue-reactive book models), so level sizes mean-revert to ~1,500
      // shares instead of drifting with the add/cancel imbalance of the regime.
      const cut = Math.max(LOT, Math.round((side.sizes[k]! * (0.1 + 0.3 * rng.next())) / LOT) * LOT);
      const next = side.sizes[k]! - cut * (thinUntil > now ? 2 : 1);
      if (next > 0) side.setSize(k, next);
      else if (k === 0) dropBest(side, levelSize(thinUntil > now ? 0.3 : 1));
      else side.setSize(k, LOT);
    }
    if (regime === 'burst' && bids.best > impulseHigh) impulseHigh = bids.best;
    const second = Math.floor(now / S);
    const slot = second % 180;
    if (lowStamp[slot] !== second) {
      lowStamp[slot] = second;
      lowBySecond[slot] = bids.best;
    } else if (bids.best < lowBySecond[slot]!) lowBySecond[slot] = bids.best;
    if (regime === 'pullback' && shelf === null && shelfAt > 0) {
      const k = Math.round((bids.best - shelfAt) / tick);
      if (k < 0) shelfAt = 0;
      else if (k <= LEVELS - 2) {
        shelf = { k, size: shelfSize };
        bids.setSize(k, shelfSize);
        shelfAt = 0;
      }
    }
    if (regime === 'pullback' && shelfTested && regimeEnds - now > exhaustAfter) regimeEnds = now + exhaustAfter;
    if (onTapeTurn) {
      while (tapeHead < tapeTimes.length && tapeTimes[tapeHead]! <= now - TAPE_WINDOW) tapeSum -= tapeSigned[tapeHead++]!;
      if (tapeHead > 4096) {
        tapeTimes.splice(0, tapeHead);
        tapeSigned.splice(0, tapeHead);
        tapeHead = 0;
      }
      if (regime === 'base' && !tapeTurned && tapeSum >= 0) {
        tapeTurned = true;
        if (episode !== null) episode.turnedAt = now;
        regimeEnds = Math.min(regimeEnds, now + Math.round(quality!.resolveDelaySeconds() * S));
      }
    }
    if (
      regime === 'breakdown'
        ? travelFrom - bids.best >= travel
        : direction * ((direction === 1 ? bids.best : asks.best) - travelFrom) >= travel
    ) {
      regimeEnds = now;
      travel = Infinity;
    }
    if (batch.length > 0) flush();
  }
  summary.lastTime = now;
  return summary;
}
