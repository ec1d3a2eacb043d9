import { CONNECTION_TRANSITIONS, type ConnectionState } from '../../../ports/broker-adapter.js';
import type { Position } from '../../../core/domain/orders.js';
import type { Recorded } from '../recorder.js';

const TERMINAL_EVENTS = new Set(['order.cancelled', 'order.rejected']);
/** Events that are about an order but are not fills; none may follow a terminal state (B1). */
const ORDER_STATE_EVENTS = new Set([
  'order.accepted',
  'order.triggered',
  'order.cancelled',
  'order.rejected',
  'order.modified',
  'order.unknown',
]);
const INTEGER_FIELDS = [
  'qty',
  'price',
  'triggerPrice',
  'cumQty',
  'leavesQty',
  'commission',
  'amount',
  'avgPrice',
  'realizedPnl',
  'filledQty',
  'cancelledQty',
  'qtyDelta',
  'at',
];
const ROUTE_EVENTS = new Set(['order.submitted', 'order.cancel-requested', 'order.modify-requested']);

/**
 * Monitors B1–B9 over one card's recorded events (B10 — venue outcomes never throw — is enforced by the card
 * runner, since a throw fails the card). Returns one line per violation.
 */
export function brokerMonitor(events: readonly Recorded[], options: { commissionWindowElapsed: boolean }): string[] {
  const v: string[] = [];
  const terminal = new Map<string, string>();
  const filled = new Set<string>();
  const accepted = new Set<string>();
  const orderQty = new Map<string, number>();
  const cum = new Map<string, number>();
  const execs = new Set<string>();
  const commissionCount = new Map<string, number>();
  const overfillFlagged = new Set<string>();
  let state: ConnectionState = 'Disconnected';
  let lastTo: ConnectionState | null = null;

  for (const e of events) {
    const p = e.payload;
    const coid = typeof p.coid === 'string' ? p.coid : null;

    // B8: integers, no NaN.
    for (const f of INTEGER_FIELDS) {
      const x = p[f];
      if (x !== undefined && x !== null && !(typeof x === 'number' && Number.isSafeInteger(x)))
        v.push(`B8 ${e.type} #${e.index}: ${f} = ${String(x)} is not an integer`);
    }

    if (e.type === 'connection.changed') {
      const from = p.from as ConnectionState;
      const to = p.to as ConnectionState;
      if (lastTo !== null && from !== lastTo) v.push(`B9 #${e.index}: connection.changed from ${from}, but the previous to was ${lastTo}`);
      if (!(CONNECTION_TRANSITIONS[from] ?? []).includes(to)) v.push(`B9 #${e.index}: ${from}→${to} is not an allowed transition`);
      if (typeof p.reason !== 'string') v.push(`B9 #${e.index}: connection.changed without a reason`);
      lastTo = to;
      state = to;
      continue;
    }

    // B7: nothing routes unless Connected.
    if (ROUTE_EVENTS.has(e.type) && state !== 'Connected') v.push(`B7 #${e.index}: ${e.type}{${coid}} while ${state}`);

    if (e.type === 'order.submitted' && coid !== null) orderQty.set(coid, p.qty as number);

    if (e.type === 'broker.anomaly') {
      const details = (p.details ?? {}) as Record<string, unknown>;
      if (p.kind === 'overfill' && typeof details.coid === 'string') overfillFlagged.add(details.coid);
      if (p.kind === 'commission-missing' && typeof details.execId === 'string')
        commissionCount.set(details.execId, (commissionCount.get(details.execId) ?? 0) + 1);
      continue;
    }

    if (e.type === 'order.filled' && coid !== null) {
      const execId = p.execId;
      if (typeof execId !== 'string' || execId.length === 0) v.push(`B4 #${e.index}: order.filled{${coid}} without an exec id`);
      else if (execs.has(execId)) v.push(`B4 #${e.index}: exec id ${execId} produced a second order.filled`);
      else execs.add(execId);
      if (!accepted.has(coid)) v.push(`B2 #${e.index}: order.filled{${coid}} before order.accepted`);
      const total = (cum.get(coid) ?? 0) + (p.qty as number);
      cum.set(coid, total);
      if (p.cumQty !== total) v.push(`B3 #${e.index}: cumQty ${String(p.cumQty)} ≠ sum of fills ${total} for ${coid}`);
      const q = orderQty.get(coid);
      if (q !== undefined && total > q && !overfillFlagged.has(coid))
        v.push(`B3 #${e.index}: ${coid} filled ${total} > order qty ${q} without broker.anomaly{overfill}`);
      if (typeof execId === 'string' && p.commission !== null && p.commission !== undefined)
        commissionCount.set(execId, (commissionCount.get(execId) ?? 0) + 1);
      if (p.status === 'Filled') {
        if (terminal.has(coid)) v.push(`B1 #${e.index}: ${coid} reached Filled after ${terminal.get(coid)}`);
        else terminal.set(coid, 'Filled');
      }
      filled.add(coid);
      continue;
    }

    if (e.type === 'order.fill-corrected' && coid !== null) {
      cum.set(coid, (cum.get(coid) ?? 0) + ((p.qtyDelta as number) ?? 0));
      continue;
    }

    if (e.type === 'commission.reported') {
      const id = p.execId as string;
      commissionCount.set(id, (commissionCount.get(id) ?? 0) + 1);
      continue;
    }

    if (coid !== null && ORDER_STATE_EVENTS.has(e.type)) {
      const t = terminal.get(coid);
      if (t !== undefined) v.push(`B1 #${e.index}: ${e.type}{${coid}} after terminal ${t}`);
      if (e.type === 'order.accepted') accepted.add(coid);
      if (TERMINAL_EVENTS.has(e.type) && t === undefined) terminal.set(coid, e.type === 'order.cancelled' ? 'Cancelled' : 'Rejected');
    }
  }

  // B5: at most one commission per execution; exactly one once T_comm has passed.
  for (const execId of execs) {
    const n = commissionCount.get(execId) ?? 0;
    if (n > 1) v.push(`B5: exec ${execId} has ${n} commissions`);
    if (n === 0 && options.commissionWindowElapsed)
      v.push(`B5: exec ${execId} has no commission and no commission-missing anomaly after T_comm`);
  }
  return v;
}

/**
 * B6: `positions()` equals the signed sum of fills (with corrections) when no reconciliation moved positions, and
 * every `position.changed{source fill}` follows a fill of its symbol.
 */
export function positionMonitor(events: readonly Recorded[], positions: readonly Position[]): string[] {
  const v: string[] = [];
  if (events.some((e) => e.type === 'position.changed' && e.payload.source === 'reconcile')) return v;
  const net = new Map<string, number>();
  const pendingFill = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'order.filled') {
      const sym = e.payload.symbol as string;
      const signed = (e.payload.side === 'sell' ? -1 : 1) * (e.payload.qty as number);
      net.set(sym, (net.get(sym) ?? 0) + signed);
      pendingFill.set(sym, (pendingFill.get(sym) ?? 0) + 1);
    } else if (e.type === 'position.changed' && e.payload.source === 'fill') {
      const sym = e.payload.symbol as string;
      if ((pendingFill.get(sym) ?? 0) === 0 && !events.some((x) => x.index < e.index && x.type === 'order.fill-corrected')) {
        v.push(`B6 #${e.index}: position.changed{${sym}, source fill} with no fill before it`);
      }
      pendingFill.set(sym, 0);
      if (e.payload.qty !== net.get(sym))
        v.push(`B6 #${e.index}: position.changed{${sym}, qty ${String(e.payload.qty)}} ≠ signed sum of fills ${net.get(sym) ?? 0}`);
    }
  }
  for (const [sym, qty] of net) {
    const p = positions.find((x) => x.symbol === sym);
    const reported = p?.quantity ?? 0;
    if (reported !== qty) v.push(`B6: positions() shows ${sym} ${reported}, fills sum to ${qty}`);
  }
  return v;
}
