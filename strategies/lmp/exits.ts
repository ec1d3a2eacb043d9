import type { Micros, Price } from '../../core/domain/units.js';
import type { LiveState } from './gates.js';
import type { LmpConfig } from './params.js';

/** What an open long needs to decide exits; updated in place by the strategy. */
export interface PositionState {
  entryPrice: Price;
  filledAt: Micros;
  stop: Price;
  risk: Price;
  tp1: Price;
  tp2: Price;
  scaled: boolean;
  /** Highest best bid since the fill (for the +0.5R time-stop check). */
  maxBid: Price;
  /** Clock time the spread first exceeded its limit in the current breach, or 0 when within it. */
  spreadBreachSince: Micros;
  /** Best bid `bidStepDownSec` ago (from feature history), 0 when unknown. */
  bidBefore: Price;
}

export type ExitReason =
  | 'imbalance-flip'
  | 'tape-flip'
  | 'spread-breach'
  | 'shelf-gone-bid-down'
  | 'time-stop'
  | 'tp1'
  | 'tp2'
  | 'breakeven-stop';

/**
 * Microstructure early exits and profit/time rules (docs/lmp.md#lmp-6, #lmp-7), in priority order. Pure: returns the reason to act
 * on, or null. `shelfLost` is true when the shelf that carried the entry no longer qualifies.
 * Invariants: an early exit needs no price condition (it is immediate); TP1 fires once (`scaled`); after TP1,
 * TP2 and the break-even stop apply to the remainder; the time stop applies only before +timeStopR·R was reached.
 */
export function exitSignal(s: LiveState, pos: PositionState, shelfLost: boolean, c: LmpConfig): ExitReason | null {
  const p = c.p;
  if (s.imbalance < p.exitImbalanceBelow) return 'imbalance-flip';
  if (s.tapeImbalance < p.exitTapeBelow) return 'tape-flip';
  if (pos.spreadBreachSince > 0 && s.now - pos.spreadBreachSince > c.spreadBreach) return 'spread-breach';
  if (shelfLost && pos.bidBefore > 0 && pos.bidBefore - s.bestBid >= p.bidStepDownTicks * p.tick) return 'shelf-gone-bid-down';
  if (!pos.scaled && s.bestBid >= pos.tp1) return 'tp1';
  if (pos.scaled && s.bestBid >= pos.tp2) return 'tp2';
  if (pos.scaled && s.bestBid <= breakEven(pos, c)) return 'breakeven-stop';
  const reached = pos.maxBid - pos.entryPrice >= p.timeStopR * pos.risk;
  if (!reached && s.now - pos.filledAt >= c.timeStop) return 'time-stop';
  return null;
}

/** Break-even stop after TP1: entry plus a small buffer. */
export function breakEven(pos: PositionState, c: LmpConfig): Price {
  return pos.entryPrice + c.p.breakEvenBufferTicks * c.p.tick;
}

/**
 * What to do while a close is out (phase `exiting`): wait for the trade to close until `retryAt`; then, if shares are
 * still held (a remainder the close did not cover, or a close that failed), close again — the kernel sizes the
 * close to the position at that moment, less closes still pending — and only when flat with no trade-closed event,
 * stop waiting. A strategy never sits in `exiting` holding shares.
 */
export function exitingAction(held: number, now: Micros, retryAt: Micros): 'wait' | 'close-remainder' | 'assume-flat' {
  if (now < retryAt) return 'wait';
  return held !== 0 ? 'close-remainder' : 'assume-flat';
}

/** Whether an unfilled entry should be cancelled (docs/lmp.md#lmp-5: no fill in 2–4 s and microstructure weakened). */
export function entryCancelSignal(s: LiveState, submittedAt: Micros, shelfPresent: boolean, c: LmpConfig): 'weakened' | 'max-wait' | null {
  const waited = s.now - submittedAt;
  if (waited >= c.entryMaxWait) return 'max-wait';
  if (waited < c.entryCancel) return null;
  const weakened = s.imbalance < c.p.minImbalance || s.tapeImbalance < c.p.minRecoveredTape || !shelfPresent || s.spread > s.spreadLimit;
  return weakened ? 'weakened' : null;
}
