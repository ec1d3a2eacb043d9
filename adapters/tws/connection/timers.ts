import type { Clock, TimerHandle } from '../../../ports/clock.js';

/**
 * The adapter's own timers (heartbeat, request and connect deadlines, reconnect ladder, reset-window checks), all on
 * the injected Clock: with the WallClock they are real, unref'd timers (a test run or a process that is shutting down
 * never waits on the adapter); with a virtual clock whoever drives the clock (replay, the conformance kit) fires them,
 * so a heartbeat budget or a ladder step is measured on the same time line as the events. `clear()` cancels every
 * pending timer at once on dispose.
 */
export class TwsTimers {
  private readonly live = new Set<TimerHandle>();
  private disposed = false;

  constructor(private readonly clock: Clock) {}

  /** Runs `fn` once after `ms` of Clock time; returns a cancel function. A no-op after `dispose()`. */
  after(ms: number, fn: () => void, label = 'tws'): () => void {
    if (this.disposed) return () => {};
    const handle = this.clock.setTimeout(
      Math.max(0, ms) * 1_000,
      () => {
        this.live.delete(handle);
        fn();
      },
      label,
    );
    this.live.add(handle);
    return () => {
      if (!this.live.delete(handle)) return;
      this.clock.cancelTimer(handle);
    };
  }

  /** Resolves after `ms` of Clock time (never, once disposed: the awaiting work is abandoned with the adapter). */
  sleep(ms: number, label = 'tws sleep'): Promise<void> {
    return new Promise<void>((resolve) => {
      this.after(ms, resolve, label);
    });
  }

  get pending(): number {
    return this.live.size;
  }

  clear(): void {
    for (const h of this.live) this.clock.cancelTimer(h);
    this.live.clear();
  }

  dispose(): void {
    this.clear();
    this.disposed = true;
  }
}
