import type { BracketRequest, OrderRequest, SubmitReceipt } from '../../core/domain/orders.js';
import type { Clock } from '../../ports/clock.js';
import { RecordingBroker } from './recording-broker.js';

/**
 * A broker double for kernel tests: market and marketable orders fill in full at once at `price()`, bracket
 * children rest until `fillResting(coid)`; every fill has an exec id and a commission. Cancels confirm at once.
 */
export class InstantBroker extends RecordingBroker {
  private exec = 0;
  readonly resting = new Map<string, OrderRequest>();

  constructor(
    private readonly clock: Clock,
    private readonly price: (symbol: string) => number,
  ) {
    super();
  }

  override submit(order: OrderRequest): SubmitReceipt {
    super.submit(order);
    this.accept(order);
    if (order.type === 'market' || order.type === 'limit') this.fill(order, order.limitPrice ?? this.price(order.symbol));
    else this.resting.set(order.coid, order);
    return { coid: order.coid, status: 'sent' };
  }

  override submitBracket(b: BracketRequest): SubmitReceipt {
    this.brackets.push(b);
    this.submitted.push(b.parent, b.stopLoss, b.takeProfit);
    this.accept(b.parent);
    this.fill(b.parent, b.parent.limitPrice ?? this.price(b.parent.symbol));
    for (const child of [b.stopLoss, b.takeProfit]) {
      this.accept(child);
      this.resting.set(child.coid, child);
    }
    return { coid: b.parent.coid, status: 'sent' };
  }

  override cancel(coid: string): void {
    super.cancel(coid);
    const o = this.resting.get(coid);
    if (o === undefined) return;
    this.resting.delete(coid);
    this.emit('order.cancelled', { coid, filledQty: 0, cancelledQty: o.quantity, reason: 'requested', at: this.clock.now() });
  }

  fillResting(coid: string, price: number): void {
    const o = this.resting.get(coid);
    if (o === undefined) return;
    this.resting.delete(coid);
    this.fill(o, price);
    for (const [other, r] of this.resting) {
      if (r.ocaGroup !== undefined && r.ocaGroup === o.ocaGroup) {
        this.resting.delete(other);
        this.emit('order.cancelled', { coid: other, filledQty: 0, cancelledQty: r.quantity, reason: 'oca', at: this.clock.now() });
      }
    }
  }

  private accept(o: OrderRequest): void {
    this.emit('order.accepted', {
      coid: o.coid,
      brokerOrderId: o.coid,
      permId: null,
      held: false,
      holdReason: null,
      synthetic: false,
      reconciled: false,
      at: this.clock.now(),
    });
  }

  private fill(o: OrderRequest, price: number): void {
    this.emit('order.filled', {
      coid: o.coid,
      execId: `x${++this.exec}`,
      symbol: o.symbol,
      side: o.side,
      qty: o.quantity,
      price,
      cumQty: o.quantity,
      leavesQty: 0,
      status: 'Filled',
      commission: 10_000,
      orderRef: o.orderRef,
      at: this.clock.now(),
    });
  }
}
