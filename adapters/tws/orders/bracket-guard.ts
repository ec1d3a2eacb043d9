import type { BracketRequest } from '../../../core/domain/orders.js';
import { TERMINAL_STATUSES } from '../../../core/domain/orders.js';
import type { Micros } from '../../../core/domain/units.js';
import type { BrokerEvents } from '../../../ports/broker-adapter.js';
import type { TwsOrder, TwsOrderLedger } from './order-ledger.js';
import type { Emit } from './order-flow.js';

type Leg = BrokerEvents['bracket.failed']['leg'];

interface Tracked {
  legs: Record<Leg, string>;
  failed: { leg: Leg; cause: 'rejected' | 'unknown'; then: (() => void) | null } | null;
  reported: boolean;
}

/**
 * A bracket is in place as a whole or not at all (docs/tws-adapter.md#brackets): when one leg is refused or never acknowledged, the other
 * legs are cancelled (reason bracket-leg-rejected) and, once every other leg is terminal, `bracket.failed` names the
 * leg and the cause. A working exit without its entry, or an entry without its stop, is never left behind.
 */
export class TwsBracketGuard {
  private readonly brackets = new Map<string, Tracked>();

  constructor(
    private readonly ledger: TwsOrderLedger,
    private readonly emit: Emit,
    private readonly now: () => Micros,
    /** Sends a cancel for a leg; false when nothing can be sent (the link is down): reconciliation settles it. */
    private readonly sendCancel: (o: TwsOrder) => boolean,
  ) {}

  add(b: BracketRequest): void {
    this.brackets.set(b.bracketId, {
      legs: { parent: b.parent.coid, 'stop-loss': b.stopLoss.coid, 'take-profit': b.takeProfit.coid },
      failed: null,
      reported: false,
    });
  }

  /** A leg was rejected or went unknown; `then` runs after `bracket.failed` (the reconciliation of an unknown leg). */
  legFailed(o: TwsOrder, cause: 'rejected' | 'unknown', then: (() => void) | null = null): boolean {
    const b = o.req.bracketId === undefined ? undefined : this.brackets.get(o.req.bracketId);
    const leg = b === undefined ? undefined : (Object.keys(b.legs) as Leg[]).find((k) => b.legs[k] === o.req.coid);
    if (b === undefined || leg === undefined || b.failed !== null) return false;
    b.failed = { leg, cause, then };
    for (const other of this.others(b, o.req.coid)) {
      if (TERMINAL_STATUSES.has(other.status)) continue;
      other.cancelReason = 'bracket-leg-rejected';
      if (other.status !== 'Unknown') this.sendCancel(other);
    }
    this.settle(o.req.bracketId!);
    return true;
  }

  /** A leg reached a terminal state: the failure is reported once all other legs have. */
  onTerminal(o: TwsOrder): void {
    if (o.req.bracketId !== undefined) this.settle(o.req.bracketId);
  }

  private settle(bracketId: string): void {
    const b = this.brackets.get(bracketId);
    if (b === undefined || b.failed === null || b.reported) return;
    const failedCoid = b.legs[b.failed.leg];
    if (!this.others(b, failedCoid).every((x) => TERMINAL_STATUSES.has(x.status))) return;
    b.reported = true;
    this.emit('bracket.failed', { bracketId, leg: b.failed.leg, cause: b.failed.cause, at: this.now() });
    b.failed.then?.();
  }

  private others(b: Tracked, coid: string): TwsOrder[] {
    return Object.values(b.legs)
      .filter((c) => c !== coid)
      .flatMap((c) => {
        const o = this.ledger.byCoid.get(c);
        return o === undefined ? [] : [o];
      });
  }
}
