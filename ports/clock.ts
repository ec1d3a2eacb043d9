import type { Micros } from '../core/domain/units.js';
import { createToken } from './create-token.js';

export interface TimerHandle {
  readonly id: number;
}

/**
 * The only source of time for core, strategies, learners and risk policies.
 *
 * Invariants:
 * - `now()` never decreases.
 * - A timer fires at most once, never before its `at`, and timers due at the same instant fire in the order they
 *   were set. A cancelled timer never fires; cancelling twice is harmless.
 * - Virtual clocks advance only with the event stream (`advanceTo`), so replay is deterministic; wall clocks
 *   advance by themselves.
 */
export interface Clock {
  readonly kind: 'virtual' | 'wall';
  now(): Micros;
  /** Fire `callback` at absolute time `at` (clamped to now). `label` shows in diagnostics. */
  setTimer(at: Micros, callback: () => void, label?: string): TimerHandle;
  /** Fire `callback` `delay` µs from now. */
  setTimeout(delay: Micros, callback: () => void, label?: string): TimerHandle;
  cancelTimer(handle: TimerHandle): void;
}

export const Clock = createToken<Clock>('Clock');

/** A clock that the event stream drives. Replay and the simulated broker use it. */
export interface VirtualClock extends Clock {
  readonly kind: 'virtual';
  /** Move time forward to `t`, firing every timer due at or before `t` in (time, set-order). Earlier `t` is ignored. */
  advanceTo(t: Micros): void;
  /** Time of the next pending timer, or null. */
  nextTimerAt(): Micros | null;
}
