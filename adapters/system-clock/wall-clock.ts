import type { Micros } from '../../core/domain/units.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';

/**
 * The wall clock for sim-live, paper and live. `now()` is made monotonic (never decreases) even if the system
 * clock steps back, because core relies on that invariant.
 */
export class WallClock implements Clock {
  readonly kind = 'wall' as const;
  private last = 0;
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  now(): Micros {
    const t = Math.round(performance.timeOrigin * 1000 + performance.now() * 1000);
    if (t > this.last) this.last = t;
    return this.last;
  }

  setTimer(at: Micros, callback: () => void, label = ''): TimerHandle {
    return this.setTimeout(at - this.now(), callback, label);
  }

  setTimeout(delay: Micros, callback: () => void, _label = ''): TimerHandle {
    const id = this.nextId++;
    const handle = setTimeout(
      () => {
        this.timers.delete(id);
        callback();
      },
      Math.max(0, Math.ceil(delay / 1000)),
    );
    handle.unref?.();
    this.timers.set(id, handle);
    return { id };
  }

  cancelTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t) {
      clearTimeout(t);
      this.timers.delete(handle.id);
    }
  }

  /** Cancel every pending timer (shutdown). */
  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
