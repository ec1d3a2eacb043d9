import type { BookView } from '../../core/domain/book-view.js';
import type { DepthEvent, FeedStatusEvent, TradeEvent } from '../../core/domain/market.js';
import type { Micros } from '../../core/domain/units.js';
import type { ClosedTrade, Strategy, StrategyContext, StrategyOrderUpdate, StrategySubscription } from '../../ports/strategy.js';
import { entryLevels } from './entry.js';
import { type PositionState, breakEven, entryCancelSignal, exitSignal, exitingAction } from './exits.js';
import { type DECISION_STAGES, decision } from './decision-log.js';
import { type GateRecord, SETUP_GATES, TRIGGER_GATES, UNIVERSE_GATES, firstFailing, gateRecord } from './gates.js';
import { LmpMetrics } from './metrics.js';
import { type LmpConfig, type LmpParams, compileParams } from './params.js';
import { positionSize } from './sizing.js';
import { SnapshotWriter, type TradeLevels } from './snapshots.js';
import { type MemoryAdvice, readAdvice } from './memory-advice.js';
import { LmpTriggerReports } from './trigger-reports.js';
import { decisionFeatures } from './learning-features.js';

type DecisionStage = (typeof DECISION_STAGES)[number];

export type LmpPhase = 'scanning' | 'armed' | 'pending' | 'long' | 'exiting';

const BROKEN: ReadonlySet<string> = new Set(['halted', 'gap', 'stale', 'suspect', 'interrupted']);
const SKIP_RECORD_GAP: Micros = 1_000_000;
const EXIT_CONFIRM: Micros = 30_000_000;

/**
 * LOB Momentum Pullback (docs/lmp.md#lmp), long only, one symbol.
 *
 * Phases: scanning (universe + setup gates) → armed (impulse frozen, waiting for the pullback trigger) → pending
 * (bracket entry working) → long (exits managed) → exiting (close sent, waiting for the trade to close) → scanning.
 * Invariants: at most one entry intent is outstanding; every phase change writes a decision record with the gate
 * values behind it; time comes only from `ctx.clock`; per-event work reuses the metrics' typed arrays and state.
 */
export class LmpStrategy implements Strategy {
  readonly id: string;
  readonly config: LmpConfig;
  readonly metrics: LmpMetrics;
  phase: LmpPhase = 'scanning';
  private readonly snaps: SnapshotWriter;
  // Memory in force and the gate config derived from it; rebuilt only when the version changes.
  private adviceVersion = -1;
  private advice: MemoryAdvice | null = null;
  private gateConfig: LmpConfig;
  private entries = 0;
  private cooldownUntil: Micros = 0;
  private lastSkip = '';
  private lastSkipAt: Micros = -SKIP_RECORD_GAP;
  // Armed impulse, frozen when the setup passed; a new high restarts the pullback.
  private armedAt: Micros = 0;
  private armedLow = 0;
  private armedHigh = 0;
  private swingLow = 0;
  private armedSpreadSince: Micros = 0;
  // Working trade.
  private trade: TradeLevels | null = null;
  private entryCoid = '';
  private childCoids: string[] = [];
  private cancelSent = false;
  private entryShelf = 0;
  private filledQty = 0;
  private intendedQty = 0;
  private retryAt: Micros = 0;
  private readonly triggers: LmpTriggerReports;
  private readonly pos: PositionState = {
    entryPrice: 0,
    filledAt: 0,
    stop: 0,
    risk: 0,
    tp1: 0,
    tp2: 0,
    scaled: false,
    maxBid: 0,
    spreadBreachSince: 0,
    bidBefore: 0,
  };

  constructor(private readonly ctx: StrategyContext<LmpParams>) {
    this.id = ctx.strategyId;
    this.config = compileParams(ctx.params as LmpParams);
    this.metrics = new LmpMetrics(this.config);
    this.snaps = new SnapshotWriter(ctx as StrategyContext<unknown>, this.metrics.history, this.config.p.topN, this.config.p.tick);
    this.gateConfig = this.config;
    this.triggers = new LmpTriggerReports(ctx, this.id, this.config, this.metrics);
  }

  subscriptions(): readonly StrategySubscription[] {
    const p = this.config.p;
    return [{ symbol: p.symbol, streams: ['depth', 'tape'], levels: p.levels }];
  }

  onTrade(trade: TradeEvent, book: BookView | undefined): void {
    if (trade.symbol !== this.config.p.symbol) return;
    this.metrics.onTrade(trade, book, this.ctx.clock.now());
  }

  onStatus(status: FeedStatusEvent): void {
    if (status.symbol !== this.config.p.symbol) return;
    const now = this.ctx.clock.now();
    if (BROKEN.has(status.status)) {
      // Halted names stay excluded until resumed; a gap or stale feed for the cooldown after it was seen.
      this.metrics.brokenUntil = status.status === 'halted' ? Number.POSITIVE_INFINITY : now + this.config.brokenCooldown;
      this.decide('status', `excluded:${status.status}`, { feedHealthy: { value: status.status, pass: false } }, status.reason);
      if (this.phase === 'armed') this.phase = 'scanning';
      if (this.phase === 'pending' && !this.cancelSent) this.cancelEntry('feed-broken');
      if (this.phase === 'long' && status.status !== 'halted') this.exit('feed-broken');
    } else if (status.status === 'resumed' || status.status === 'trading') {
      if (this.metrics.brokenUntil > now) this.metrics.brokenUntil = now + this.config.brokenCooldown;
    }
  }

  onBook(book: BookView, _event: DepthEvent): void {
    if (book.symbol !== this.config.p.symbol) return;
    const now = this.ctx.clock.now();
    // The live vector is read outside book events only by a trade's snapshots (strategies/lmp/snapshots.ts).
    this.metrics.keepLive = this.trade !== null || this.snaps.pending > 0;
    this.metrics.onBook(book, now);
    switch (this.phase) {
      case 'scanning':
        return this.scan(now);
      case 'armed':
        return this.armed(now);
      case 'pending':
        return this.pending();
      case 'long':
        return this.manage(now);
      case 'exiting':
        return this.exiting(now);
    }
  }

  onOrder(u: StrategyOrderUpdate): void {
    if (u.symbol !== this.config.p.symbol || this.trade === null) return;
    if (u.coid === this.entryCoid) {
      if (u.type === 'filled' && u.qty !== undefined && u.price !== undefined) return this.onEntryFill(u.qty, u.price);
      if ((u.type === 'cancelled' || u.type === 'rejected') && this.phase === 'pending') {
        this.decide('cancel', `entry-${u.type}`, {}, u.reason);
        this.reset();
      }
    }
  }

  onTradeClosed(t: ClosedTrade): void {
    if (t.symbol !== this.config.p.symbol || t.strategyId !== this.id) return;
    const now = this.ctx.clock.now();
    if (this.trade !== null && this.trade.tradeId === t.tradeId) this.snaps.emitLive('exit', this.trade, this.metrics.live);
    if (t.netPnl < 0) this.cooldownUntil = now + this.config.cooldownAfterStop;
    this.decide('closed', t.exitReason, { netPnl: { value: t.netPnl, pass: t.netPnl >= 0 } }, undefined, t.tradeId);
    this.reset();
  }

  private scan(now: Micros): void {
    const s = this.metrics.state;
    const c = this.effectiveConfig();
    if (this.entries >= c.p.maxEntries) {
      this.skip(now, 'maxEntries');
      return this.triggers.shadow(now, 'maxEntries');
    }
    if (now < this.cooldownUntil) {
      this.skip(now, 'cooldown');
      return this.triggers.shadow(now, 'cooldown');
    }
    const fail = firstFailing(UNIVERSE_GATES, s, c) ?? firstFailing(SETUP_GATES, s, c);
    if (fail !== null) return this.skip(now, fail.name);
    this.triggers.resetShadow();
    this.phase = 'armed';
    this.armedAt = now;
    this.armedLow = this.metrics.impulseLow;
    this.armedHigh = Math.max(this.metrics.impulseHigh, s.mid);
    this.swingLow = s.bestBid;
    this.armedSpreadSince = 0;
    this.lastSkip = '';
    this.decide('setup', 'armed', gateRecord(s, c, UNIVERSE_GATES, SETUP_GATES), `impulse ${this.armedLow}→${this.armedHigh}`);
  }

  private armed(now: Micros): void {
    const s = this.metrics.state;
    const c = this.effectiveConfig();
    if (s.mid > this.armedHigh) {
      this.armedHigh = s.mid;
      this.swingLow = s.bestBid;
    } else if (s.bestBid < this.swingLow) this.swingLow = s.bestBid;
    // The pullback is measured against the impulse frozen at arming, not the rolling lookback.
    s.retracement = (this.armedHigh - s.mid) / (this.armedHigh - this.armedLow);
    s.swingLow = this.swingLow;
    // A sweep widens the spread for a batch or two; like the exit rule, only a breach that lasts disarms.
    if (s.spread > s.spreadLimit) {
      if (this.armedSpreadSince === 0) this.armedSpreadSince = now;
    } else this.armedSpreadSince = 0;
    const universe = firstFailing(UNIVERSE_GATES, s, c);
    const spreadOnly = universe !== null && universe.name === 'spread' && now - this.armedSpreadSince <= c.spreadBreach;
    if (spreadOnly) return;
    const disarm =
      universe !== null
        ? universe.name
        : s.retracement > c.p.maxRetracement && !(s.shelfPresent && s.bestBid >= s.shelfPrice)
          ? 'pullbackTooDeep'
          : now - this.armedAt > c.impulseLookback
            ? 'expired'
            : null;
    if (disarm !== null) {
      this.phase = 'scanning';
      return this.decide('setup', `disarmed:${disarm}`, gateRecord(s, c, UNIVERSE_GATES, TRIGGER_GATES));
    }
    if (firstFailing(TRIGGER_GATES, s, c) === null) this.enter(now);
  }

  private enter(now: Micros): void {
    const s = this.metrics.state;
    const c = this.effectiveConfig();
    const p = c.p;
    const advice = this.advice;
    const buffer = advice?.stopBufferTicks ?? null;
    const lv = entryLevels({
      bestAsk: s.bestAsk,
      shelfPrice: s.shelfPrice + (advice?.entryOffsetTicks ?? 0) * p.tick,
      swingLow: this.swingLow,
      tick: p.tick,
      volatilityTicks: s.volatilityTicks,
      stopBufferMinTicks: buffer ?? p.stopBufferMinTicks,
      stopBufferMaxTicks: buffer ?? p.stopBufferMaxTicks,
      tp1R: p.tp1R,
      tp2R: p.tp2R,
    });
    const size = positionSize({
      equity: this.ctx.equity(),
      riskFraction: p.riskFraction,
      entry: lv.limit,
      stop: lv.stop,
      maxPositionValue: c.maxPositionValue,
      maxShares: p.maxShares,
    });
    const gates = gateRecord(s, c, UNIVERSE_GATES, TRIGGER_GATES);
    gates.size = { value: size.shares, threshold: size.boundBy, pass: size.shares > 0 };
    const levels = `limit ${lv.limit} stop ${lv.stop} tp1 ${lv.tp1} tp2 ${lv.tp2} R ${lv.risk} buffer ${lv.bufferTicks}t`;
    const features = decisionFeatures(this.metrics.history, this.metrics.live, now, p.topN, p.tick, lv, s.bestAsk);
    if (advice !== null) {
      gates.memory = { value: advice.version, threshold: advice.checksum, pass: true };
      if (advice.entryOffsetTicks !== 0 || buffer !== null)
        gates.memoryExecution = { value: `offset ${advice.entryOffsetTicks}t buffer ${buffer ?? 'vol'}`, pass: true };
      for (const [k, v] of Object.entries(advice.thresholds))
        gates[`memory.${k}`] = { value: v, threshold: (p as unknown as Record<string, number>)[k]!, pass: true };
      const m = this.ctx.memory()!;
      const score = m.score?.(features) ?? null;
      const min = m.minScore ?? null;
      if (score !== null && min !== null) {
        gates.memoryFilter = { value: Math.round(score * 1e6) / 1e6, threshold: min, pass: score >= min };
        if (score < min) {
          // A known failure pattern: skip this trigger (and this setup) as a gate would.
          this.phase = 'scanning';
          this.cooldownUntil = now + c.entryMaxWait;
          this.triggers.ghost('filter', lv, size.shares, features);
          return this.decide('entry', 'skipped:memory-filter', gates, levels);
        }
      }
    }
    if (size.shares <= 0) {
      this.phase = 'scanning';
      this.triggers.ghost('size', lv, 0, features);
      return this.decide('entry', 'skipped:size', gates, levels);
    }
    const result = this.ctx.submit({
      symbol: p.symbol,
      kind: 'entry',
      side: 'buy',
      type: 'limit',
      quantity: size.shares,
      limitPrice: lv.limit,
      stopLoss: lv.stop,
      takeProfit: lv.tp2,
      reason: 'lmp-pullback',
    });
    const tradeId = result.status === 'sent' ? (result.tradeId ?? undefined) : undefined;
    this.decide('entry', result.status, gates, levels, tradeId, result.intentId);
    this.triggers.report(
      result.status === 'sent' ? (tradeId ?? result.intentId) : result.intentId,
      result.status === 'sent',
      result.status,
      lv,
      size.shares,
      features,
    );
    if (result.status !== 'sent') {
      // A denial is a value: back off for the entry window instead of asking risk again at every batch.
      this.phase = 'scanning';
      this.cooldownUntil = now + c.entryMaxWait;
      return;
    }
    this.phase = 'pending';
    this.intendedQty = size.shares;
    this.entryCoid = result.coids[0] ?? '';
    this.childCoids = result.coids.slice(1);
    this.cancelSent = false;
    this.entryShelf = s.shelfPrice;
    this.filledQty = 0;
    this.trade = {
      tradeId: tradeId ?? result.intentId,
      decidedAt: now,
      limit: lv.limit,
      stop: lv.stop,
      tp1: lv.tp1,
      tp2: lv.tp2,
      fillPrice: 0,
      filledAt: 0,
    };
    Object.assign(this.pos, { stop: lv.stop, risk: lv.risk, tp1: lv.tp1, tp2: lv.tp2, scaled: false, spreadBreachSince: 0 });
  }

  /** The gate config under the memory in force (thresholds within bounds); the roadmap defaults without memory. */
  private effectiveConfig(): LmpConfig {
    const m = this.ctx.memory();
    const version = m?.version ?? -1;
    if (version !== this.adviceVersion) {
      this.adviceVersion = version;
      this.advice = m === null ? null : readAdvice(m, this.config.p);
      const t = this.advice?.thresholds ?? {};
      this.gateConfig = Object.keys(t).length === 0 ? this.config : compileParams({ ...this.config.p, ...t });
    }
    return this.gateConfig;
  }

  private pending(): void {
    if (this.cancelSent || this.trade === null) return;
    const s = this.metrics.state;
    const why = entryCancelSignal(s, this.trade.decidedAt, s.shelfPresent && s.shelfPrice === this.entryShelf, this.config);
    if (why !== null) this.cancelEntry(why);
  }

  private cancelEntry(why: string): void {
    this.cancelSent = true;
    this.ctx.cancel(this.entryCoid);
    this.decide('cancel', why, gateRecord(this.metrics.state, this.config, TRIGGER_GATES));
  }

  private onEntryFill(qty: number, price: number): void {
    const t = this.trade!;
    const now = this.ctx.clock.now();
    t.fillPrice = Math.round((t.fillPrice * this.filledQty + price * qty) / (this.filledQty + qty));
    this.filledQty += qty;
    this.pos.entryPrice = t.fillPrice;
    if (this.phase !== 'pending') return;
    t.filledAt = now;
    this.entries++;
    this.phase = 'long';
    this.pos.filledAt = now;
    this.pos.maxBid = this.metrics.state.bestBid;
    this.snaps.onEntryFill(t, this.metrics.live);
  }

  private manage(now: Micros): void {
    const s = this.metrics.state;
    const c = this.config;
    const pos = this.pos;
    if (s.bestBid > pos.maxBid) pos.maxBid = s.bestBid;
    if (s.spread > s.spreadLimit) {
      if (pos.spreadBreachSince === 0) pos.spreadBreachSince = now;
    } else pos.spreadBreachSince = 0;
    pos.bidBefore = this.metrics.bidAgo(now, c.bidStepDown);
    if (!s.inSession) return this.exit('session-end');
    const shelfLost = !(s.shelfPresent && s.shelfPrice === this.entryShelf);
    const signal = exitSignal(s, pos, shelfLost, c);
    if (signal === 'tp1') return this.scaleOut();
    // After TP1 a resting stop protects the rest at break-even; a software close too could sell twice.
    if (signal === 'breakeven-stop' && this.childCoids.length > 0) return;
    if (signal !== null && now >= this.retryAt) this.exit(signal);
  }

  /** TP1: sell tp1Fraction at the bid, replace the bracket's children by a break-even stop on the remainder. */
  private scaleOut(): void {
    const p = this.config.p;
    const s = this.metrics.state;
    this.pos.scaled = true;
    // What is held now, not what the entry filled: the bracket's take-profit may have sold part of it already.
    const held = Math.min(this.filledQty, Math.max(0, this.ctx.position(p.symbol)?.quantity ?? 0));
    const half = Math.floor(held * p.tp1Fraction);
    const rest = held - half;
    if (this.filledQty < this.intendedQty) this.ctx.cancel(this.entryCoid);
    for (const coid of this.childCoids) this.ctx.cancel(coid);
    const sold =
      half > 0
        ? this.ctx.submit({
            symbol: p.symbol,
            kind: 'exit',
            side: 'sell',
            type: 'limit',
            quantity: half,
            limitPrice: s.bestBid,
            reason: 'lmp-tp1',
          })
        : null;
    const be = breakEven(this.pos, this.config);
    const stop =
      rest > 0
        ? this.ctx.submit({
            symbol: p.symbol,
            kind: 'exit',
            side: 'sell',
            type: 'stop',
            quantity: rest,
            triggerPrice: be,
            reason: 'lmp-breakeven-stop',
          })
        : null;
    this.childCoids = stop !== null && stop.status === 'sent' ? [...stop.coids] : [];
    this.filledQty = rest;
    const gates = gateRecord(s, this.config, SETUP_GATES);
    gates.tp1 = { value: s.bestBid, threshold: this.pos.tp1, pass: true };
    this.decide(
      'exit',
      'tp1',
      gates,
      `sold ${half} (${sold?.status ?? 'none'}), stop ${rest} at ${be} (${stop?.status ?? 'none'})`,
      this.trade?.tradeId,
      sold?.intentId,
    );
  }

  private exit(reason: string): void {
    const s = this.metrics.state;
    const result = this.ctx.close(this.config.p.symbol, `lmp-${reason}`);
    const gates = gateRecord(s, this.config, SETUP_GATES);
    gates.spreadLimit = { value: s.spread, threshold: s.spreadLimit, pass: s.spread <= s.spreadLimit };
    this.decide('exit', reason, gates, undefined, this.trade?.tradeId, result?.intentId);
    if (result === null) return this.reset();
    if (result.status === 'sent') {
      this.phase = 'exiting';
      this.retryAt = this.ctx.clock.now() + EXIT_CONFIRM;
    }
    // A denied or rejected exit is a value too: stay long and ask again after a second, not at every batch.
    else this.retryAt = this.ctx.clock.now() + SKIP_RECORD_GAP;
  }

  /** Normally `onTradeClosed` ends the trade; if shares are still held, close them again; if flat, do not stay stuck. */
  private exiting(now: Micros): void {
    const action = exitingAction(this.ctx.position(this.config.p.symbol)?.quantity ?? 0, now, this.retryAt);
    if (action === 'wait') return;
    if (action === 'close-remainder') return this.exit('remainder');
    this.decide('closed', 'assumed-flat', {}, 'no trade-closed event after the exit', this.trade?.tradeId);
    this.reset();
  }

  private skip(now: Micros, gate: string): void {
    if (gate === this.lastSkip || now - this.lastSkipAt < SKIP_RECORD_GAP) return;
    this.lastSkip = gate;
    this.lastSkipAt = now;
    const c = this.config;
    this.decide('skip', `blocked:${gate}`, gateRecord(this.metrics.state, c, UNIVERSE_GATES, SETUP_GATES));
  }

  private reset(): void {
    this.phase = 'scanning';
    this.retryAt = 0;
    this.trade = null;
    this.entryCoid = '';
    this.childCoids = [];
    this.filledQty = 0;
    this.pos.scaled = false;
  }

  private decide(stage: DecisionStage, outcome: string, gates: GateRecord, note?: string, tradeId?: string, intentId?: string): void {
    this.ctx.decide(decision(this.config.p.symbol, stage, outcome, gates, note, tradeId, intentId));
  }
}
