import type { BrokerEventName, BrokerEvents } from '../../ports/broker-adapter.js';
import type { OrderManagerDeps } from './order-manager-deps.js';
import type { OrderRegistry, TrackedOrder } from './order-registry.js';

const JOURNALED: readonly BrokerEventName[] = [
  'order.submitted', 'order.accepted', 'order.cancelled', 'order.rejected', 'order.unknown', 'order.modified',
  'order.cancel-rejected', 'order.modify-rejected', 'order.adopted', 'bracket.failed', 'order.triggered',
];

const EXIT_REASON: Record<TrackedOrder['role'], string | null> = {
  entry: null, 'stop-loss': 'stop-loss', 'take-profit': 'take-profit', exit: null, flatten: 'kill-switch',
};

/**
 * Broker events → journal, ledger, trade tracker, strategy notifications and the bus. Broker events re-enter
 * the kernel through the event loop (`post`), so an event emitted synchronously inside a strategy's submit is
 * handled after that strategy callback returns, in order.
 */
export function attachBrokerEvents(d: OrderManagerDeps, registry: OrderRegistry): () => void {
  const disposers: Array<() => void> = [];
  const post = d.post;
  const on = <K extends BrokerEventName>(name: K, handler: (p: BrokerEvents[K]) => void): void => {
    disposers.push(d.broker.on(name, (payload) => post(() => {
      handler(payload);
      d.bus.emit(name, payload as never);
    })));
  };

  for (const name of JOURNALED) {
    on(name, (p) => {
      const coid = (p as { coid?: string }).coid;
      const order = coid !== undefined ? registry.get(coid) : undefined;
      d.journal.write('order', name, { ...p }, { coid, symbol: order?.symbol, strategyId: order?.strategyId, tradeId: order?.tradeId ?? undefined });
      if (order === undefined) return;
      if (name === 'order.cancelled' || name === 'order.rejected') {
        registry.markTerminal(order);
        const reason = (p as { reason?: string }).reason ?? '';
        d.notify(order.strategyId, { type: name === 'order.cancelled' ? 'cancelled' : 'rejected', coid: order.coid, intentId: order.intentId, tradeId: order.tradeId, symbol: order.symbol, reason });
      } else if (name === 'order.cancel-rejected') {
        // The venue refused the cancel: the order still works, so a later cancel (or flatten) must be able to go.
        order.cancelRequested = false;
      } else if (name === 'order.accepted') {
        d.notify(order.strategyId, { type: 'accepted', coid: order.coid, intentId: order.intentId, tradeId: order.tradeId, symbol: order.symbol });
      } else if (name === 'order.unknown') {
        d.notify(order.strategyId, { type: 'unknown', coid: order.coid, intentId: order.intentId, tradeId: order.tradeId, symbol: order.symbol });
      }
    });
  }

  on('order.filled', (f) => {
    const order = registry.get(f.coid);
    registry.rememberExec(f.execId, f.coid);
    const commission = f.commission ?? 0;
    d.journal.write('fill', 'order.filled', { ...f }, { coid: f.coid, symbol: f.symbol, strategyId: order?.strategyId, tradeId: order?.tradeId ?? undefined });
    d.ledger.applyFill(f.symbol, f.side, f.qty, f.price, commission);
    d.ledger.mark(f.symbol, f.price);
    if (order === undefined) return;
    order.filled += f.qty;
    if (f.status === 'Filled') registry.markTerminal(order);
    const tradeId = order.tradeId ?? `${order.strategyId}-x${f.execId}`;
    const exitReason = EXIT_REASON[order.role] ?? order.reason;
    const closed = d.tracker.applyFill(order.strategyId, order.symbol, tradeId, f.side, f.qty, f.price, commission, f.at, exitReason);
    d.notify(order.strategyId, { type: 'filled', coid: f.coid, intentId: order.intentId, tradeId: order.tradeId, symbol: order.symbol, qty: f.qty, price: f.price });
    if (closed !== null) {
      d.journal.write('trade', 'trade.closed', { ...closed }, { symbol: closed.symbol, strategyId: closed.strategyId, tradeId: closed.tradeId });
      d.bus.emit('trade.closed', closed);
    }
    d.gate.monitor(d.risk);
  });

  on('commission.reported', (c) => {
    const coid = registry.coidForExec(c.execId);
    const order = coid !== undefined ? registry.get(coid) : undefined;
    d.journal.write('fill', 'commission.reported', { ...c }, { coid, symbol: order?.symbol });
    d.ledger.addCommission(c.amount);
    if (order !== undefined) d.tracker.addCommission(order.strategyId, order.symbol, c.amount);
  });

  for (const name of ['connection.changed', 'broker.anomaly', 'broker.error', 'reconciliation.completed'] as const) {
    on(name, (p) => d.journal.write('event', name, { ...p }));
  }
  return () => { for (const dispose of disposers) dispose(); };
}
