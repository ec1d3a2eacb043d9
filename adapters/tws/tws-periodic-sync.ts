import type { Clock, TimerHandle } from '../../ports/clock.js';

/**
 * The periodic reconciliation (docs/tws-account-and-reconciliation.md): while the link is Connected, every
 * `intervalMs` on the injected Clock, one pass runs (open orders, executions, positions — the broker wins — then the
 * account summary). The next pass is scheduled only once the previous one settled, so a slow TWS never gets passes
 * stacked on it. Stopped whenever the link leaves Connected (the reconnect's own reconciliation covers the gap) and
 * restarted when it is back.
 */
export class TwsPeriodicSync {
  private timer: TimerHandle | null = null;
  private generation = 0;

  constructor(private readonly clock: Clock, private readonly intervalMs: number, private readonly pass: () => Promise<void>) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    this.stop();
    if (this.intervalMs <= 0) return;
    this.schedule(++this.generation);
  }

  stop(): void {
    this.generation++;
    if (this.timer !== null) this.clock.cancelTimer(this.timer);
    this.timer = null;
  }

  private schedule(gen: number): void {
    this.timer = this.clock.setTimeout(this.intervalMs * 1_000, () => {
      this.timer = null;
      if (gen !== this.generation) return;
      this.pass().catch(() => undefined).finally(() => { if (gen === this.generation) this.schedule(gen); });
    }, 'tws periodic reconciliation');
  }
}
