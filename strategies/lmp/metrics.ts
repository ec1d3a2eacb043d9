import type { BookView } from '../../core/domain/book-view.js';
import type { TradeEvent } from '../../core/domain/market.js';
import type { Micros, Price } from '../../core/domain/units.js';
import { BASE_FEATURES, F, FeatureHistory, emptyMomentum, spreadLimit } from './features.js';
import { type LiveState, emptyLiveState } from './gates.js';
import type { LmpConfig } from './params.js';
import { SessionWindows } from './session-window.js';
import { ReplenishmentTracker, ShelfTracker } from './shelf.js';
import { SessionVwap, TapeWindow, classifyPrint } from './tape-window.js';

const MINUTE = 60_000_000;

/**
 * All LMP measurements for one symbol, updated in place: tape window, relative-volume window, session VWAP, shelf,
 * replenishment, feature history and momentum. `onBook` fills `state` and the live feature vector; nothing is
 * allocated per event after construction (typed-array rings, one reused state object).
 */
export class LmpMetrics {
  readonly state: LiveState = emptyLiveState();
  private readonly liveRow: Float64Array;
  /**
   * Whether the strategy may read the live vector outside `onBook` (an open trade, a snapshot timer pending): then
   * it is filled on every book event, since the book it is read from will have moved on by the time it is read.
   */
  keepLive = false;
  // Lazy live vector: the book and the retracement as they stood where the eager fill used to run.
  private liveBook: BookView | null = null;
  private liveRetracement = 0;
  private liveFresh = false;
  readonly history: FeatureHistory;
  readonly shelf: ShelfTracker;
  readonly sessions: SessionWindows;
  private readonly tape: TapeWindow;
  private readonly relVol: TapeWindow;
  private readonly vwap = new SessionVwap();
  private readonly replenish: ReplenishmentTracker;
  private readonly momentum = emptyMomentum();
  private lastPrice: Price = 0;
  /** Until when the name counts as broken (halt, gap, stale); +∞ while halted. */
  brokenUntil: Micros = 0;

  constructor(private readonly c: LmpConfig) {
    const p = c.p;
    this.sessions = new SessionWindows(p.timeZone, [p.session, ...p.extraWindows]);
    this.tape = new TapeWindow(c.tapeWindow);
    this.relVol = new TapeWindow(c.relVolWindow, 4096);
    this.shelf = new ShelfTracker(p.shelfK, p.topN, c.shelfPersistence);
    this.replenish = new ReplenishmentTracker(c.replenishWindow, p.replenishRefillRatio);
    const width = BASE_FEATURES.length + 2 * p.topN;
    this.liveRow = new Float64Array(width);
    // History must reach back over the impulse lookback and the T-3s snapshot.
    this.history = new FeatureHistory(c.sample, Math.max(c.impulseLookback, 30_000_000), width);
  }

  onTrade(trade: TradeEvent, book: BookView | undefined, now: Micros): void {
    const sign = classifyPrint(trade.aggressor, trade.price, book, this.lastPrice);
    this.lastPrice = trade.price;
    this.tape.push(now, trade.size, sign);
    this.relVol.push(now, trade.size, sign);
    this.vwap.add(trade.price, trade.size);
    if (sign < 0 && book !== undefined) this.replenish.onSellHit(trade.price, trade.size, book, now);
  }

  onBook(book: BookView, now: Micros): void {
    const s = this.state;
    const p = this.c.p;
    s.now = now;
    s.inSession = this.sessions.contains(now);
    s.broken = now < this.brokenUntil;
    s.bestBid = book.bestBid;
    s.bestAsk = book.bestAsk;
    s.crossed = book.crossed;
    s.spread = book.spread;
    // Book reads once each, into locals or `s`: past the inlining budget every getter is a call (bench/cpu-profile.ts lmp).
    const mid2 = book.mid2;
    s.mid = mid2 / 2;
    s.spreadLimit = spreadLimit(mid2, this.c.maxSpreadAbs, p.maxSpreadRel);
    s.topBid = book.topVolume('bid');
    s.topAsk = book.topVolume('ask');
    // bookImbalance's formula on the two volumes just read, without reading them again.
    s.imbalance = s.topBid + s.topAsk > 0 ? (s.topBid - s.topAsk) / (s.topBid + s.topAsk) : 0;
    s.tapeImbalance = this.tape.imbalance(now);
    this.relVol.evict(now);
    const base = p.baselineVolumePerMinute;
    s.relativeVolume = base === null ? Number.NaN : (this.relVol.totalVolume * (MINUTE / this.c.relVolWindow)) / base;
    s.vwap = this.vwap.value;
    this.shelf.update(book, now);
    const sh = this.shelf;
    s.shelfPresent = sh.present;
    s.shelfPersistent = sh.persistent(now);
    s.shelfPrice = sh.present ? sh.price : 0;
    s.shelfSizeRatio = sh.sizeRatio;
    s.shelfPersistenceSec = sh.persistence(now) / 1_000_000;
    s.shelfDistanceTicks = sh.present && s.bestBid > 0 ? (s.bestBid - sh.price) / p.tick : Number.NaN;
    this.replenish.onBook(book, now);
    s.replenishments = this.replenish.refills(now);
    // Most book events never read the vector: fill it only when a sample is due or someone asks for it.
    this.liveBook = book;
    this.liveRetracement = s.retracement;
    this.liveFresh = false;
    if (this.keepLive) this.fillLive();
    if (this.history.due(now) && this.history.maybeSample(now, this.live)) {
      this.history.momentum(now, this.c.impulseLookback, s.mid, this.momentum);
      s.impulseTicks = this.momentum.impulse / p.tick;
      s.volatilityTicks = this.momentum.volatility / p.tick;
    }
    const m = this.momentum;
    s.retracement = m.impulse > 0 ? (m.high - s.mid) / m.impulse : 0;
    s.swingLow = m.swingLow > 0 ? Math.min(m.swingLow, s.bestBid) : s.bestBid;
  }

  /**
   * The live feature vector of the latest book event. Filled on first read after `onBook`; exact only within that
   * `onBook` (same book, impulse and volatility not yet re-measured) or while `keepLive` is set.
   */
  get live(): Float64Array {
    if (!this.liveFresh && this.liveBook !== null) this.fillLive();
    return this.liveRow;
  }

  /** Impulse low/high as last measured (the strategy freezes them when it arms). */
  get impulseLow(): number {
    return this.momentum.low;
  }

  get impulseHigh(): number {
    return this.momentum.high;
  }

  /** Best bid `back` µs ago from the sampled history, or 0 when the history does not reach that far. */
  bidAgo(now: Micros, back: Micros): Price {
    const slot = this.history.slotAt(now - back);
    return slot < 0 ? 0 : this.history.value(slot, F.bestBid);
  }

  private fillLive(): void {
    const book = this.liveBook!;
    const s = this.state;
    const v = this.liveRow;
    this.liveFresh = true;
    v[F.imbalance] = s.imbalance;
    v[F.tapeImbalance] = s.tapeImbalance;
    v[F.spread] = s.spread;
    v[F.mid] = s.mid;
    v[F.bestBid] = s.bestBid;
    v[F.bestAsk] = s.bestAsk;
    v[F.shelfPrice] = s.shelfPrice;
    v[F.shelfSizeRatio] = s.shelfSizeRatio;
    v[F.shelfPersistenceSec] = s.shelfPersistenceSec;
    v[F.shelfDistanceTicks] = Number.isNaN(s.shelfDistanceTicks) ? -1 : s.shelfDistanceTicks;
    v[F.volatilityTicks] = s.volatilityTicks;
    v[F.impulseTicks] = s.impulseTicks;
    v[F.retracement] = this.liveRetracement;
    v[F.vwap] = s.vwap;
    v[F.relativeVolume] = Number.isNaN(s.relativeVolume) ? -1 : s.relativeVolume;
    v[F.replenishments] = s.replenishments;
    const n = this.c.p.topN;
    const off = BASE_FEATURES.length;
    for (let r = 0; r < n; r++) {
      v[off + r] = book.sizeAt('bid', r);
      v[off + n + r] = book.sizeAt('ask', r);
    }
  }
}
