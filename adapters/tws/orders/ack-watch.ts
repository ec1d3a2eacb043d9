import type { Micros } from '../../../core/domain/units.js';
import type { Clock, TimerHandle } from '../../../ports/clock.js';

/** Keys of the cancel and modify acknowledgement timers (a placement's timer is keyed by its bare coid). */
export const CANCEL = 'cancel:';
export const MODIFY = 'modify:';

/**
 * One acknowledgement timer per placement (docs/tws-adapter.md#timeouts, #unknown): TWS may swallow a placement without a word, and silence
 * must become "unknown, reconcile", never a guessed reject. The timers run on the injected Clock, because T_ack is part of
 * the order contract (virtual time in replays and the conformance kit), unlike the socket timers in TwsTimers.
 */
export class TwsAckWatch {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutUs: Micros,
    private readonly expired: (coid: string) => void,
  ) {}

  start(coid: string): void {
    this.stop(coid);
    this.timers.set(
      coid,
      this.clock.setTimeout(
        this.timeoutUs,
        () => {
          this.timers.delete(coid);
          this.expired(coid);
        },
        `tws ack ${coid}`,
      ),
    );
  }

  stop(coid: string): void {
    const h = this.timers.get(coid);
    if (h === undefined) return;
    this.clock.cancelTimer(h);
    this.timers.delete(coid);
  }

  /** On disconnect and dispose: what was in flight is judged by the disconnect path or the next reconciliation. */
  stopAll(): void {
    for (const h of this.timers.values()) this.clock.cancelTimer(h);
    this.timers.clear();
  }
}
