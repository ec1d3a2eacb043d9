import type { TwsTimers } from './timers.js';

/**
 * While IB's upstream is lost (Degraded) nothing arrives to act on, so the end of a reset window has to be noticed by
 * looking: every `periodMs` of Clock time the watch asks `overrun()`, and calls `escalate()` once it says the window
 * the outage relied on has ended (LEAN PR #258: an outage that began in the window was never escalated).
 */
export class TwsWindowWatch {
  private cancel: (() => void) | null = null;

  constructor(
    private readonly timers: TwsTimers,
    private readonly periodMs: number,
  ) {}

  start(active: () => boolean, overrun: () => boolean, escalate: () => void): void {
    this.stop();
    const tick = (): void => {
      this.cancel = this.timers.after(
        this.periodMs,
        () => {
          this.cancel = null;
          if (!active()) return;
          if (overrun()) escalate();
          else tick();
        },
        'tws reset-window check',
      );
    };
    tick();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }
}
