import type { ClientRequest, FakeTwsServer } from '../../../adapters/fake-tws/index.js';
import { holdFrame } from './fake-tws-faults.js';

type Conn = ReturnType<FakeTwsServer['live']>[number];
type PlaceRequest = Extract<ClientRequest, { kind: 'placeOrder' }>;

/**
 * The race features of the broker driver (docs/conformance-kit.md#drivers: cancelRace, modifyRace; cards BRK-32, BRK-42) on the fake TWS,
 * through its public API: the next matching frame is held from the desk, and the venue's answer is scripted from the
 * desk's own operations (forceFill, place) plus the error frames TWS sends for the race.
 */
export function twsRaceFeatures(server: FakeTwsServer): Record<string, (...a: never[]) => unknown> {
  /** Holds the next request that `match`es from the desk; `fn` answers in its place, on the same connection. */
  const interceptNext = <R extends ClientRequest>(match: (r: ClientRequest) => r is R, fn: (r: R, conn: Conn) => void): void => {
    const once = (f: { connectionId: number; request: ClientRequest }): void => {
      if (!match(f.request)) return;
      server.off('frame', once);
      const conn = server.live().find((c) => c.id === f.connectionId);
      const r = f.request;
      if (conn !== undefined) holdFrame(server, conn, () => fn(r, conn));
    };
    server.on('frame', once);
  };
  const isCancel = (r: ClientRequest): r is Extract<ClientRequest, { kind: 'cancelOrder' }> => r.kind === 'cancelOrder';
  const isModify = (r: ClientRequest): r is PlaceRequest => r.kind === 'placeOrder' && server.desk.orders.has(r.order.orderId);
  /** The desk takes a modify as if it had just arrived (it answers 104 for a filled order, as TWS does). */
  const deliver = (r: PlaceRequest, conn: Conn): void => {
    const contract = server.contractFor(r.order.contract);
    if (contract !== null) server.desk.place(conn, r.order, contract);
  };
  return {
    cancelRace: (mode: 'fill-first' | 'refusal-first' | 'not-found') =>
      interceptNext(isCancel, (r, conn) => {
        const id = r.orderId;
        const refuse = (): void =>
          conn.send(
            mode === 'not-found'
              ? conn.msgs.error(id, 10147, `OrderId ${id} that needs to be cancelled is not found.`)
              : conn.msgs.error(id, 10148, `OrderId ${id} that needs to be cancelled cannot be cancelled, state: Filled.`),
          );
        if (mode === 'refusal-first') {
          refuse();
          server.desk.forceFill(id);
          return;
        }
        if (mode === 'not-found') {
          // The fill's reports are lost on this link: only a reconciliation (reqExecutions) will show it.
          conn.silent = true;
          try {
            server.desk.forceFill(id);
          } finally {
            conn.silent = false;
          }
        } else server.desk.forceFill(id);
        refuse();
      }),
    modifyRace: (mode: 'fill' | 'in-progress') =>
      interceptNext(isModify, (first, conn) => {
        if (mode === 'fill') {
          server.desk.forceFill(first.order.orderId);
          deliver(first, conn); // now a modify of a filled order: 104
          return;
        }
        // The first modify is still being processed when the second arrives: that one gets 2102, then the first completes.
        interceptNext(isModify, (second, c) => {
          c.send(c.msgs.error(second.order.orderId, 2102, 'Unable to modify this order as it is still being processed.'));
          deliver(first, c);
        });
      }),
  };
}
