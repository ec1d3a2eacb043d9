import type { BookView } from '../../core/domain/book-view.js';
import type { DepthEvent, TradeEvent } from '../../core/domain/market.js';
import { SimMatcher } from '../../adapters/simulated/sim-matcher.js';
import { isTerminal } from '../../adapters/simulated/sim-order.js';

/**
 * The simulated venue's matcher as it was before its price-level index: every market event walks every working
 * order. Kept as the reference the indexed matcher must fill exactly like (test/property/sim-matcher-index.spec.ts);
 * what one order does with an event (queue update, print, crossing the book) is the shared code.
 */
export class ScanningSimMatcher extends SimMatcher {
  override onDepth(e: DepthEvent, book: BookView): void {
    for (const o of this.working) {
      if (o.req.symbol !== e.symbol || o.req.limitPrice !== e.price || (o.req.side === 'buy') !== (e.side === 'bid')) continue;
      this.levelChanged(o, e.size);
    }
    for (const o of this.working.slice()) if (o.req.symbol === e.symbol && o.live) this.tryFill(o, book);
  }

  override onTrade(t: TradeEvent, book: BookView | undefined): void {
    for (const o of this.working.slice()) {
      if (o.req.symbol !== t.symbol || !o.live || isTerminal(o.status)) continue;
      this.printed(o, t, book);
    }
  }
}
