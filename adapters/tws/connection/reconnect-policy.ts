import type { Micros } from '../../../core/domain/units.js';
import { inResetWindow, type ResetWindow, type ResetWindowHit } from './reset-windows.js';

export interface ReconnectPolicyOptions {
  /** Ladder steps (ms); attempts past the end repeat the last step (the cap). */
  backoffMs: readonly number[];
  /** Attempts outside reset windows before the adapter gives up and escalates. */
  maxAttempts: number;
  /** Seeded source in [0, 1): each step gets ±20 % jitter so many clients do not reconnect in lockstep. */
  jitter: () => number;
  resetWindows: readonly ResetWindow[];
  /** Retry period inside a reset window: slow, quiet, and not counted against the ladder. */
  resetRetryMs: number;
}

export type ReconnectDecision =
  | { kind: 'retry'; delayMs: number; attempt: number; quiet: boolean; window: ResetWindowHit | null }
  | { kind: 'escalate'; reason: string; code: 'BROKER.RESET_WINDOW_OVERRUN' | 'BROKER.RECONNECT_EXHAUSTED' };

/**
 * Decides what happens while the link (or IB upstream) is down. Inside a reset window a disconnect is routine, so
 * the adapter stays quiet and retries slowly. If the outage touched a window and the window has ended, it escalates
 * at once: LEAN PR #258 shows the failure this prevents (a disconnect that began in the window, never escalated,
 * 833 × 1100 over 15 h). Outside windows the ladder is bounded.
 */
export class ReconnectPolicy {
  private attempts = 0;
  private sawWindow = false;

  constructor(private readonly o: ReconnectPolicyOptions) {}

  /** A new outage begins (or the previous one ended: a successful sync resets the ladder). */
  reset(): void {
    this.attempts = 0;
    this.sawWindow = false;
  }

  get attemptsMade(): number {
    return this.attempts;
  }

  /** Whether `now` is inside a window; remembers that this outage saw one. */
  window(now: Micros): ResetWindowHit | null {
    const hit = inResetWindow(now, this.o.resetWindows);
    if (hit !== null) this.sawWindow = true;
    return hit;
  }

  /** The outage is still on at `now`: escalate if a window it relied on has ended. */
  overrun(now: Micros): boolean {
    return this.window(now) === null && this.sawWindow;
  }

  next(now: Micros): ReconnectDecision {
    const hit = this.window(now);
    if (hit !== null) return { kind: 'retry', delayMs: this.o.resetRetryMs, attempt: this.attempts, quiet: true, window: hit };
    if (this.sawWindow)
      return { kind: 'escalate', reason: 'still disconnected after the IB reset window ended', code: 'BROKER.RESET_WINDOW_OVERRUN' };
    if (this.attempts >= this.o.maxAttempts) {
      return { kind: 'escalate', reason: `reconnect failed after ${this.attempts} attempts`, code: 'BROKER.RECONNECT_EXHAUSTED' };
    }
    const delayMs = this.backoff();
    return { kind: 'retry', delayMs, attempt: this.attempts, quiet: false, window: null };
  }

  /**
   * The next ladder step with its jitter, counted as an attempt, with no window or bound check: the first connect
   * uses it, because it is bounded by its own deadline (BRK-07 b, docs/conformance-cards.md#brk-07), not by the attempt count.
   */
  backoff(): number {
    const ladder = this.o.backoffMs;
    const base = ladder[Math.min(this.attempts, ladder.length - 1)] ?? 1_000;
    this.attempts++;
    return Math.max(0, Math.round(base * (1 + 0.2 * (2 * this.o.jitter() - 1))));
  }
}
