import type { BookView } from '../domain/book-view.js';
import type { Micros, Price } from '../domain/units.js';
import type { Clock } from '../../ports/clock.js';
import type { Disposer } from '../../ports/create-token.js';
import type { ForcedExit, TrainingSample } from '../../ports/learner.js';
import type { ClosedTrade, PlannedBracket, TriggerRecord } from '../../ports/strategy.js';
import type { EventBus } from '../events/event-bus.js';
import type { JournalWriter } from '../engine/journal-writer.js';
import type { MarketRouter } from '../engine/market-router.js';
import type { TradeTracker } from '../engine/trade-tracker.js';
import { GhostBracket, type GhostPhase } from './ghost-bracket.js';
import { buildLabel, forcedExitOf } from './labels.js';
import { ENTRY_UNFILLED, GHOST_UNFILLED_ROW_TYPE, SAMPLE_ROW_TYPE, sampleIdOf, toStoredSample } from './sample-row.js';

/** Columns the recorder adds after the strategy's decision columns, in this order (ports/feature-spec.ts prefixes). */
export const OUTCOME_COLUMNS = [
  'fill.filled',
  'fill.slippageTicks',
  'fill.fillDelaySec',
  'p5s.markoutTicks',
  'p15s.markoutTicks',
  'exit.markoutTicks',
] as const;

export interface SampleRecorderDeps {
  sessionId: string;
  /** The session seed, part of every sample id (ids then repeat in identical replays). */
  seed: number;
  clock: Clock;
  journal: JournalWriter;
  bus: EventBus;
  router: MarketRouter;
  tracker: TradeTracker;
  /** True while the kill switch is engaged (HALT): trades closed then are flagged `kill-switch`. */
  killSwitchEngaged: () => boolean;
  syntheticWeight: number;
  forcedExitRCap: number;
}

interface Pending {
  strategyId: string;
  record: TriggerRecord;
  decidedAt: Micros;
  names: readonly string[];
  decision: readonly number[];
  entryCoid: string | null;
  filledQty: number;
  filledNotional: number;
  filledAt: Micros;
  fillPrice: Price;
  m5: number;
  m15: number;
  lastMid: number;
  /** The bracket that labels a trigger not taken; null for a taken one (its trade labels it). */
  ghost: GhostBracket | null;
}

interface Ghost extends Pending {
  ghost: GhostBracket;
}

/**
 * Taken and not-taken triggers from one literal, so every entry has one hidden class: the per-batch loops read them
 * on every book event. A ghost used to be `{ ...base, ghost }`, and past the ninth such spread each ghost had a class
 * of its own (docs/decisions/0011-hot-objects-from-classes.md).
 */
function entryOf<G extends GhostBracket | null>(
  strategyId: string,
  record: TriggerRecord,
  decidedAt: Micros,
  names: readonly string[],
  decision: readonly number[],
  ghost: G,
): Pending & { ghost: G } {
  return {
    strategyId,
    record,
    decidedAt,
    names,
    decision,
    entryCoid: null,
    filledQty: 0,
    filledNotional: 0,
    filledAt: 0,
    fillPrice: 0,
    m5: Number.NaN,
    m15: Number.NaN,
    lastMid: 0,
    ghost,
  };
}

/**
 * Turns every trigger a strategy reports into a training sample (docs/learning-data.md, "Samples"):
 * - a taken trigger waits for its trade to close and is labelled by the real fills (R on the planned risk, MAE/MFE
 *   from the trade tracker's integer marks), or, if the entry never filled, journaled as an `entry-unfilled` sample
 *   for execution statistics;
 * - a trigger not taken (cap, cooldown, risk denial, filter, size) is labelled by a ghost bracket on the book,
 *   marked `synthetic` and weighted `syntheticWeight`.
 * Samples are journaled (`sample` / `training.sample`) and handed to listeners (the learning pipeline).
 *
 * Per batch end it marks the tracker's open trades, advances the ghosts of that symbol and the markouts of the
 * pending trades, iterating arrays by index; allocation happens only when a trigger starts or ends.
 */
export class SampleRecorder {
  private ghosts: Ghost[] = [];
  private pending: Pending[] = [];
  private readonly coidsByTrade = new Map<string, string>();
  private readonly listeners: ((s: TrainingSample) => void)[] = [];
  private sessionEnding = false;
  readonly counts = { real: 0, synthetic: 0, ghostsUnfilled: 0, entriesUnfilled: 0 };

  constructor(private readonly d: SampleRecorderDeps) {}

  attach(): Disposer {
    const { bus, router } = this.d;
    const off = [
      router.onDepth((event, book) => {
        if (event.endOfBatch) this.onBook(book);
      }),
      bus.on(
        'intent.sent',
        (e) => {
          if (e.tradeId !== null && e.coids[0] !== undefined) this.coidsByTrade.set(e.tradeId, e.coids[0]);
        },
        'learning',
      ),
      bus.on('trade.closed', (t) => this.onTradeClosed(t), 'learning'),
      bus.on('order.filled', (f) => this.onFill(f.coid, f.qty, f.price, f.at), 'learning'),
      bus.on(
        'order.cancelled',
        (e) => {
          if (e.filledQty === 0) this.onEntryDead(e.coid);
        },
        'learning',
      ),
      bus.on('order.rejected', (e) => this.onEntryDead(e.coid), 'learning'),
    ];
    return () => {
      for (const f of off) f();
    };
  }

  /** Every sample, as it is journaled. */
  onSample(listener: (s: TrainingSample) => void): Disposer {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  onTrigger(strategyId: string, record: TriggerRecord): void {
    const now = this.d.clock.now();
    const names = Object.keys(record.features).sort();
    const decision = names.map((n) => record.features[n]!);
    if (record.taken) {
      const taken = entryOf(strategyId, record, now, names, decision, null);
      taken.entryCoid = this.coidsByTrade.get(record.triggerId) ?? null;
      this.coidsByTrade.delete(record.triggerId);
      this.pending.push(taken);
      return;
    }
    const ghost: Ghost = entryOf(strategyId, record, now, names, decision, new GhostBracket(record.bracket, now));
    this.ghosts.push(ghost);
    // The trigger's own batch may already fill it.
    const book = this.d.router.book(record.symbol);
    if (book !== undefined) this.advanceGhost(ghost, book, now);
  }

  /** Session end: open ghosts exit at the book (flagged), waiting ones end unfilled; real trades close through the
   * flatten and arrive as `trade.closed` before the journal's final flush. */
  beginSessionEnd(): void {
    this.sessionEnding = true;
  }

  finish(): void {
    const now = this.d.clock.now();
    for (const g of [...this.ghosts]) {
      const book = this.d.router.book(g.record.symbol);
      g.ghost.force(book?.bestBid ?? 0, now, this.d.killSwitchEngaged() ? 'kill-switch' : 'session-end');
      this.ghostEnded(g, now);
    }
  }

  private onBook(book: BookView): void {
    const symbol = book.symbol;
    this.d.tracker.mark(symbol, book.bestBid, book.bestAsk);
    const now = this.d.clock.now();
    const ghosts = this.ghosts;
    for (let i = 0; i < ghosts.length; i++) {
      const g = ghosts[i]!;
      if (g.record.symbol === symbol) this.advanceGhost(g, book, now);
    }
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      if (p.record.symbol === symbol && p.filledAt > 0) this.markout(p, book, now);
    }
  }

  private advanceGhost(g: Ghost, book: BookView, now: Micros): void {
    if (g.ghost.phase !== 'waiting' && g.ghost.phase !== 'open') return;
    const ended = g.ghost.onBook(book.bestBid, book.bestAsk, now);
    const phase = g.ghost.phase as GhostPhase;
    if (phase === 'open' || phase === 'done') {
      if (g.filledAt === 0) {
        g.filledAt = g.ghost.outcome?.filledAt ?? now;
        g.fillPrice = g.ghost.outcome?.fillPrice ?? book.bestAsk;
      }
      this.markout(g, book, now);
    }
    if (ended) this.ghostEnded(g, now);
  }

  private markout(p: Pending, book: BookView, now: Micros): void {
    const mid = book.mid2 / 2;
    p.lastMid = mid;
    const tick = p.record.bracket.tick ?? 100;
    if (Number.isNaN(p.m5) && now - p.filledAt >= 5_000_000) p.m5 = (mid - p.fillPrice) / tick;
    if (Number.isNaN(p.m15) && now - p.filledAt >= 15_000_000) p.m15 = (mid - p.fillPrice) / tick;
  }

  private ghostEnded(g: Ghost, now: Micros): void {
    this.ghosts = this.ghosts.filter((x) => x !== g);
    const o = g.ghost.outcome;
    if (g.ghost.phase === 'unfilled' || o === null) {
      this.counts.ghostsUnfilled++;
      this.d.journal.write(
        'sample',
        GHOST_UNFILLED_ROW_TYPE,
        { triggerId: g.record.triggerId, outcome: g.record.outcome, decidedAt: g.decidedAt },
        { symbol: g.record.symbol, strategyId: g.strategyId, tradeId: g.record.triggerId },
      );
      return;
    }
    const b = g.record.bracket;
    const forced: ForcedExit | null = o.exitReason === 'session-end' || o.exitReason === 'kill-switch' ? o.exitReason : null;
    const riskPerShare = b.entry - b.stop;
    const label = buildLabel({
      netPnl: o.pnl,
      plannedRisk: riskPerShare * o.quantity,
      maxAdverse: o.maxAdverse,
      maxFavourable: o.maxFavourable,
      riskPerShare,
      timeInTradeMicros: o.closedAt - o.filledAt,
      exitReason: o.exitReason,
      setupReason: g.record.setupReason,
      forced,
      rCap: this.d.forcedExitRCap,
    });
    this.emit(g, label, true, now, o.fillPrice);
  }

  private onTradeClosed(t: ClosedTrade): void {
    const i = this.pending.findIndex((p) => p.strategyId === t.strategyId && p.record.triggerId === t.tradeId);
    if (i < 0) return;
    const p = this.pending[i]!;
    this.pending.splice(i, 1);
    if (p.filledAt === 0) {
      p.filledAt = t.entryTime;
      p.fillPrice = t.entryPrice;
    }
    const b = p.record.bracket;
    const riskPerShare = b.entry - b.stop;
    const label = buildLabel({
      netPnl: t.netPnl,
      plannedRisk: riskPerShare * t.quantity,
      maxAdverse: t.maxAdverse ?? 0,
      maxFavourable: t.maxFavourable ?? 0,
      riskPerShare,
      timeInTradeMicros: t.exitTime - t.entryTime,
      exitReason: t.exitReason,
      setupReason: p.record.setupReason,
      forced: forcedExitOf(t.exitReason, this.d.killSwitchEngaged(), this.sessionEnding),
      rCap: this.d.forcedExitRCap,
    });
    this.emit(p, label, false, t.exitTime, t.entryPrice);
  }

  /** Entry fills of a taken trigger: the first fill's time and the average price (markouts count from them). */
  private onFill(coid: string, qty: number, price: Price, at: Micros): void {
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      if (p.entryCoid !== coid) continue;
      if (p.filledAt === 0) p.filledAt = at;
      p.filledQty += qty;
      p.filledNotional += qty * price;
      p.fillPrice = Math.round(p.filledNotional / p.filledQty);
      return;
    }
  }

  private onEntryDead(coid: string): void {
    const i = this.pending.findIndex((p) => p.entryCoid === coid && p.filledAt === 0);
    if (i < 0) return;
    const p = this.pending[i]!;
    // A partial fill opens a trade: that one closes through trade.closed instead.
    if (this.d.tracker.current(p.strategyId, p.record.symbol)?.tradeId === p.record.triggerId) return;
    this.pending.splice(i, 1);
    this.counts.entriesUnfilled++;
    this.emit(
      p,
      {
        r: 0,
        mae: 0,
        mfe: 0,
        win: false,
        timeInTrade: 0,
        exitReason: ENTRY_UNFILLED,
        setupReason: p.record.setupReason,
        forced: null,
        capped: false,
      },
      false,
      this.d.clock.now(),
      0,
    );
  }

  private emit(p: Pending, label: TrainingSample['label'], synthetic: boolean, closedAt: Micros, fillPrice: Price): void {
    const b: PlannedBracket = p.record.bracket;
    const tick = b.tick ?? 100;
    const filled = fillPrice > 0;
    const tail = [
      filled ? 1 : 0,
      filled ? (fillPrice - b.entry) / tick : 0,
      filled ? (p.filledAt - p.decidedAt) / 1_000_000 : 0,
      filled ? orLast(p.m5, p, fillPrice, tick) : 0,
      filled ? orLast(p.m15, p, fillPrice, tick) : 0,
      filled ? (p.lastMid > 0 ? (p.lastMid - fillPrice) / tick : 0) : 0,
    ];
    const sample: TrainingSample = {
      sampleId: sampleIdOf(p.decidedAt, this.d.seed, p.strategyId, p.record.triggerId),
      tradeId: p.record.triggerId,
      sessionId: this.d.sessionId,
      strategyId: p.strategyId,
      symbol: p.record.symbol,
      decidedAt: p.decidedAt,
      closedAt,
      synthetic,
      weight: synthetic ? this.d.syntheticWeight : 1,
      featureNames: [...p.names, ...OUTCOME_COLUMNS],
      features: [...p.decision, ...tail].map(finite),
      label,
    };
    if (synthetic) this.counts.synthetic++;
    else this.counts.real++;
    this.d.journal.write('sample', SAMPLE_ROW_TYPE, toStoredSample(sample) as unknown as Record<string, unknown>, {
      symbol: sample.symbol,
      strategyId: sample.strategyId,
      tradeId: sample.tradeId,
    });
    for (const l of this.listeners) l(sample);
  }
}

/** A markout the trade did not live to see is its value at the last batch it saw. */
function orLast(m: number, p: Pending, fillPrice: Price, tick: number): number {
  if (!Number.isNaN(m)) return m;
  return p.lastMid > 0 ? (p.lastMid - fillPrice) / tick : 0;
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}
