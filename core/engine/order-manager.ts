import type { BracketRequest, OrderRequest, OrderSide } from '../domain/orders.js';
import type { BrokerEvents, IBrokerAdapter } from '../../ports/broker-adapter.js';
import type { Clock } from '../../ports/clock.js';
import type { OrderIntent, RiskContext, RiskDecision, TradingState } from '../../ports/risk-policy.js';
import type { IntentResult, StrategyOrderUpdate } from '../../ports/strategy.js';
import type { EventBus } from '../events/event-bus.js';
import type { JournalWriter } from './journal-writer.js';
import type { Ledger } from './ledger.js';
import type { TradeTracker } from './trade-tracker.js';
import { OrderRegistry, type OrderRole, type TrackedOrder } from './order-registry.js';
import { attachBrokerEvents } from './broker-event-handler.js';
import type { OrderManagerDeps } from './order-manager-deps.js';

export type { OrderManagerDeps, RiskGateLike } from './order-manager-deps.js';

/**
 * Turns strategy intents into orders. Every intent passes the risk chain first and leaves an approval or denial
 * record in the journal before any broker sees an order; there is no other path to `broker.submit`, except the
 * kill switch's flatten orders, which carry their own `kill-switch` record. Every broker call sits behind
 * `journal.durable()`: the rows it depends on are committed before its bytes leave (journal-durability.ts).
 */
export class OrderManager {
  readonly registry = new OrderRegistry();
  private intentCount = 0;
  private tradeCount = 0;
  ordersSent = 0;

  constructor(private readonly d: OrderManagerDeps) {}

  attach(): () => void {
    return attachBrokerEvents(this.d, this.registry);
  }

  submitIntent(strategyId: string, input: Omit<OrderIntent, 'strategyId' | 'intentId'> & { intentId?: string }): IntentResult {
    const intentId = input.intentId ?? `${strategyId}-i${++this.intentCount}`;
    const intent: OrderIntent = { ...input, intentId, strategyId };
    const decision = this.d.gate.evaluate(intent, this.d.risk);
    const base = { symbol: intent.symbol, strategyId };
    if (decision.action !== 'allow') {
      this.d.journal.write('risk', 'risk.denied', { intent: intentRecord(intent), action: decision.action, reasons: decision.reasons, warnings: decision.warnings }, base);
      this.d.bus.emit('risk.denied', { intentId, strategyId, action: decision.action, reasons: decision.reasons, at: this.d.clock.now() });
      return { status: 'denied', intentId, decision };
    }
    const quantity = decision.maxQty !== undefined ? Math.min(decision.maxQty, intent.quantity) : intent.quantity;
    if (!(quantity > 0)) {
      const denied: RiskDecision = { action: 'reject', reasons: [{ code: 'RISK.MAX_SHARES', limit: 'maxQty', observed: intent.quantity, threshold: quantity }], warnings: decision.warnings };
      this.d.journal.write('risk', 'risk.denied', { intent: intentRecord(intent), action: 'reject', reasons: denied.reasons, warnings: [] }, base);
      return { status: 'denied', intentId, decision: denied };
    }
    const tradeId = this.tradeIdFor(intent);
    this.d.journal.write('risk', 'risk.approved', { intent: intentRecord(intent), quantity, warnings: decision.warnings }, { ...base, tradeId: tradeId ?? undefined });
    this.d.bus.emit('risk.approved', { intentId, strategyId, symbol: intent.symbol, quantity, at: this.d.clock.now() });
    const sized: OrderIntent = { ...intent, quantity };
    const sent = this.send(sized, tradeId);
    if (sent.status === 'rejected') return { status: 'rejected', intentId, code: sent.code, reason: sent.reason };
    this.d.bus.emit('intent.sent', { intentId, strategyId, coids: sent.coids, tradeId, at: this.d.clock.now() });
    return { status: 'sent', intentId, coids: sent.coids, tradeId };
  }

  cancel(strategyId: string, coid: string): void {
    const order = this.registry.get(coid);
    if (order === undefined || order.strategyId !== strategyId) return;
    this.requestCancel(order);
  }

  /** Cancel the strategy's working orders in a symbol and send an exit for its position (through risk). */
  closePosition(strategyId: string, symbol: string, reason: string): IntentResult | null {
    for (const o of this.registry.working()) if (o.strategyId === strategyId && o.symbol === symbol) this.requestCancel(o);
    const trade = this.d.tracker.current(strategyId, symbol);
    if (trade === undefined || trade.quantity === 0) return null;
    const side: OrderSide = trade.side === 'long' ? 'sell' : 'buy';
    return this.submitIntent(strategyId, { symbol, kind: 'exit', side, type: 'market', quantity: trade.quantity, reason });
  }

  /**
   * Kill switch and session end: cancel every working order and close every position at market — once. A flatten
   * that runs again before the venue has answered the last one (session end right after a HALT, a restored HALT)
   * sends no second cancel for an order whose cancel is pending, leaves the earlier closing orders working, and
   * closes only what they do not already cover: a second close for the same shares would open the opposite position
   * (card RISK-13: each sent once).
   */
  flattenAll(reason: string): { positions: number; cancelled: number } {
    let cancelled = 0;
    for (const o of this.registry.working()) {
      if (o.role !== 'flatten' && this.requestCancel(o)) cancelled++;
    }
    let positions = 0;
    for (const trade of this.d.tracker.openTrades()) {
      let quantity = trade.quantity;
      for (const o of this.registry.working()) {
        if (o.role === 'flatten' && o.strategyId === trade.strategyId && o.symbol === trade.symbol) quantity -= o.quantity - o.filled;
      }
      if (quantity <= 0) continue;
      const coid = `${trade.strategyId}-k${++this.intentCount}`;
      const side: OrderSide = trade.side === 'long' ? 'sell' : 'buy';
      const order: OrderRequest = {
        coid, symbol: trade.symbol, side, type: 'market', quantity, tif: 'day', orderRef: this.orderRef(coid),
      };
      this.d.journal.write('risk', 'flatten.order', { coid, side, quantity, reason }, { symbol: trade.symbol, strategyId: trade.strategyId, tradeId: trade.tradeId, coid });
      this.track(order, { intentId: coid, strategyId: trade.strategyId, tradeId: trade.tradeId, role: 'flatten', reason });
      this.d.journal.durable();
      this.d.broker.submit(order);
      positions++;
    }
    this.d.journal.write('risk', 'flatten.all', { positions, cancelled, reason });
    this.d.bus.emit('kill-switch.flattened', { positions, cancelled, reason, at: this.d.clock.now() });
    return { positions, cancelled };
  }

  /** One cancel per order until the venue answers: a repeated cancel is noise the venue counts against pacing. */
  private requestCancel(o: TrackedOrder): boolean {
    if (o.terminal || o.cancelRequested === true) return false;
    o.cancelRequested = true;
    this.d.journal.durable();
    this.d.broker.cancel(o.coid);
    return true;
  }

  private tradeIdFor(intent: OrderIntent): string | null {
    const open = this.d.tracker.current(intent.strategyId, intent.symbol);
    if (open !== undefined) return open.tradeId;
    const pending = this.registry.pendingEntryTrade(intent.strategyId, intent.symbol);
    if (pending !== null) return pending;
    return intent.kind === 'entry' ? `${intent.strategyId}-t${++this.tradeCount}` : null;
  }

  private send(intent: OrderIntent, tradeId: string | null): { status: 'sent'; coids: string[] } | { status: 'rejected'; code: string; reason: string } {
    const meta = { intentId: intent.intentId, strategyId: intent.strategyId, tradeId, reason: intent.reason };
    const exitSide: OrderSide = intent.side === 'buy' ? 'sell' : 'buy';
    const parent = this.order(`${intent.intentId}.p`, intent, intent.side, intent.type, intent.quantity, intent.limitPrice, intent.triggerPrice);
    if (intent.kind === 'entry' && intent.stopLoss !== undefined && intent.takeProfit !== undefined) {
      const bracketId = `${intent.intentId}.b`;
      const oca = `${intent.intentId}.oca`;
      const bracket: BracketRequest = {
        bracketId,
        parent: { ...parent, bracketId },
        stopLoss: { ...this.order(`${intent.intentId}.sl`, intent, exitSide, 'stop', intent.quantity, undefined, intent.stopLoss), bracketId, parentCoid: parent.coid, ocaGroup: oca },
        takeProfit: { ...this.order(`${intent.intentId}.tp`, intent, exitSide, 'limit', intent.quantity, intent.takeProfit, undefined), bracketId, parentCoid: parent.coid, ocaGroup: oca },
      };
      this.track(bracket.parent, { ...meta, role: 'entry' });
      this.track(bracket.stopLoss, { ...meta, role: 'stop-loss' });
      this.track(bracket.takeProfit, { ...meta, role: 'take-profit' });
      this.d.journal.durable();
      const receipt = this.d.broker.submitBracket(bracket);
      if (receipt.status === 'rejected') return { status: 'rejected', code: receipt.code, reason: receipt.reason };
      return { status: 'sent', coids: [bracket.parent.coid, bracket.stopLoss.coid, bracket.takeProfit.coid] };
    }
    this.track(parent, { ...meta, role: intent.kind === 'entry' ? 'entry' : 'exit' });
    this.d.journal.durable();
    const receipt = this.d.broker.submit(parent);
    if (receipt.status === 'rejected') return { status: 'rejected', code: receipt.code, reason: receipt.reason };
    return { status: 'sent', coids: [parent.coid] };
  }

  private order(coid: string, intent: OrderIntent, side: OrderSide, type: OrderRequest['type'], quantity: number, limitPrice?: number, triggerPrice?: number): OrderRequest {
    const o: OrderRequest = { coid, symbol: intent.symbol, side, type, quantity, tif: 'day', orderRef: this.orderRef(coid) };
    if (limitPrice !== undefined) o.limitPrice = limitPrice;
    if (triggerPrice !== undefined) o.triggerPrice = triggerPrice;
    return o;
  }

  private orderRef(coid: string): string {
    return `hv:${this.d.sessionTag}:${coid}`;
  }

  private track(order: OrderRequest, meta: { intentId: string; strategyId: string; tradeId: string | null; role: OrderRole; reason: string }): void {
    const tracked: TrackedOrder = { ...meta, coid: order.coid, symbol: order.symbol, side: order.side, quantity: order.quantity, filled: 0, terminal: false };
    this.registry.add(tracked);
    this.ordersSent++;
    this.d.journal.write('order', 'order.requested', { ...order, role: meta.role, intentId: meta.intentId }, { symbol: order.symbol, coid: order.coid, strategyId: meta.strategyId, tradeId: meta.tradeId ?? undefined });
  }
}

function intentRecord(i: OrderIntent): Record<string, unknown> {
  return { ...i };
}

export type { BrokerEvents };
