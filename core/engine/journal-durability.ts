import type { Micros } from '../domain/units.js';
import type { JournalKind } from '../../ports/journal.js';

/**
 * The journal's durability contract (the README's "Durability" table is written from this file).
 *
 * - `order-path`: committed synchronously inside `JournalWriter.write`, before the call returns — so before the
 *   next broker call, and before the order manager hands the order's bytes to the broker (it also calls
 *   `JournalWriter.durable()` right before every broker call, so a row kind moved to `group` later still cannot
 *   overtake the broker). One exception, no weaker: the rows one intent writes on its way to the broker (approval,
 *   order requests) are committed together, in one transaction, by the barrier before its broker call
 *   (`JournalWriter.toBroker`); nothing leaves the process between those writes and that barrier.
 * - `group`: market-derived rows, committed with the next order-path row or when the group bound is reached,
 *   whichever is first. A crash loses at most one bound of them.
 */
export type Durability = 'order-path' | 'group';

/** Risk approvals/denials, kill-switch transitions and operator commands ('risk'), order requests, acks and
 * status changes ('order'), fills and commissions ('fill'), closed trades ('trade'), checkpoints. */
const ORDER_PATH_KINDS: ReadonlySet<JournalKind> = new Set<JournalKind>(['risk', 'order', 'fill', 'trade', 'checkpoint']);

/** Broker-side events on the 'event' kind that restart and reconciliation read: committed like order rows. */
const ORDER_PATH_EVENTS: ReadonlySet<string> = new Set([
  'connection.changed',
  'broker.error',
  'broker.anomaly',
  'reconciliation.completed',
]);

export function durabilityOf(kind: JournalKind, type: string): Durability {
  if (ORDER_PATH_KINDS.has(kind)) return 'order-path';
  if (kind === 'event' && ORDER_PATH_EVENTS.has(type)) return 'order-path';
  return 'group';
}

/** How many market-derived rows, and how much Clock time since the oldest of them, may wait for a commit. */
export interface GroupCommitBound {
  rows: number;
  clockUs: Micros;
}

/**
 * Wall clock (paper, live): a crash loses at most 250 ms or 512 rows of decisions, snapshots and feed status.
 * Virtual clock (replay): the run is reproducible from its recording, so the bound is wider (10 s of market time or
 * 4,096 rows) to keep replay speed; it is still a real bound, enforced by a timer on the same Clock.
 */
export const GROUP_COMMIT_BOUND: Readonly<Record<'wall' | 'virtual', GroupCommitBound>> = Object.freeze({
  wall: Object.freeze({ rows: 512, clockUs: 250_000 }),
  virtual: Object.freeze({ rows: 4_096, clockUs: 10_000_000 }),
});
