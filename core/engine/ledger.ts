import type { OrderSide, Position } from '../domain/orders.js';
import { applyFillToCost, averageCostPrice } from '../domain/position-cost.js';
import type { Money, Price, Quantity } from '../domain/units.js';

/** The ledger's whole state, for runtime checkpoints (integers only). */
export interface LedgerSnapshot {
  books: { symbol: string; quantity: Quantity; cost: Money; realized: Money; mark: Price }[];
  commissions: Money;
  realized: Money;
}

interface Book {
  symbol: string;
  quantity: Quantity;
  /** Exact cost basis of the open quantity (Σ price × qty), Money units; sign follows quantity. */
  cost: Money;
  realized: Money;
  mark: Price;
}

/**
 * The kernel's own account ledger, built only from fills. It is what risk reads; the broker's view is compared with
 * it at reconciliation. All arithmetic is integer: cost basis is kept exactly, and the realized PnL of a partial
 * reduction rounds the removed cost half away from zero (core/domain/position-cost.ts).
 */
export class Ledger {
  private readonly books = new Map<string, Book>();
  private commissionTotal: Money = 0;
  private realizedTotal: Money = 0;

  constructor(readonly startEquity: Money) {}

  /** Apply one fill; returns the realized PnL it produced (gross of commission). */
  applyFill(symbol: string, side: OrderSide, quantity: Quantity, price: Price, commission: Money): Money {
    const book = this.book(symbol);
    const signed = side === 'buy' ? quantity : -quantity;
    this.commissionTotal += commission;
    const realized = applyFillToCost(book, signed, price);
    this.realizedTotal += realized;
    if (book.mark === 0) book.mark = price;
    return realized;
  }

  /** A commission that arrived after its fill (IB reports them separately). */
  addCommission(amount: Money): void {
    this.commissionTotal += amount;
  }

  /** Mark `symbol` at a print; returns its open quantity (the router's one lookup per print serves both). */
  mark(symbol: string, price: Price): Quantity {
    const book = this.books.get(symbol);
    if (book === undefined) return 0;
    if (price > 0) book.mark = price;
    return book.quantity;
  }

  position(symbol: string): Position | undefined {
    const b = this.books.get(symbol);
    if (b === undefined) return undefined;
    return {
      symbol,
      quantity: b.quantity,
      averagePrice: averageCostPrice(b),
      realizedPnl: b.realized,
    };
  }

  quantity(symbol: string): Quantity {
    return this.books.get(symbol)?.quantity ?? 0;
  }

  positions(): Position[] {
    const out: Position[] = [];
    for (const symbol of [...this.books.keys()].sort()) {
      const p = this.position(symbol);
      if (p !== undefined && p.quantity !== 0) out.push(p);
    }
    return out;
  }

  openPositionCount(): number {
    let n = 0;
    for (const b of this.books.values()) if (b.quantity !== 0) n++;
    return n;
  }

  unrealized(): Money {
    let total = 0;
    for (const b of this.books.values()) if (b.quantity !== 0 && b.mark > 0) total += b.mark * b.quantity - b.cost;
    return total;
  }

  realized(): Money {
    return this.realizedTotal;
  }

  commissions(): Money {
    return this.commissionTotal;
  }

  /** Day PnL net of commissions: realized + unrealized − commissions. */
  dailyPnl(): Money {
    return this.realizedTotal + this.unrealized() - this.commissionTotal;
  }

  equity(): Money {
    return this.startEquity + this.dailyPnl();
  }

  snapshot(): LedgerSnapshot {
    const books = [...this.books.values()].filter((b) => b.quantity !== 0 || b.realized !== 0).map((b) => ({ ...b }));
    return { books, commissions: this.commissionTotal, realized: this.realizedTotal };
  }

  /** A restart of the same trading day continues the day's ledger (realized PnL, commissions, open books). */
  restore(s: LedgerSnapshot): void {
    this.books.clear();
    for (const b of s.books) this.books.set(b.symbol, { ...b });
    this.commissionTotal = s.commissions;
    this.realizedTotal = s.realized;
  }

  private book(symbol: string): Book {
    let b = this.books.get(symbol);
    if (b === undefined) {
      b = { symbol, quantity: 0, cost: 0, realized: 0, mark: 0 };
      this.books.set(symbol, b);
    }
    return b;
  }
}
