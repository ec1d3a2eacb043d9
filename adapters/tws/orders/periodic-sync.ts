import type { TwsTimers } from '../connection/timers.js';

/**
 * The periodic reconciliation (docs/tws-account-and-reconciliation.md): while the link is Connected, every
 * `intervalMs` on the connection's timers (the injected Clock), one pass runs (open orders, executions, positions — the
 * broker wins — and the account summary). The next pass is scheduled only once the previous one settled, so a slow
 * TWS never gets passes stacked on it. Stopped whenever the link leaves Connected (the reconnect's own
 * reconciliation covers the gap) and restarted when it is back.
 */
export class TwsPeriodicSync {
  private cancel: (() => void) | null = null;
  private generation = 0;

  constructor(
    private readonly timers: TwsTimers,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<void>,
  ) {}

  get running(): boolean {
    return this.cancel !== null;
  }

  start(): void {
    this.stop();
    if (this.intervalMs <= 0) return;
    this.schedule(++this.generation);
  }

  stop(): void {
    this.generation++;
    this.cancel?.();
    this.cancel = null;
  }

  private schedule(gen: number): void {
    this.cancel = this.timers.after(
      this.intervalMs,
      () => {
        this.cancel = null;
        if (gen !== this.generation) return;
        this.pass()
          .catch(() => undefined)
          .finally(() => {
            if (gen === this.generation) this.schedule(gen);
          });
      },
      'tws periodic reconciliation',
    );
  }
}
