import type { JournalEntry } from '../../ports/journal.js';

/**
 * The position-protection invariant, checked from the journal as an auditor would: after every row, every open share
 * of a symbol is covered by a protective stop or a pending close on the reducing side. A stop-loss child covers at
 * most what its parent has filled (a bracket's stop protects the shares bought, not the ones still wanted); an
 * exit or flatten order covers what it has left to fill. An order covers from its `order.requested` row until its
 * terminal row (filled, cancelled, rejected). "Every event" is one kernel loop step: the check runs when the loop
 * sequence moves on, so a fill and the close it causes within one step count as one moment.
 *
 * While the API link is down (journaled `connection.changed` away from Connected) nothing new can reach the venue:
 * exposure a fill creates then (a close that lost the race with its stop) can only be covered once the link is back,
 * so such moments are kept apart (`outageGaps`); from the first step after the link is back the rule holds again.
 */
export interface ProtectionGap {
  index: number;
  time: number;
  symbol: string;
  position: number;
  covered: number;
  type: string;
}

interface Tracked {
  symbol: string;
  side: 'buy' | 'sell';
  role: string;
  type: string;
  quantity: number;
  filled: number;
  parent: string | null;
  done: boolean;
}

export class ProtectionMonitor {
  private readonly orders = new Map<string, Tracked>();
  private readonly position = new Map<string, number>();
  private index = 0;
  readonly gaps: ProtectionGap[] = [];
  readonly outageGaps: ProtectionGap[] = [];
  private linkUp = true;
  /** Longest time any symbol held shares without full cover, µs (0 when the invariant always held). */
  longestGap = 0;
  private gapSince = new Map<string, number>();
  private last: JournalEntry | null = null;

  apply(row: JournalEntry): void {
    if (this.last !== null && row.loopSeq !== this.last.loopSeq) this.check(this.last);
    this.last = row;
    const d = row.data as Record<string, unknown>;
    const coid = (d.coid as string | undefined) ?? row.coid;
    if (row.type === 'connection.changed') this.linkUp = d.to === 'Connected';
    if (row.type === 'order.requested' && coid !== undefined) {
      this.orders.set(coid, {
        symbol: d.symbol as string,
        side: d.side as 'buy' | 'sell',
        role: d.role as string,
        type: d.type as string,
        quantity: d.quantity as number,
        filled: 0,
        parent: (d.parentCoid as string | undefined) ?? null,
        done: false,
      });
    } else if (row.type === 'order.filled' && coid !== undefined) {
      const qty = d.qty as number;
      const symbol = d.symbol as string;
      this.position.set(symbol, (this.position.get(symbol) ?? 0) + (d.side === 'buy' ? qty : -qty));
      const o = this.orders.get(coid);
      if (o !== undefined) {
        o.filled += qty;
        if (d.status === 'Filled') o.done = true;
      }
    } else if (row.type === 'order.modified' && coid !== undefined) {
      const o = this.orders.get(coid);
      if (o !== undefined) o.quantity = d.qty as number;
    } else if ((row.type === 'order.cancelled' || row.type === 'order.rejected') && coid !== undefined) {
      const o = this.orders.get(coid);
      if (o !== undefined) o.done = true;
    }
    this.index++;
  }

  /** Check the last step (call once after the last row). */
  end(): this {
    if (this.last !== null) this.check(this.last);
    this.last = null;
    return this;
  }

  covered(symbol: string, reducing: 'buy' | 'sell'): number {
    let covered = 0;
    for (const o of this.orders.values()) {
      if (o.done || o.symbol !== symbol || o.side !== reducing) continue;
      const left = o.quantity - o.filled;
      if (o.role === 'stop-loss') {
        const parent = o.parent === null ? undefined : this.orders.get(o.parent);
        covered += Math.max(0, Math.min(left, (parent?.filled ?? o.quantity) - o.filled));
      } else if (o.role === 'exit' || o.role === 'flatten') covered += left;
    }
    return covered;
  }

  private check(row: JournalEntry): void {
    for (const [symbol, position] of this.position) {
      const need = Math.abs(position);
      const covered = need === 0 ? 0 : this.covered(symbol, position > 0 ? 'sell' : 'buy');
      if (covered >= need) {
        const since = this.gapSince.get(symbol);
        if (since !== undefined) this.longestGap = Math.max(this.longestGap, row.time - since);
        this.gapSince.delete(symbol);
        continue;
      }
      if (!this.gapSince.has(symbol)) this.gapSince.set(symbol, row.time);
      (this.linkUp ? this.gaps : this.outageGaps).push({ index: this.index, time: row.time, symbol, position, covered, type: row.type });
    }
  }

  /** Position per symbol after the rows applied so far. */
  positionOf(symbol: string): number {
    return this.position.get(symbol) ?? 0;
  }
}

/** Runs the monitor over a whole journal (rows in append order). */
export function protectionGaps(rows: readonly JournalEntry[]): ProtectionMonitor {
  const m = new ProtectionMonitor();
  for (const r of rows) m.apply(r);
  return m.end();
}
