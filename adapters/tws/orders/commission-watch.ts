import type { Micros } from '../../../core/domain/units.js';
import type { Clock, TimerHandle } from '../../../ports/clock.js';
import type { Emit } from './order-flow.js';

/**
 * The `commission-missing` diagnostic (docs/tws-account-and-reconciliation.md): TWS sends each execution's
 * commission in a separate report, normally milliseconds later. A fill that went out without one waits here; when
 * no report came within the timeout (on the injected Clock, so replays see the same verdict), a `broker.anomaly`
 * `commission-missing` names the execution. The fill itself stands: the diagnostic never invents an amount.
 */
export class TwsCommissionWatch {
  private readonly waiting = new Map<string, { handle: TimerHandle; coid: string; symbol: string; since: Micros }>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly emit: Emit,
  ) {}

  /** A fill without its commission was reported. */
  expect(execId: string, coid: string, symbol: string): void {
    if (this.waiting.has(execId)) return;
    const since = this.clock.now();
    const handle = this.clock.setTimeout(
      this.timeoutMs * 1_000,
      () => {
        this.waiting.delete(execId);
        this.emit('broker.anomaly', {
          kind: 'commission-missing',
          details: { execId, coid, symbol, waitedMs: this.timeoutMs },
          at: this.clock.now(),
        });
      },
      `tws commission ${execId}`,
    );
    this.waiting.set(execId, { handle, coid, symbol, since });
  }

  /** The commission report for an execution arrived. */
  arrived(execId: string): void {
    const w = this.waiting.get(execId);
    if (w === undefined) return;
    this.clock.cancelTimer(w.handle);
    this.waiting.delete(execId);
  }

  /** Executions still waiting for their commission. */
  get pending(): number {
    return this.waiting.size;
  }

  dispose(): void {
    for (const w of this.waiting.values()) this.clock.cancelTimer(w.handle);
    this.waiting.clear();
  }
}
