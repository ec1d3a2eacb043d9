/**
 * The adapter's own wall timers (heartbeat, deadlines, reconnect ladder). Every timer is unref'd, so a test run or
 * a process that is shutting down never waits on the adapter, and `clear()` cancels all of them at once on dispose.
 * Event timestamps never come from here: they come from the injected Clock.
 */
export class TwsTimers {
  private readonly live = new Set<NodeJS.Timeout>();
  private disposed = false;

  /** Runs `fn` once after `ms`; returns a cancel function. A no-op after `clear()`. */
  after(ms: number, fn: () => void): () => void {
    if (this.disposed) return () => {};
    const handle = setTimeout(() => {
      this.live.delete(handle);
      fn();
    }, Math.max(0, ms));
    handle.unref();
    this.live.add(handle);
    return () => {
      clearTimeout(handle);
      this.live.delete(handle);
    };
  }

  get pending(): number {
    return this.live.size;
  }

  clear(): void {
    for (const h of this.live) clearTimeout(h);
    this.live.clear();
  }

  dispose(): void {
    this.clear();
    this.disposed = true;
  }
}
