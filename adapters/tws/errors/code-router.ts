import type { Micros } from '../../../core/domain/units.js';
import type { ConnectionState } from '../../../ports/broker-adapter.js';
import { CANCEL, MODIFY, type TwsAckWatch } from '../orders/ack-watch.js';
import type { CodeRoute } from '../connection/connection.types.js';
import { TwsErrorPolicy } from './error-policy.js';
import type { TwsOrder, TwsOrderLedger } from '../orders/order-ledger.js';
import type { Emit, TwsOrderFlow } from '../orders/order-flow.js';
import type { TwsOutboundPacer } from '../connection/outbound-pacer.js';
import type { TwsReconciler } from '../orders/reconciler.js';

export interface TwsCodeRouterDeps {
  ledger: TwsOrderLedger;
  flow: TwsOrderFlow;
  pacer: TwsOutboundPacer;
  acks: TwsAckWatch;
  reconciler: TwsReconciler;
  emit: Emit;
  now: () => Micros;
  /** The connection's state, named in the broker.error text. */
  state: () => ConnectionState;
  /** The adapter's health().canTrade: a 10147 reconciles only on a tradable link. */
  canTrade: () => boolean;
  /** TWS refused a request because its API is read-only (321 with a read-only text). */
  readOnly: (message: string) => void;
  /** The answer to the adapter's read-only probe (absorbed: it is no error); true when `reqId` was the probe's. */
  probeAnswered: (reqId: number, code: number) => boolean;
}

const HISTORICAL_SERVICE_CODES: ReadonlySet<number> = new Set([162, 165, 166]);

/**
 * TWS has no API to ask whether "Read-Only API" is on; it answers each order message with 321 and a text that says
 * so ("…The API interface is currently in Read-Only mode."). Other 321s are plain validation failures.
 */
export function saysReadOnly(code: number, message: string): boolean {
  return code === 321 && /read[- ]?only/i.test(message);
}

/**
 * Routes an IB code the connection did not consume: a pacing violation slows the pacer, an order-invalidating code
 * rejects its order, a cancel or modify refusal is answered for its order, a late answer is absorbed, and the rest
 * becomes a `broker.error` through the error policy.
 */
export class TwsCodeRouter {
  private readonly errors: TwsErrorPolicy;

  constructor(private readonly d: TwsCodeRouterDeps) {
    this.errors = new TwsErrorPolicy(d.emit, d.now);
  }

  route(code: number, reqId: number, message: string, route: CodeRoute): void {
    const d = this.d;
    if (saysReadOnly(code, message)) d.readOnly(message); // first: nothing else may leave once this is known
    if (reqId >= 0 && d.probeAnswered(reqId, code)) return;
    if (code === 100) {
      // TWS counted more than it allows: slow the pacer down (BRK-08 b, docs/conformance-cards.md#brk-08). The broker.error below still
      // reaches the kill switch, which decides what repeated violations mean (RISK-14, docs/conformance-cards.md#risk-14).
      d.pacer.backoff();
      d.emit('broker.anomaly', {
        kind: 'pacing',
        details: { code, message, ratePerSecond: Math.round(d.pacer.ratePerSecond) },
        at: d.now(),
      });
    }
    const o = route === 'none' && reqId >= 0 ? d.ledger.byId.get(reqId) : undefined;
    if (o !== undefined) o.lastError = `IB ${code}: ${message}`;
    if (
      o !== undefined &&
      this.errors.invalidatesOrder(code) &&
      (o.status === 'PendingSubmit' || o.status === 'Accepted' || o.status === 'Unknown')
    ) {
      d.flow.rejected(o, message, code, saysReadOnly(code, message) ? 'BROKER.READ_ONLY' : this.errors.harvesterCode(code));
      return;
    }
    if (o !== undefined && this.refusesCancelOrModify(o, code, message)) return;
    if (route === 'late') return; // an answer for a request that already ended: absorbed (docs/tws-adapter.md#request-registry)
    // A historical-data service answer (162/165/166) on a live request is that request's result, returned to its caller
    // as a value (market-data/historical.ts); reported as a broker.error it would read as session-wide pacing to the kill switch.
    if (route === 'request' && HISTORICAL_SERVICE_CODES.has(code)) return;
    this.errors.report(code, reqId, message, d.state());
  }

  /**
   * Cancel and modify refusals leave the order's TWS state alone (docs/tws-adapter.md#modify-cancel): the cancel or modify failed, not the
   * order. "Not found" (10147) can mean filled or bound under another id after a gateway restart: reconcile to find out.
   */
  private refusesCancelOrModify(o: TwsOrder, code: number, message: string): boolean {
    const d = this.d;
    const coid = o.req.coid;
    if (code === 10147 || code === 10148 || code === 161) {
      d.acks.stop(CANCEL + coid); // the venue answered the cancel
      const filled = o.status === 'Filled' || /filled/i.test(message);
      const hc = code === 10147 ? 'ORDER.NOT_FOUND' : filled ? 'ORDER.ALREADY_FILLED' : 'ORDER.NOT_OPEN';
      d.emit('order.cancel-rejected', { coid, code: hc, reason: `IB ${code}: ${message}`, reconciled: false, at: d.now() });
      if (code === 10147 && d.canTrade()) void d.reconciler.run('request');
      return true;
    }
    if (code === 104 || code === 105 || code === 2102) {
      const hc = code === 104 ? 'ORDER.ALREADY_FILLED' : code === 105 ? 'ORDER.REJECTED' : 'ORDER.MODIFY_IN_PROGRESS';
      // 104: nothing of any pending modify can happen. 105 and 2102 refuse the modify they answer, the last one sent:
      // an earlier one is still on its way and its acknowledgement still counts.
      const list = o.modifies ?? [];
      if (code === 104) list.splice(0);
      else {
        const last = list.map((m) => m.sent).lastIndexOf(true);
        if (last >= 0) list.splice(last, 1);
      }
      if (list.length === 0) d.acks.stop(MODIFY + coid);
      d.emit('order.modify-rejected', { coid, code: hc, reason: `IB ${code}: ${message}`, reconciled: false, at: d.now() });
      return true;
    }
    return false;
  }
}
