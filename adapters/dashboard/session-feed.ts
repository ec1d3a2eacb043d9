import type { JournalEntry } from '../../ports/journal.js';

export interface FeedRow {
  time: number;
  type: string;
  symbol: string | null;
  text: string;
}
export interface Marker {
  time: number;
  symbol: string;
  kind: 'buy' | 'sell' | 'exit';
  price: number;
  text: string;
}

const KEEP = 50;

/**
 * What the dashboard learns from the journal stream (fed by tapJournal): the kill switch's last transition and
 * reason, the broker link's state, the latest decisions and operator actions, fills as chart markers, and the stop
 * prices of working stop orders. Bounded rings: a long day costs no more memory than a short one.
 */
export class SessionFeed {
  killSwitch: { state: string; code: string; message: string; by: string; at: number } | null = null;
  connection: { state: string; reason: string; at: number } | null = null;
  readonly decisions: FeedRow[] = [];
  readonly operator: FeedRow[] = [];
  readonly markers: Marker[] = [];
  readonly stops = new Map<string, { symbol: string; price: number }>();

  onRow = (_sessionId: string, row: JournalEntry): void => {
    const d = row.data as Record<string, unknown>;
    switch (row.kind) {
      case 'decision':
        push(this.decisions, {
          time: row.time,
          type: row.type,
          symbol: row.symbol ?? null,
          text: `${String(d.stage ?? row.type)} → ${String(d.outcome ?? '')}${d.note ? ` (${String(d.note)})` : ''}`,
        });
        return;
      default:
    }
    if (row.type === 'risk.state-changed') {
      const r = (d.reason ?? {}) as { code?: string; message?: string };
      this.killSwitch = { state: String(d.to), code: r.code ?? '', message: r.message ?? '', by: String(d.by ?? ''), at: row.time };
    } else if (row.type === 'connection.changed') {
      this.connection = { state: String(d.to), reason: String(d.reason ?? ''), at: row.time };
    } else if (row.type.startsWith('operator.')) {
      push(this.operator, {
        time: row.time,
        type: row.type,
        symbol: (d.symbol as string | undefined) ?? null,
        text: `${row.type.slice(9)} by ${String(d.operatorId ?? '?')}${d.note ? `: ${String(d.note)}` : ''}`,
      });
    } else if (row.type === 'order.requested' && d.role === 'stop-loss' && typeof d.triggerPrice === 'number') {
      this.stops.set(String(d.coid), { symbol: String(d.symbol), price: d.triggerPrice });
    } else if (row.type === 'order.filled') {
      push(this.markers, {
        time: Number(d.at ?? row.time),
        symbol: String(d.symbol),
        kind: d.side === 'buy' ? 'buy' : 'sell',
        price: Number(d.price),
        text: `${String(d.side)} ${String(d.qty)} @ ${(Number(d.price) / 10_000).toFixed(2)}`,
      });
      if (d.leavesQty === 0) this.stops.delete(String(d.coid));
    } else if (row.type === 'order.cancelled') {
      this.stops.delete(String(d.coid));
    }
  };
}

function push<T>(ring: T[], item: T): void {
  ring.push(item);
  if (ring.length > KEEP) ring.splice(0, ring.length - KEEP);
}
