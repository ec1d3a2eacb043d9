import type { BracketRequest, OrderRequest, OrderSide } from '../domain/orders.js';
import type { ErrorCode } from '../domain/error-codes.js';
import type { BrokerEvents } from '../../ports/broker-adapter.js';
import type { OrderIntent, RiskDecision } from '../../ports/risk-policy.js';
import type { IntentResult } from '../../ports/strategy.js';
import { OrderRegistry, type OrderRole, type TrackedOrder } from './order-registry.js';
import { attachBrokerEvents } from './broker-event-handler.js';
import type { OrderManagerDeps } from './order-manager-deps.js';
import { type Closing, closingKey, crossingPrice, escalateClose, isProtective, MAX_CLOSE_FAILURES } from './close-escalation.js';

export type { OrderManagerDeps, RiskGateLike } from './order-manager-deps.js';
export { MAX_CLOSE_FAILURES } from './close-escalation.js';

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
  /** Positions being closed, by strategy and symbol: re-covered after every fill, failure and reconnect until flat. */
  private readonly closing = new Map<string, Closing>();
  private cancelsSent = 0;

  constructor(private readonly d: OrderManagerDeps) {}

  /** Counters of ids and orders, for checkpoints. */
  get counters(): { intents: number; trades: number; ordersSent: number } {
    return { intents: this.intentCount, trades: this.tradeCount, ordersSent: this.ordersSent };
  }

  /**
   * A restart of the same trading day and account continues after the highest intent and trade number any earlier
   * run used: a client order id is never reused (the venue would refuse it as ORDER.DUPLICATE_ID).
   */
  restoreCounters(c: { intents: number; trades: number; ordersSent: number }): void {
    this.intentCount = Math.max(this.intentCount, c.intents);
    this.tradeCount = Math.max(this.tradeCount, c.trades);
    this.ordersSent = Math.max(this.ordersSent, c.ordersSent);
  }

  /** A new trade id (adopted positions get one like any entry). */
  nextTradeId(strategyId: string): string {
    return `${strategyId}-t${++this.tradeCount}`;
  }

  attach(): () => void {
    return attachBrokerEvents(this.d, this.registry, this);
  }

  submitIntent(
    strategyId: string,
    input: Omit<OrderIntent, 'strategyId' | 'intentId'> & { intentId?: string },
    opts: { close?: boolean } = {},
  ): IntentResult {
    const intentId = input.intentId ?? `${strategyId}-i${++this.intentCount}`;
    const intent: OrderIntent = { ...input, intentId, strategyId };
    // The gate first: in HALT or SAFE_MODE its reason is the one that stands.
    const gated = this.d.gate.evaluate(intent, this.d.risk);
    const decision = gated.action === 'allow' && opts.close !== true ? (this.exitCheck(intent) ?? gated) : gated;
    const base = { symbol: intent.symbol, strategyId };
    if (decision.action !== 'allow') {
      this.d.journal.write(
        'risk',
        'risk.denied',
        { intent: intentRecord(intent), action: decision.action, reasons: decision.reasons, warnings: decision.warnings },
        base,
      );
      this.d.bus.emit('risk.denied', { intentId, strategyId, action: decision.action, reasons: decision.reasons, at: this.d.clock.now() });
      return { status: 'denied', intentId, decision };
    }
    const quantity = decision.maxQty !== undefined ? Math.min(decision.maxQty, intent.quantity) : intent.quantity;
    if (!(quantity > 0)) {
      const denied: RiskDecision = {
        action: 'reject',
        reasons: [{ code: 'RISK.MAX_SHARES', limit: 'maxQty', observed: intent.quantity, threshold: quantity }],
        warnings: decision.warnings,
      };
      this.d.journal.write(
        'risk',
        'risk.denied',
        { intent: intentRecord(intent), action: 'reject', reasons: denied.reasons, warnings: [] },
        base,
      );
      return { status: 'denied', intentId, decision: denied };
    }
    if (intent.kind === 'entry') {
      // A new entry once flat starts a new trade: an earlier close's watch (its cancels still in flight) must not
      // treat it as a remainder to close.
      const c = this.closing.get(closingKey(strategyId, intent.symbol));
      if (c !== undefined && (this.d.tracker.current(strategyId, intent.symbol)?.quantity ?? 0) === 0) this.closing.delete(c.key);
    }
    const tradeId = this.tradeIdFor(intent);
    // The approval and the order requests are committed in one transaction at the broker barrier (journal-writer.ts).
    const sent = this.d.journal.toBroker(() => {
      this.d.journal.write(
        'risk',
        'risk.approved',
        { intent: intentRecord(intent), quantity, warnings: decision.warnings },
        { ...base, tradeId: tradeId ?? undefined },
      );
      this.d.bus.emit('risk.approved', { intentId, strategyId, symbol: intent.symbol, qty: quantity, at: this.d.clock.now() });
      const sized: OrderIntent = { ...intent, quantity };
      return this.send(sized, tradeId, opts.close === true);
    });
    if (sent.status === 'rejected') return { status: 'rejected', intentId, code: sent.code, reason: sent.reason };
    this.d.bus.emit('intent.sent', { intentId, strategyId, coids: sent.coids, tradeId, at: this.d.clock.now() });
    return { status: 'sent', intentId, coids: sent.coids, tradeId };
  }

  /**
   * An exit a strategy sends itself (not a close, which `cover` sizes) may not sell more than its position less what
   * its working exits can still sell: more would open the opposite position, unprotected. Bracket children share
   * one budget, so a bracket counts once, by its larger leg; an order whose cancel is in flight is not counted, which
   * is what lets a strategy replace its bracket by a scale-out (a fill racing that cancel at a live venue is the one
   * case this cannot see). LMP's TP1 once sized its scale-out by its entry fill after the bracket's take-profit had
   * already sold 600 of 743 shares, and went 600 short for 23 minutes (docs/learning.md#an-oversell-found-by-the-sweep).
   */
  private exitCheck(intent: OrderIntent): RiskDecision | null {
    if (intent.kind !== 'exit') return null;
    const trade = this.d.tracker.current(intent.strategyId, intent.symbol);
    const position = trade !== undefined && (trade.side === 'long') === (intent.side === 'sell') ? trade.quantity : 0;
    let covered = 0;
    const brackets = new Map<string, number>();
    for (const o of this.registry.workingFor(intent.strategyId, intent.symbol)) {
      if (o.side !== intent.side || o.role === 'entry' || o.cancelRequested === true) continue;
      const left = Math.max(0, o.quantity - o.filled);
      if (o.role === 'stop-loss' || o.role === 'take-profit') brackets.set(o.intentId, Math.max(brackets.get(o.intentId) ?? 0, left));
      else covered += left;
    }
    for (const left of brackets.values()) covered += left;
    const free = Math.max(0, position - covered);
    if (intent.quantity <= free) return null;
    return {
      action: 'reject',
      reasons: [
        {
          code: 'RISK.EXIT_EXCEEDS_POSITION',
          limit: 'position',
          observed: intent.quantity,
          threshold: free,
          message: `exit of ${intent.quantity} exceeds the ${position} held less ${covered} its working exits can still ${intent.side}`,
        },
      ],
      warnings: [],
    };
  }

  cancel(strategyId: string, coid: string): void {
    const order = this.registry.get(coid);
    if (order === undefined || order.strategyId !== strategyId) return;
    this.requestCancel(order);
  }

  /**
   * Close the strategy's position in a symbol (through risk). Entries and other non-protective orders are
   * cancelled; protective stops (bracket children included) stay working until the position is flat, and the close
   * is sized to the position now, less closes already pending. A fill that grows the position afterwards (the rest
   * of a partly filled entry) is covered by a re-issued close for the remainder (see `cover`).
   */
  closePosition(strategyId: string, symbol: string, reason: string): IntentResult | null {
    const c = this.startClosing(strategyId, symbol, 'exit', reason);
    if (c === null) return null;
    const sent = this.cover(c);
    if (sent !== null) return sent;
    // Nothing new went out: the shares are already covered by pending closes, or the close waits for the link or
    // an operator. Either way the position is not flat, so the strategy must not treat this as "nothing to close".
    const pending = this.registry.workingFor(strategyId, symbol).filter((o) => o.close === true && o.cancelRequested !== true);
    const tradeId = this.d.tracker.current(strategyId, symbol)?.tradeId ?? null;
    if (c.waitingForLink || c.escalated || pending.length === 0) {
      return {
        status: 'rejected',
        intentId: `${strategyId}-close`,
        code: c.escalated ? 'RISK.CLOSE_FAILED' : 'BROKER.NOT_CONNECTED',
        reason: c.escalated ? 'close escalated to the operator' : 'close waits for the broker',
      };
    }
    return { status: 'sent', intentId: pending[0]!.intentId, coids: pending.map((o) => o.coid), tradeId };
  }

  /**
   * Kill switch and session end: cancel every working order and close every position at market — once. A flatten
   * that runs again before the venue has answered the last one (session end right after a HALT, a restored HALT)
   * sends no second cancel for an order whose cancel is pending, leaves the earlier closing orders working, and
   * closes only what they do not already cover: a second close for the same shares would open the opposite position
   * (card RISK-13: each sent once, docs/conformance-cards.md#risk-13).
   */
  flattenAll(reason: string, only?: (symbol: string, strategyId: string) => boolean): { positions: number; cancelled: number } {
    const before = this.cancelsSent;
    const pairs = new Map<string, { strategyId: string; symbol: string }>();
    for (const trade of this.d.tracker.openTrades()) pairs.set(closingKey(trade.strategyId, trade.symbol), trade);
    for (const o of this.registry.working()) pairs.set(closingKey(o.strategyId, o.symbol), o);
    let positions = 0;
    for (const { strategyId, symbol } of pairs.values()) {
      if (only !== undefined && !only(symbol, strategyId)) continue;
      const c = this.startClosing(strategyId, symbol, 'flatten', reason);
      if (c !== null && this.cover(c) !== null) positions++;
    }
    const cancelled = this.cancelsSent - before;
    this.d.journal.write('risk', 'flatten.all', { positions, cancelled, reason });
    this.d.bus.emit('kill-switch.flattened', { positions, cancelled, reason, at: this.d.clock.now() });
    return { positions, cancelled };
  }

  /**
   * Mark a strategy's symbol as closing (a flatten outranks a strategy's close) and cancel what would add to the
   * position or is no protection (entries, non-stop exits). Protective orders stay until flat; an entry whose
   * cancel is still in flight may yet fill, so the position stays "closing" until nothing can add to it. Null when
   * the strategy holds nothing and has nothing working there.
   */
  private startClosing(strategyId: string, symbol: string, role: 'exit' | 'flatten', reason: string): Closing | null {
    const held = this.d.tracker.current(strategyId, symbol)?.quantity ?? 0;
    const working = this.registry.workingFor(strategyId, symbol);
    if (held === 0 && working.length === 0) return null;
    const key = closingKey(strategyId, symbol);
    let c = this.closing.get(key);
    if (c === undefined) {
      c = { key, strategyId, symbol, role, reason, failures: 0, waitingForLink: false, escalated: false };
      this.closing.set(key, c);
    } else if (role === 'flatten') {
      c.role = 'flatten';
      c.reason = reason;
    }
    for (const o of working) if (o.close !== true && !isProtective(o)) this.requestCancel(o);
    return c;
  }

  /**
   * The position-protection invariant for one closing position: the open shares are covered by pending closes, or
   * a close for the uncovered rest goes out now; once flat, the protective orders left over are cancelled. Runs
   * after every fill, close failure and reconnect of a closing position. Returns the result of the close it sent,
   * or null when none was needed (or none could go: the link is down, or the close was escalated).
   */
  cover(c: Closing): IntentResult | null {
    const trade = this.d.tracker.current(c.strategyId, c.symbol);
    const held = trade?.quantity ?? 0;
    if (held === 0) {
      // Flat: nothing may add to the position or trade it again. Until every order there is done, keep watching: an
      // entry whose cancel is in flight, or a close that loses the race with a stop, may still fill, and the
      // position that fill leaves is closed at once (the branch below, on the next fill).
      // Protective orders stay while an entry is still working: the venue cancels a bracket's children with an
      // unfilled parent, and keeps them for what a partly filled one bought.
      const working = this.registry.workingFor(c.strategyId, c.symbol);
      const entryLeft = working.some((o) => o.role === 'entry');
      for (const o of working) if (!entryLeft || !isProtective(o)) this.requestCancel(o);
      if (working.length === 0) this.closing.delete(c.key);
      return null;
    }
    if (c.escalated) return null;
    if (c.waitingForLink) {
      // Sized afresh once the broker can trade again (connected and reconciled), whoever asks first.
      if (!this.d.broker.health().canTrade) return null;
      c.waitingForLink = false;
      this.d.journal.write('risk', 'close.resent', { reason: c.reason }, { symbol: c.symbol, strategyId: c.strategyId });
    }
    const side: OrderSide = trade!.side === 'long' ? 'sell' : 'buy';
    let pending = 0;
    for (const o of this.registry.workingFor(c.strategyId, c.symbol)) {
      if (o.close === true && o.side === side && o.cancelRequested !== true) pending += o.quantity - o.filled;
    }
    const quantity = held - pending;
    if (quantity <= 0) return null;
    const price = c.failures > 0 ? crossingPrice(this.d, c.symbol, side, c.failures) : undefined;
    const reason = c.failures > 0 ? `${c.reason} (retry ${c.failures})` : c.reason;
    if (c.role === 'exit' && this.d.gate.state !== 'HALT') {
      const type = price === undefined ? 'market' : 'limit';
      return this.submitIntent(
        c.strategyId,
        { symbol: c.symbol, kind: 'exit', side, type, quantity, reason, ...(price === undefined ? {} : { limitPrice: price }) },
        { close: true },
      );
    }
    const coid = `${c.strategyId}-k${++this.intentCount}`;
    const order: OrderRequest = {
      coid,
      symbol: c.symbol,
      side,
      type: price === undefined ? 'market' : 'limit',
      quantity,
      tif: 'day',
      orderRef: this.orderRef(coid),
    };
    if (price !== undefined) order.limitPrice = price;
    this.d.journal.write(
      'risk',
      'flatten.order',
      { coid, side, quantity, reason, ...(price === undefined ? {} : { limitPrice: price }) },
      { symbol: c.symbol, strategyId: c.strategyId, tradeId: trade!.tradeId, coid },
    );
    this.track(order, { intentId: coid, strategyId: c.strategyId, tradeId: trade!.tradeId, role: 'flatten', reason, close: true });
    this.d.journal.durable();
    const receipt = this.d.broker.submit(order);
    if (receipt.status === 'rejected') return { status: 'rejected', intentId: coid, code: receipt.code, reason: receipt.reason };
    return { status: 'sent', intentId: coid, coids: [coid], tradeId: trade!.tradeId };
  }

  /**
   * A fill, cancel or reject of one of the strategy's orders: a closing position is covered again (a remainder) or,
   * once flat with nothing left that could fill, tidied (its protective orders cancelled).
   */
  afterOrderEvent(strategyId: string, symbol: string): void {
    const c = this.closing.get(closingKey(strategyId, symbol));
    if (c !== undefined) this.cover(c);
  }

  /**
   * A close of ours ended without filling all of it: refused by the link (re-sent after reconnect and
   * reconciliation), or rejected or cancelled by the venue (re-sent at a price that crosses the spread; after
   * MAX_CLOSE_FAILURES the close is escalated to the operator and journaled as critical).
   */
  closeFailed(o: TrackedOrder, code: ErrorCode, reason: string): void {
    const c = this.closing.get(closingKey(o.strategyId, o.symbol));
    if (c === undefined) return;
    if (code === 'BROKER.NOT_CONNECTED') {
      c.waitingForLink = true;
      this.d.journal.write(
        'risk',
        'close.waiting-for-link',
        { coid: o.coid, reason },
        { symbol: o.symbol, strategyId: o.strategyId, coid: o.coid },
      );
      return;
    }
    c.failures++;
    if (c.failures >= MAX_CLOSE_FAILURES) {
      escalateClose(this.d, c, o, code, reason);
      return;
    }
    this.cover(c);
  }

  /**
   * The broker may be back (reconciliation completed, or Connected): closes the link refused go out again, sized to
   * the position now, as soon as the broker can trade (`cover` checks it, so the order of the two events is moot).
   */
  linkRestored(): void {
    for (const c of [...this.closing.values()]) if (c.waitingForLink) this.cover(c);
  }

  /** Whether a position is being closed (for the event handler and tests). */
  isClosing(strategyId: string, symbol: string): boolean {
    return this.closing.has(closingKey(strategyId, symbol));
  }

  /**
   * Orderly stop: cancel every working entry order, keep the protective legs (stop-loss, take-profit) of
   * open positions working at the broker. Returns how many cancels were sent.
   */
  cancelEntries(): number {
    let cancelled = 0;
    for (const o of this.registry.working()) {
      if (o.role === 'entry' && this.requestCancel(o)) cancelled++;
    }
    this.d.journal.write('risk', 'stop.cancel-entries', { cancelled });
    return cancelled;
  }

  /** One cancel per order until the venue answers: a repeated cancel is noise the venue counts against pacing. */
  private requestCancel(o: TrackedOrder): boolean {
    if (o.terminal || o.cancelRequested === true) return false;
    o.cancelRequested = true;
    this.cancelsSent++;
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

  private send(
    intent: OrderIntent,
    tradeId: string | null,
    close: boolean,
  ): { status: 'sent'; coids: string[] } | { status: 'rejected'; code: ErrorCode; reason: string } {
    const meta = { intentId: intent.intentId, strategyId: intent.strategyId, tradeId, reason: intent.reason, close };
    const exitSide: OrderSide = intent.side === 'buy' ? 'sell' : 'buy';
    const parent = this.order(
      `${intent.intentId}.p`,
      intent,
      intent.side,
      intent.type,
      intent.quantity,
      intent.limitPrice,
      intent.triggerPrice,
    );
    if (intent.kind === 'entry' && intent.stopLoss !== undefined && intent.takeProfit !== undefined) {
      const bracketId = `${intent.intentId}.b`;
      const oca = `${intent.intentId}.oca`;
      const bracket: BracketRequest = {
        bracketId,
        parent: { ...parent, bracketId },
        stopLoss: {
          ...this.order(`${intent.intentId}.sl`, intent, exitSide, 'stop', intent.quantity, undefined, intent.stopLoss),
          bracketId,
          parentCoid: parent.coid,
          ocaGroup: oca,
        },
        takeProfit: {
          ...this.order(`${intent.intentId}.tp`, intent, exitSide, 'limit', intent.quantity, intent.takeProfit, undefined),
          bracketId,
          parentCoid: parent.coid,
          ocaGroup: oca,
        },
      };
      this.track(bracket.parent, { ...meta, role: 'entry' });
      this.track(bracket.stopLoss, { ...meta, role: 'stop-loss' });
      this.track(bracket.takeProfit, { ...meta, role: 'take-profit' });
      this.d.journal.durable();
      const receipt = this.d.broker.submitBracket(bracket);
      if (receipt.status === 'rejected') {
        // A refused bracket never reaches the venue: its children are done too (the venue answers only the parent).
        for (const coid of [bracket.stopLoss.coid, bracket.takeProfit.coid]) {
          const child = this.registry.get(coid);
          if (child !== undefined) this.registry.markTerminal(child);
        }
        return { status: 'rejected', code: receipt.code, reason: receipt.reason };
      }
      return { status: 'sent', coids: [bracket.parent.coid, bracket.stopLoss.coid, bracket.takeProfit.coid] };
    }
    this.track(parent, { ...meta, role: intent.kind === 'entry' ? 'entry' : 'exit' });
    this.d.journal.durable();
    const receipt = this.d.broker.submit(parent);
    if (receipt.status === 'rejected') return { status: 'rejected', code: receipt.code, reason: receipt.reason };
    return { status: 'sent', coids: [parent.coid] };
  }

  private order(
    coid: string,
    intent: OrderIntent,
    side: OrderSide,
    type: OrderRequest['type'],
    quantity: number,
    limitPrice?: number,
    triggerPrice?: number,
  ): OrderRequest {
    const o: OrderRequest = { coid, symbol: intent.symbol, side, type, quantity, tif: 'day', orderRef: this.orderRef(coid) };
    if (limitPrice !== undefined) o.limitPrice = limitPrice;
    if (triggerPrice !== undefined) o.triggerPrice = triggerPrice;
    return o;
  }

  private orderRef(coid: string): string {
    return `hv:${this.d.sessionTag}:${coid}`;
  }

  private track(
    order: OrderRequest,
    meta: { intentId: string; strategyId: string; tradeId: string | null; role: OrderRole; reason: string; close?: boolean },
  ): void {
    // Every field written here, in one order, for every caller: one object shape for all tracked orders, where a
    // rest-and-spread copy of `meta` made a shape per call site and a slow generic copy per order
    // (bench/RESULTS.md, "One shape for a tracked order").
    const tracked: TrackedOrder = {
      coid: order.coid,
      intentId: meta.intentId,
      strategyId: meta.strategyId,
      symbol: order.symbol,
      tradeId: meta.tradeId,
      role: meta.role,
      reason: meta.reason,
      side: order.side,
      type: order.type,
      quantity: order.quantity,
      filled: 0,
      terminal: false,
    };
    if (meta.close === true) tracked.close = true;
    this.registry.add(tracked);
    this.ordersSent++;
    this.d.journal.write(
      'order',
      'order.requested',
      { ...order, role: meta.role, intentId: meta.intentId },
      { symbol: order.symbol, coid: order.coid, strategyId: meta.strategyId, tradeId: meta.tradeId ?? undefined },
    );
  }
}

function intentRecord(i: OrderIntent): Record<string, unknown> {
  return { ...i };
}

export type { BrokerEvents };
