import type { Micros, Price, Quantity } from '../domain/units.js';
import type { PlannedBracket } from '../../ports/strategy.js';

export type GhostPhase = 'waiting' | 'open' | 'done' | 'unfilled';

/** The simulated result of one bracket, in integers until the label divides by the planned risk. */
export interface GhostOutcome {
  filledAt: Micros;
  fillPrice: Price;
  closedAt: Micros;
  quantity: Quantity;
  /** Σ (exit − fill) × shares over both legs, Price units × shares. */
  pnl: number;
  /** Worst and best best-bid against the fill while open, per share (≥ 0). */
  maxAdverse: Price;
  maxFavourable: Price;
  exitReason: string;
}

/** Nominal size for a trigger the strategy could not size (so the label still has a risk unit). */
export const GHOST_NOMINAL_QUANTITY = 100;

/**
 * A ghost bracket: the trigger's own entry limit, stop, TP1 (with the scale-out and the break-even stop) and TP2,
 * and its time stop, played against the book as batches arrive, as if the order had gone out. Long only, like the
 * planned bracket.
 *
 * Fill model (conservative, no queue position): the entry fills at the best ask once the ask is at or below the
 * limit, within `maxWait`; otherwise the ghost is `unfilled` and gives no label. Exits fill at the best bid of
 * the batch that triggers them (a stop that gaps fills below its price). Microstructure early exits are not
 * simulated: they depend on the strategy's live state, which the label must not re-derive.
 *
 * Integer maths only (prices, shares, µs); `onBook` allocates nothing; the outcome record is allocated once.
 */
export class GhostBracket {
  phase: GhostPhase = 'waiting';
  private fillPrice: Price = 0;
  private filledAt: Micros = 0;
  private low: Price = 0;
  private high: Price = 0;
  private scaled = false;
  private stop: Price;
  private rest: Quantity;
  private realised = 0;
  readonly quantity: Quantity;
  private readonly half: Quantity;
  outcome: GhostOutcome | null = null;

  constructor(
    readonly bracket: PlannedBracket,
    readonly decidedAt: Micros,
  ) {
    this.quantity = bracket.quantity > 0 ? bracket.quantity : GHOST_NOMINAL_QUANTITY;
    this.half = Math.floor(this.quantity * bracket.tp1Fraction);
    this.rest = this.quantity;
    this.stop = bracket.stop;
  }

  /** Advance on one batch end; returns true when the ghost finished (done or unfilled) at this batch. */
  onBook(bestBid: Price, bestAsk: Price, now: Micros): boolean {
    const b = this.bracket;
    if (this.phase === 'waiting') {
      if (bestAsk > 0 && bestAsk <= b.entry) {
        this.phase = 'open';
        this.fillPrice = bestAsk;
        this.filledAt = now;
        this.low = bestAsk;
        this.high = bestAsk;
        // The fill's batch can also trigger an exit (checked below).
      } else if (now - this.decidedAt > b.maxWait) {
        this.phase = 'unfilled';
        return true;
      } else return false;
    }
    if (this.phase !== 'open' || bestBid <= 0) return false;
    if (bestBid < this.low) this.low = bestBid;
    if (bestBid > this.high) this.high = bestBid;
    if (bestBid <= this.stop) return this.close(bestBid, now, this.scaled ? 'breakeven-stop' : 'stop-loss');
    if (!this.scaled && bestBid >= b.tp1) {
      this.scaled = true;
      this.realised += this.half * (bestBid - this.fillPrice);
      this.rest -= this.half;
      this.stop = b.breakEven;
      if (this.rest <= 0) return this.close(bestBid, now, 'tp1');
      return false;
    }
    if (this.scaled && bestBid >= b.tp2) return this.close(bestBid, now, 'tp2');
    const risk = b.entry - b.stop;
    // +timeStopR·R reached? Compared in integers scaled by 1e4 (timeStopR has at most 4 decimals in config).
    const reached = (this.high - this.fillPrice) * 10_000 >= Math.round(b.timeStopR * 10_000) * risk;
    if (!reached && now - this.filledAt >= b.timeStop) return this.close(bestBid, now, 'time-stop');
    return false;
  }

  /** End the ghost now at `bestBid` (session end, kill switch); an unfilled ghost just ends. */
  force(bestBid: Price, now: Micros, reason: string): void {
    if (this.phase === 'waiting') this.phase = 'unfilled';
    else if (this.phase === 'open') this.close(bestBid > 0 ? bestBid : this.fillPrice, now, reason);
  }

  private close(price: Price, now: Micros, reason: string): true {
    this.realised += this.rest * (price - this.fillPrice);
    this.rest = 0;
    this.phase = 'done';
    const low = Math.min(this.low, price);
    const high = Math.max(this.high, price);
    this.outcome = {
      filledAt: this.filledAt,
      fillPrice: this.fillPrice,
      closedAt: now,
      quantity: this.quantity,
      pnl: this.realised,
      maxAdverse: Math.max(0, this.fillPrice - low),
      maxFavourable: Math.max(0, high - this.fillPrice),
      exitReason: reason,
    };
    return true;
  }
}
