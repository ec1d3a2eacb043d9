import type { OrderChanges } from '../../../core/domain/orders.js';
import { TERMINAL_STATUSES } from '../../../core/domain/orders.js';
import type { Micros } from '../../../core/domain/units.js';
import type { ErrorCode } from '../../../core/domain/error-codes.js';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { stockContract, toIbOrder } from '../mapping/order.js';
import type { TwsConnection } from '../connection/connection.js';
import type { TwsContracts } from '../mapping/contracts.js';
import type { TwsHoldings } from './holdings.js';
import { modifyTarget, UNSENT, type PendingModify, type TwsOrder, type TwsOrderLedger } from './order-ledger.js';
import type { Emit, TwsOrderFlow } from './order-flow.js';
import type { Lane, TwsOutboundPacer } from '../connection/outbound-pacer.js';

export interface SenderDeps {
  connection: TwsConnection;
  /** The per-connection qualification cache; null: orders go out with the SMART description (tests only). */
  contracts: TwsContracts | null;
  pacer: TwsOutboundPacer;
  ledger: TwsOrderLedger;
  flow: TwsOrderFlow;
  holdings: TwsHoldings;
  account: string | undefined;
  emit: Emit;
  now: () => Micros;
  canTrade: () => boolean;
  /** A message for `key` left: start its acknowledgement timer (placement: the coid; `cancel:`/`modify:` + coid). */
  sent: (key: string) => void;
}

/**
 * The sending side of the order path. A placement leaves only once its symbol is qualified (the conId pins the
 * listing, docs/tws-adapter.md#id-journal; the cache answers at once after the first order) and then through the outbound pacer, whose
 * lanes put cancels before exits and modifies, and those before new entries. Until it leaves, an order is local: a cancel
 * settles it without a message, a modify changes what will be sent, and leaving Connected refuses it — nothing is
 * kept to be sent later (BRK-06, docs/conformance-cards.md#brk-06). Order ids are allocated when the placement leaves, so ids reach TWS
 * ascending.
 */
export class TwsOrderSender {
  /** Placements waiting for their qualification, by coid of every leg. */
  private readonly qualifying = new Map<string, TwsOrder>();

  constructor(private readonly d: SenderDeps) {}

  /** One order, or a bracket's legs (parent first); the legs leave together, children with the parent's id. */
  place(legs: TwsOrder[], ocaGroup?: string): void {
    const symbol = legs[0]!.req.symbol;
    const go = (): void => this.enqueuePlacement(legs, ocaGroup);
    const contracts = this.d.contracts;
    if (contracts === null || contracts.get(symbol) !== undefined) return go();
    for (const o of legs) this.qualifying.set(o.req.coid, o);
    const done = (): void => {
      for (const o of legs) this.qualifying.delete(o.req.coid);
    };
    contracts.qualify(symbol).then(
      () => {
        done();
        if (legs.some((o) => isHeld(o))) go();
      },
      (e: unknown) => {
        done();
        const err = e as HarvesterError;
        // An unknown symbol is a definitive refusal; a timeout or a dropped link is not, but nothing was sent either.
        const code = err instanceof HarvesterError ? err.code : 'ORDER.UNKNOWN_INSTRUMENT';
        for (const o of legs) if (isHeld(o)) this.refuse(o, code, err?.message ?? String(e));
      },
    );
  }

  /** A cancel: local while the placement has not left, else through the cancel lane. */
  cancel(o: TwsOrder): void {
    if (o.orderId === UNSENT) return this.cancelLocally(o, 'requested');
    const drop = (reason: string): void => {
      if (!o.cancelRequested || TERMINAL_STATUSES.has(o.status)) return;
      o.cancelRequested = false;
      this.d.emit('order.cancel-rejected', { coid: o.req.coid, code: 'BROKER.NOT_CONNECTED', reason, reconciled: false, at: this.d.now() });
    };
    this.d.pacer.enqueue({
      lane: 'cancel',
      key: o.req.coid,
      orderPath: true,
      drop,
      send: () => {
        if (!this.d.canTrade()) return (drop('TWS is not ready'), 0);
        if (TERMINAL_STATUSES.has(o.status)) {
          // The order settled while the cancel waited for its slot: answered here, as TWS would (10148).
          const code = o.status === 'Filled' ? 'ORDER.ALREADY_FILLED' : 'ORDER.NOT_OPEN';
          if (o.cancelRequested)
            this.d.emit('order.cancel-rejected', {
              coid: o.req.coid,
              code,
              reason: `order is ${o.status}`,
              reconciled: false,
              at: this.d.now(),
            });
          return 0;
        }
        this.d.connection.ib.cancelOrder(o.orderId);
        this.d.sent(`cancel:${o.req.coid}`);
        return 1;
      },
    });
  }

  /** A cancel the adapter decides itself (a failed bracket): local for an unsent leg, else in the cancel lane. */
  cancelLeg(o: TwsOrder): void {
    if (o.orderId === UNSENT) return this.cancelLocally(o, o.cancelReason ?? 'bracket-leg-rejected');
    this.d.pacer.enqueue({
      lane: 'cancel',
      key: o.req.coid,
      orderPath: true,
      send: () => {
        if (TERMINAL_STATUSES.has(o.status) || !this.d.canTrade()) return 0;
        this.d.connection.ib.cancelOrder(o.orderId);
        return 1;
      },
      drop: () => undefined, // reconciliation settles the leg after the link comes back
    });
  }

  /** A modify: applied to a placement that has not left; else sent in the exit lane with the values asked so far. */
  modify(o: TwsOrder, changes: OrderChanges): void {
    const coid = o.req.coid;
    if (o.orderId === UNSENT) {
      o.req = { ...o.req, ...changes };
      this.d.emit('order.modified', {
        coid,
        price: o.req.limitPrice ?? null,
        qty: o.req.quantity,
        triggerPrice: o.req.triggerPrice ?? null,
        leavesQty: o.req.quantity,
        reason: 'applied before placement',
        at: this.d.now(),
      });
      return;
    }
    const entry: PendingModify = { changes, sent: false };
    (o.modifies ??= []).push(entry);
    const forget = (): void => {
      o.modifies = (o.modifies ?? []).filter((m) => m !== entry);
    };
    const drop = (reason: string): void => {
      if (!(o.modifies ?? []).includes(entry)) return;
      forget();
      this.d.emit('order.modify-rejected', { coid, code: 'BROKER.NOT_CONNECTED', reason, reconciled: false, at: this.d.now() });
    };
    this.d.pacer.enqueue({
      lane: 'exit',
      key: coid,
      orderPath: true,
      drop,
      send: () => {
        if (!this.d.canTrade()) return (drop('TWS is not ready'), 0);
        if (TERMINAL_STATUSES.has(o.status) || !(o.modifies ?? []).includes(entry)) {
          if (TERMINAL_STATUSES.has(o.status)) {
            forget();
            const code = o.status === 'Filled' ? 'ORDER.ALREADY_FILLED' : 'ORDER.NOT_OPEN';
            this.d.emit('order.modify-rejected', { coid, code, reason: `order is ${o.status}`, reconciled: false, at: this.d.now() });
          }
          return 0;
        }
        entry.sent = true;
        const parentId = o.req.parentCoid === undefined ? undefined : this.d.ledger.byCoid.get(o.req.parentCoid)?.orderId;
        this.d.connection.ib.placeOrder(
          o.orderId,
          this.contract(o.req.symbol),
          toIbOrder({ ...o.req, ...modifyTarget(o, entry) }, this.d.account, {
            ...(parentId !== undefined && parentId !== UNSENT ? { parentId } : {}),
            ...(o.req.ocaGroup !== undefined ? { ocaGroup: o.req.ocaGroup } : {}),
          }),
        );
        this.d.sent(`modify:${coid}`);
        return 1;
      },
    });
  }

  /** The link left Connected: every order message not yet sent is refused, and no placement stays held. */
  abortAll(reason: string): void {
    this.d.pacer.dropWhere((j) => j.orderPath === true, reason);
    for (const o of [...this.qualifying.values()]) if (isHeld(o)) this.refuse(o, 'BROKER.NOT_CONNECTED', reason);
    this.qualifying.clear();
  }

  private enqueuePlacement(legs: TwsOrder[], ocaGroup: string | undefined): void {
    const pending = (): TwsOrder[] => legs.filter(isHeld);
    this.d.pacer.enqueue({
      lane: this.laneOf(legs),
      key: legs[0]!.req.coid,
      size: legs.length,
      orderPath: true,
      send: () => {
        const go = pending();
        if (go.length === 0) return 0;
        if (!this.d.canTrade()) {
          for (const o of go) this.refuse(o, 'BROKER.NOT_CONNECTED', 'TWS is not ready');
          return 0;
        }
        const c = this.d.connection;
        // Ids allocated now, contiguous and ascending (docs/tws-adapter.md#brackets, #ids); only the last leg transmits, so TWS holds the
        // others until the whole bracket is in.
        for (const o of go) this.d.ledger.bind(o, c.allocateId());
        const parent = go[0]!.req.parentCoid === undefined ? go[0]! : undefined;
        go.forEach((o, i) => {
          const last = i === go.length - 1;
          const child = parent !== undefined && o !== parent;
          c.ib.placeOrder(
            o.orderId,
            this.contract(o.req.symbol),
            toIbOrder(o.req, this.d.account, {
              transmit: last,
              ...(child ? { parentId: parent.orderId } : {}),
              ...(child && ocaGroup !== undefined ? { ocaGroup } : {}),
            }),
          );
        });
        for (const o of go) this.d.sent(o.req.coid);
        return go.length;
      },
      drop: (reason) => {
        for (const o of pending()) this.refuse(o, 'BROKER.NOT_CONNECTED', reason);
      },
    });
  }

  /**
   * Exits before entries: a bracket's children, and an order that reduces the symbol's position. Both change risk
   * already taken, so they may not wait behind a burst of new entries.
   */
  private laneOf(legs: TwsOrder[]): Lane {
    const o = legs[0]!;
    if (o.req.parentCoid !== undefined) return 'exit';
    const held = this.d.holdings.quantity(o.req.symbol);
    return (held > 0 && o.req.side === 'sell') || (held < 0 && o.req.side === 'buy') ? 'exit' : 'entry';
  }

  /** The qualified contract (conId) once known; the SMART description only where no cache was given. */
  private contract(symbol: string) {
    return this.d.contracts?.contract(symbol) ?? stockContract(symbol);
  }

  /** Nothing left the adapter: the order (and, for a parent, its unsent children) ends here. */
  private cancelLocally(o: TwsOrder, reason: 'requested' | 'bracket-leg-rejected' | 'parent-cancelled' | 'oca' | 'venue'): void {
    // Its queued placement (shared by a bracket's legs) stays in the pacer and sends only the legs still held.
    this.qualifying.delete(o.req.coid);
    this.d.flow.cancelled(o, reason);
    for (const child of this.d.ledger.byCoid.values()) {
      if (child.req.parentCoid === o.req.coid && isHeld(child)) this.cancelLocally(child, 'parent-cancelled');
    }
  }

  private refuse(o: TwsOrder, code: ErrorCode, reason: string): void {
    if (!isHeld(o)) return;
    o.status = 'Rejected';
    o.modifies = [];
    this.d.emit('order.rejected', { coid: o.req.coid, origin: 'adapter', code, reason, venueCode: null, at: this.d.now() });
    this.d.flow.hooks.terminal(o, 'Rejected');
  }
}

/** A placement not yet sent and not settled locally. */
function isHeld(o: TwsOrder): boolean {
  return o.orderId === UNSENT && o.status === 'PendingSubmit';
}
