import type { BrokerEventName, BrokerEvents } from '../../ports/broker-adapter.js';
import type { OrderManagerDeps } from './order-manager-deps.js';
import type { OrderRegistry, TrackedOrder } from './order-registry.js';
import { JOURNALED_ORDER_EVENTS } from '../domain/journal-rows.js';
import type { ErrorCode } from '../domain/error-codes.js';

/** What the handler asks of the order manager: keep closing positions covered (see OrderManager.cover). */
export interface CloseCoverage {
  afterOrderEvent(strategyId: string, symbol: string): void;
  closeFailed(order: TrackedOrder, code: ErrorCode, reason: string): void;
  linkRestored(): void;
}

export const EXIT_REASON: Record<TrackedOrder['role'], string | null> = {
  entry: null,
  'stop-loss': 'stop-loss',
  'take-profit': 'take-profit',
  exit: null,
  flatten: 'kill-switch',
};

/**
 * Broker events → journal, ledger, trade tracker, strategy notifications and the bus. Broker events re-enter
 * the kernel through the event loop (`post`), so an event emitted synchronously inside a strategy's submit is
 * handled after that strategy callback returns, in order.
 */
export function attachBrokerEvents(d: OrderManagerDeps, registry: OrderRegistry, closes: CloseCoverage): () => void {
  const disposers: Array<() => void> = [];
  const post = d.post;
  // A handler returning false consumed the event (an execution replayed by reconciliation): nothing is published.
  const on = <K extends BrokerEventName>(name: K, handler: (p: BrokerEvents[K]) => void | false): void => {
    disposers.push(
      d.broker.on(name, (payload) =>
        post(() => {
          if (handler(payload) !== false) d.bus.emit(name, payload as never);
        }),
      ),
    );
  };

  for (const name of JOURNALED_ORDER_EVENTS) {
    on(name, (p) => {
      const coid = (p as { coid?: string }).coid;
      let order = coid !== undefined ? registry.get(coid) : undefined;
      if (name === 'order.adopted' && order === undefined && d.recovery !== undefined) {
        // An order of an earlier run (a bracket leg above all): tracked, so flatten, halt and session end cancel it.
        order = d.recovery.adopted(p as BrokerEvents['order.adopted']);
        if (order !== undefined) registry.add(order);
      }
      d.journal.write(
        'order',
        name,
        { ...p },
        { coid, symbol: order?.symbol, strategyId: order?.strategyId, tradeId: order?.tradeId ?? undefined },
      );
      if (order === undefined) {
        if (name === 'order.adopted' && coid !== undefined && !(p as BrokerEvents['order.adopted']).external) registry.adopt(coid);
        return;
      }
      if (name === 'order.cancelled' || name === 'order.rejected') {
        const ours = order.cancelRequested === true;
        registry.markTerminal(order);
        const reason = (p as { reason?: string }).reason ?? '';
        d.notify(order.strategyId, {
          type: name === 'order.cancelled' ? 'cancelled' : 'rejected',
          coid: order.coid,
          intentId: order.intentId,
          tradeId: order.tradeId,
          symbol: order.symbol,
          reason,
        });
        // A close that ended short of its quantity, other than by our own cancel, leaves shares to close again.
        if (order.close === true && !(name === 'order.cancelled' && ours)) {
          closes.closeFailed(
            order,
            (p as { code?: ErrorCode }).code ?? (name === 'order.cancelled' ? 'ORDER.CANCELLED' : 'ORDER.REJECTED'),
            reason,
          );
        } else closes.afterOrderEvent(order.strategyId, order.symbol);
      } else if (name === 'order.modified') {
        // The venue's quantity is the order's quantity from now on (a modify, or bracket children cut to what a
        // partly filled parent bought): fills beyond it are overfills.
        order.quantity = (p as BrokerEvents['order.modified']).qty;
      } else if (name === 'order.cancel-rejected') {
        // The venue refused the cancel: the order still works, so a later cancel (or flatten) must be able to go.
        order.cancelRequested = false;
      } else if (name === 'order.accepted') {
        d.notify(order.strategyId, {
          type: 'accepted',
          coid: order.coid,
          intentId: order.intentId,
          tradeId: order.tradeId,
          symbol: order.symbol,
        });
      } else if (name === 'order.unknown') {
        d.notify(order.strategyId, {
          type: 'unknown',
          coid: order.coid,
          intentId: order.intentId,
          tradeId: order.tradeId,
          symbol: order.symbol,
        });
      }
    });
  }

  on('order.filled', (f) => {
    const order = registry.get(f.coid);
    if (d.recovery?.replayedFill(f.execId, f.coid) === true) {
      // Already journaled and applied by the run that saw it first: counted once, but its order's state still moves.
      d.journal.write('event', 'fill.replayed', { execId: f.execId, coid: f.coid, qty: f.qty, status: f.status });
      if (order !== undefined && f.status === 'Filled') registry.markTerminal(order);
      return false;
    }
    const commission = f.commission ?? 0;
    const keys = { coid: f.coid, symbol: f.symbol, strategyId: order?.strategyId, tradeId: order?.tradeId ?? undefined };
    // Executions are trusted only for orders we placed (this process, or an earlier one and adopted at
    // reconciliation): anything else would be a phantom position, and more than the order's quantity an overfill.
    const why: 'overfill' | 'external-order' | 'unknown-order' | null =
      order !== undefined
        ? order.filled + f.qty > order.quantity
          ? 'overfill'
          : null
        : registry.isAdopted(f.coid)
          ? null
          : f.coid.startsWith('EXT-')
            ? 'external-order'
            : 'unknown-order';
    if (why !== null) {
      const refused = {
        severity: 'critical' as const,
        coid: f.coid,
        execId: f.execId,
        symbol: f.symbol,
        qty: f.qty,
        why,
        at: d.clock.now(),
      };
      d.journal.write(
        'fill',
        'fill.refused',
        { ...refused, fill: { ...f }, orderQty: order?.quantity ?? null, filledBefore: order?.filled ?? null },
        keys,
      );
      d.bus.emit('fill.refused', refused);
      d.escalate?.('SAFE_MODE', {
        code: why === 'overfill' ? 'RISK.OVERFILL' : 'RISK.UNTRUSTED_FILL',
        limit: 'order-manager.trustedFills',
        observed: f.qty,
        threshold: order === undefined ? 0 : order.quantity - order.filled,
        message:
          why === 'overfill'
            ? `execution ${f.execId} would fill ${f.coid} beyond its ${order!.quantity} shares`
            : `execution ${f.execId} for ${f.coid}, an order this kernel did not place`,
      });
      return;
    }
    registry.rememberExec(f.execId, f.coid);
    d.journal.write('fill', 'order.filled', order === undefined ? { ...f, adopted: true } : { ...f }, keys);
    d.ledger.applyFill(f.symbol, f.side, f.qty, f.price, commission);
    d.ledger.mark(f.symbol, f.price);
    if (order === undefined) {
      d.gate.monitor(d.risk);
      return;
    }
    order.filled += f.qty;
    if (f.status === 'Filled') registry.markTerminal(order);
    const tradeId = order.tradeId ?? `${order.strategyId}-x${f.execId}`;
    const exitReason = EXIT_REASON[order.role] ?? order.reason;
    const closed = d.tracker.applyFill(order.strategyId, order.symbol, tradeId, f.side, f.qty, f.price, commission, f.at, exitReason);
    d.notify(order.strategyId, {
      type: 'filled',
      coid: f.coid,
      intentId: order.intentId,
      tradeId: order.tradeId,
      symbol: order.symbol,
      qty: f.qty,
      price: f.price,
    });
    if (closed !== null) {
      d.journal.write(
        'trade',
        'trade.closed',
        { ...closed },
        { symbol: closed.symbol, strategyId: closed.strategyId, tradeId: closed.tradeId },
      );
      d.bus.emit('trade.closed', closed);
    }
    closes.afterOrderEvent(order.strategyId, order.symbol);
    d.gate.monitor(d.risk);
  });

  on('commission.reported', (c) => {
    if (d.recovery?.replayedCommission(c.execId) === true) return false;
    const coid = registry.coidForExec(c.execId);
    const order = coid !== undefined ? registry.get(coid) : undefined;
    d.journal.write('fill', 'commission.reported', { ...c }, { coid, symbol: order?.symbol });
    d.ledger.addCommission(c.amount);
    if (order !== undefined) d.tracker.addCommission(order.strategyId, order.symbol, c.amount);
  });

  for (const name of ['broker.anomaly', 'broker.error'] as const) {
    on(name, (p) => d.journal.write('event', name, { ...p }));
  }
  on('connection.changed', (p) => {
    d.journal.write('event', 'connection.changed', { ...p });
    if (p.to === 'Connected') closes.linkRestored();
  });
  on('reconciliation.completed', (p) => {
    d.journal.write('event', 'reconciliation.completed', { ...p });
    // Trading resumes only after reconciliation, so closes the link refused go out again now, sized afresh.
    if (p.status === 'complete') closes.linkRestored();
  });
  return () => {
    for (const dispose of disposers) dispose();
  };
}
