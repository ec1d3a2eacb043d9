import type { BookView } from '../../core/domain/book-view.js';
import type { DepthEvent, FeedStatusEvent } from '../../core/domain/market.js';
import type { Micros } from '../../core/domain/units.js';
import type { Strategy, StrategyContext, StrategyOrderUpdate, StrategySubscription } from '../../ports/strategy.js';
import type { ImbalanceTickParams } from './params.js';

/**
 * An EXAMPLE strategy, kept deliberately small: it exists so the kernel trades end to end before LMP is selected,
 * and as the shortest readable plugin. Buy when top-N bid volume outweighs the ask side with a tight spread; the
 * bracket's stop and take-profit do the exits; a time stop closes what they did not.
 */
export class ImbalanceTickStrategy implements Strategy {
  readonly id: string;
  private pending = false;
  private entryAt: Micros = 0;
  private nextAllowed: Micros = 0;
  private halted = false;

  constructor(private readonly ctx: StrategyContext<ImbalanceTickParams>) {
    this.id = ctx.strategyId;
  }

  subscriptions(): readonly StrategySubscription[] {
    return [{ symbol: this.ctx.params.symbol, streams: ['depth', 'tape'], levels: 10 }];
  }

  onStatus(status: FeedStatusEvent): void {
    if (status.status === 'halted' || status.status === 'gap') this.halted = true;
    if (status.status === 'resumed' || status.status === 'trading') this.halted = false;
  }

  onBook(book: BookView, _event: DepthEvent): void {
    const p = this.ctx.params;
    const now = this.ctx.clock.now();
    const qty = this.ctx.position(p.symbol)?.quantity ?? 0;
    if (qty !== 0) {
      // A position this instance did not enter (inherited over a restart) is held from when it was first seen.
      if (this.entryAt === 0) this.entryAt = now;
      if (now - this.entryAt > p.maxHoldSeconds * 1_000_000) this.ctx.close(p.symbol, 'time-stop');
      return;
    }
    if (this.pending || this.halted || now < this.nextAllowed || book.bestBid === 0 || book.bestAsk === 0) return;
    const bid = book.topVolume('bid');
    const ask = book.topVolume('ask');
    const imbalance = (bid - ask) / (bid + ask);
    const spreadTicks = book.spread / p.tick;
    if (imbalance < p.minImbalance || spreadTicks > p.maxSpreadTicks) return;
    const result = this.ctx.submit({
      symbol: p.symbol,
      kind: 'entry',
      side: 'buy',
      type: 'limit',
      quantity: p.quantity,
      limitPrice: book.bestAsk,
      stopLoss: book.bestBid - p.stopTicks * p.tick,
      takeProfit: book.bestAsk + p.targetTicks * p.tick,
      reason: 'imbalance',
    });
    this.ctx.decide({
      symbol: p.symbol,
      stage: 'entry',
      outcome: result.status,
      intentId: result.intentId,
      tradeId: result.status === 'sent' ? (result.tradeId ?? undefined) : undefined,
      gates: {
        imbalance: { value: Number(imbalance.toFixed(4)), threshold: p.minImbalance, pass: true },
        spreadTicks: { value: spreadTicks, threshold: p.maxSpreadTicks, pass: true },
      },
    });
    this.nextAllowed = now + p.cooldownSeconds * 1_000_000;
    if (result.status === 'sent') this.pending = true;
  }

  onOrder(update: StrategyOrderUpdate): void {
    if (update.type === 'filled' && update.coid.endsWith('.p')) {
      this.entryAt = this.ctx.clock.now();
      this.pending = false;
    }
    if ((update.type === 'cancelled' || update.type === 'rejected') && update.coid.endsWith('.p')) this.pending = false;
  }
}
