import { EventEmitter } from 'eventemitter3';
import type { BrokerEventName, BrokerEvents, BrokerHealth, IBrokerAdapter } from '../../ports/broker-adapter.js';
import type {
  AccountSnapshot,
  BracketRequest,
  OpenOrder,
  OrderRequest,
  OrderStatus,
  Position,
  SubmitReceipt,
} from '../../core/domain/orders.js';

/** A broker double that records what reaches it and lets a test emit venue events. */
export class RecordingBroker implements IBrokerAdapter {
  readonly id = 'recording';
  readonly submitted: OrderRequest[] = [];
  readonly brackets: BracketRequest[] = [];
  readonly cancels: string[] = [];
  private readonly emitter = new EventEmitter();

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async dispose(): Promise<void> {}
  submit(order: OrderRequest): SubmitReceipt {
    this.submitted.push(order);
    return { coid: order.coid, status: 'sent' };
  }
  submitBracket(bracket: BracketRequest): SubmitReceipt {
    this.brackets.push(bracket);
    this.submitted.push(bracket.parent, bracket.stopLoss, bracket.takeProfit);
    return { coid: bracket.parent.coid, status: 'sent' };
  }
  cancel(coid: string): void {
    this.cancels.push(coid);
  }
  modify(): void {}
  async reconcile(): Promise<void> {}
  openOrders(): readonly OpenOrder[] {
    return [];
  }
  orderStatus(): OrderStatus | null {
    return null;
  }
  positions(): readonly Position[] {
    return [];
  }
  accountSnapshot(): AccountSnapshot {
    return { account: 'test', currency: 'USD', equity: 0, cash: 0, buyingPower: 0, realizedPnl: 0, unrealizedPnl: 0, time: 0 };
  }
  health(): BrokerHealth {
    return { state: 'Connected', lastHeard: 0, canTrade: true, readOnly: false, account: null, detail: '' };
  }
  on<K extends BrokerEventName>(event: K, listener: (payload: BrokerEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }
  emit<K extends BrokerEventName>(event: K, payload: BrokerEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}
