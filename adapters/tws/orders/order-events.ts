import { EventName, type CommissionReport, type Contract, type Execution, type IBApi, type Order, type OrderState } from '@stoqey/ib';
import type { TwsOrderFlow } from './order-flow.js';

/** Wraps a reader-path handler: a throw inside must never reach @stoqey/ib's decoder loop (LEAN #219). */
function safe<A extends unknown[]>(onError: (e: unknown) => void, fn: (...a: A) => void): (...a: A) => void {
  return (...a: A) => {
    try {
      fn(...a);
    } catch (e) {
      onError(e);
    }
  };
}

/** Feeds @stoqey/ib's order callbacks (openOrder, orderStatus, execDetails, commissionReport) into the order flow. */
export function listenForOrderEvents(ib: IBApi, flow: TwsOrderFlow, onError: (e: unknown) => void): void {
  ib.on(
    EventName.openOrder,
    safe(onError, (orderId: number, contract: Contract, order: Order, state: OrderState) =>
      flow.onOpenOrder(orderId, contract, order, state),
    ),
  );
  ib.on(
    EventName.orderStatus,
    safe(
      onError,
      (
        orderId: number,
        status: string,
        _f: number,
        _r: number,
        _a: number,
        permId?: number,
        _p?: number,
        _l?: number,
        _c?: number,
        whyHeld?: string,
      ) => flow.onStatus(orderId, String(status), permId, whyHeld),
    ),
  );
  ib.on(
    EventName.execDetails,
    safe(onError, (reqId: number, contract: Contract, e: Execution) => flow.onExecution(reqId ?? -1, contract, e)),
  );
  ib.on(
    EventName.commissionReport,
    safe(onError, (r: CommissionReport) => flow.onCommission(r)),
  );
}
