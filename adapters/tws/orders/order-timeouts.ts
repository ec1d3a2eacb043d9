import { TERMINAL_STATUSES } from '../../../core/domain/orders.js';
import type { Micros } from '../../../core/domain/units.js';
import type { Clock, TimerHandle } from '../../../ports/clock.js';
import { CANCEL, MODIFY } from './ack-watch.js';
import type { TwsBracketGuard } from './bracket-guard.js';
import type { TwsOrderLedger } from './order-ledger.js';
import type { Emit } from './order-flow.js';
import type { TwsReconciler } from './reconciler.js';

export interface TwsOrderTimeoutsDeps {
  clock: Clock;
  /** T_park in ms; default 60 s (docs/tws-adapter.md#fills). */
  parkTimeoutMs?: number;
  ledger: TwsOrderLedger;
  brackets: TwsBracketGuard;
  reconciler: TwsReconciler;
  emit: Emit;
  now: () => Micros;
  /** Whether the socket is up (a reconciliation can be sent). */
  linkUp: () => boolean;
  disposed: () => boolean;
}

/**
 * What the adapter does when the venue stays silent: an expired T_ack (placement, cancel or modify) and the T_park
 * timers of commissions and executions waiting for their other half. Everything runs on the injected Clock: these
 * timeouts are part of the order contract and replay under virtual time.
 */
export class TwsOrderTimeouts {
  private readonly parkTimers = new Set<TimerHandle>();

  constructor(private readonly d: TwsOrderTimeoutsDeps) {}

  /** A TwsAckWatch timer expired; its key says what it was waiting for. */
  expired(key: string): void {
    if (key.startsWith(CANCEL)) void this.requestTimedOut('cancel', key.slice(CANCEL.length));
    else if (key.startsWith(MODIFY)) void this.requestTimedOut('modify', key.slice(MODIFY.length));
    else this.ackTimedOut(key);
  }

  /** Runs `expire` after T_park on the injected Clock, unless the adapter is disposed first. */
  park(execId: string, expire: () => void): void {
    const h = this.d.clock.setTimeout(
      (this.d.parkTimeoutMs ?? 60_000) * 1_000,
      () => {
        this.parkTimers.delete(h);
        expire();
      },
      `tws park ${execId}`,
    );
    this.parkTimers.add(h);
  }

  dispose(): void {
    for (const h of this.parkTimers) this.d.clock.cancelTimer(h);
    this.parkTimers.clear();
  }

  /**
   * TWS never acknowledged a placement within T_ack: "unknown, reconcile" (docs/tws-adapter.md#unknown), never a guessed reject and never a
   * re-send. A bracket leg fails its bracket first, so the reconciliation sees the cancels of the other legs.
   */
  private ackTimedOut(coid: string): void {
    const d = this.d;
    const o = d.ledger.byCoid.get(coid);
    if (o === undefined || o.status !== 'PendingSubmit' || d.disposed()) return;
    o.status = 'Unknown';
    d.emit('order.unknown', { coid, cause: 'ack-timeout', at: d.now() });
    const reconcile = (): void => {
      if (d.linkUp()) void d.reconciler.run('ack-timeout');
    };
    if (!d.brackets.legFailed(o, 'unknown', reconcile)) reconcile();
  }

  /**
   * TWS never answered a cancel or modify within T_ack (BRK-53 b, c; docs/conformance-cards.md#brk-53): reconcile, then judge from what the
   * venue shows. Nothing is refused at the timeout itself: the answer may still be on its way, and a refusal there would be a guess.
   */
  private async requestTimedOut(kind: 'cancel' | 'modify', coid: string): Promise<void> {
    const d = this.d;
    const o = d.ledger.byCoid.get(coid);
    if (o === undefined || d.disposed() || TERMINAL_STATUSES.has(o.status)) return;
    if (kind === 'cancel' && (!o.cancelRequested || o.status === 'PendingCancel')) return;
    if (kind === 'modify' && (o.modifies ?? []).length === 0) return;
    if (!d.linkUp()) return; // the reconnect's own reconciliation settles it
    await d.reconciler.run('ack-timeout');
    if (d.disposed() || TERMINAL_STATUSES.has(o.status)) return; // the verdict settled it (cancelled, or filled)
    if (kind === 'cancel' && o.cancelRequested) {
      o.cancelRequested = false;
      d.emit('order.cancel-rejected', {
        coid,
        code: 'ORDER.CANCEL_UNCONFIRMED',
        reason: 'no answer from TWS; the order is still working there',
        reconciled: true,
        at: d.now(),
      });
    } else if (kind === 'modify' && (o.modifies ?? []).length > 0) {
      o.modifies = [];
      d.emit('order.modify-rejected', {
        coid,
        code: 'ORDER.MODIFY_UNCONFIRMED',
        reason: 'no answer from TWS; the order keeps its venue values',
        reconciled: true,
        at: d.now(),
      });
    }
  }
}
