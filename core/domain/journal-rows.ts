import type { BrokerEvents } from '../../ports/broker-adapter.js';
import type { FeedEvents } from '../../ports/market-data-feed.js';
import type { FeedStatus } from './market.js';

/**
 * Every journal row kind in one place: its `type`, the `kind` (which decides its durability,
 * core/engine/journal-durability.ts) and the shape of its `data`. A row type not listed here does not compile, so
 * readers (restart, reports, alerts, the dashboard) and writers cannot drift apart on a spelling.
 *
 * Renaming a type or a data key changes every journal digest: add a row type instead.
 */
export type JournalKind = 'order' | 'fill' | 'trade' | 'decision' | 'risk' | 'sample' | 'checkpoint' | 'event';

/** Fields of a row whose shape is defined where it is written (a report, a checkpoint); values are plain JSON. */
type Fields = Readonly<Record<string, unknown>>;
type Row<K extends JournalKind, D = Fields> = { kind: K; data: D };

type BrokerRows<K extends keyof BrokerEvents, Kind extends JournalKind> = { [N in K]: Row<Kind, BrokerEvents[N]> };
/** `feed.status` events are journaled as `feed.<status>`; some share a type with a feed event of that name. */
type FeedStatusRow = `feed.${FeedStatus}`;
type FeedRows = {
  [N in JournalFeedEvent | FeedStatusRow]: Row<
    'event',
    | (N extends JournalFeedEvent ? FeedEvents[N] : never)
    // The engine's own subscribe refusal (core/engine/session-engine.ts) says why in words, not as line usage.
    | (N extends 'feed.refused' ? { symbol: string; stream: FeedEvents[N]['stream']; code: string; reason: string } : never)
    | (N extends `feed.${infer S extends FeedStatus}` ? { status: S; reason: string } : never)
  >;
};

/** Broker order events journaled as they come, under their own name (core/engine/broker-event-handler.ts). */
export const JOURNALED_ORDER_EVENTS = [
  'order.submitted',
  'order.accepted',
  'order.cancelled',
  'order.rejected',
  'order.unknown',
  'order.modified',
  'order.cancel-rejected',
  'order.modify-rejected',
  'order.adopted',
  'bracket.failed',
  'order.triggered',
] as const satisfies readonly (keyof BrokerEvents)[];
export type JournalOrderEvent = (typeof JOURNALED_ORDER_EVENTS)[number];

/** Feed quality events journaled as they come (core/engine/feed-wiring.ts). */
export const JOURNALED_FEED_EVENTS = [
  'feed.refused',
  'feed.failed',
  'feed.stale',
  'feed.resumed',
  'feed.suspect',
  'feed.delayed',
  'feed.interrupted',
  'feed.resubscribed',
  'feed.malformed',
  'feed.entitlement',
  'feed.entitlement-ok',
] as const satisfies readonly (keyof FeedEvents)[];
export type JournalFeedEvent = (typeof JOURNALED_FEED_EVENTS)[number];

/** Operator commands are journaled as `operator.<command>` with the command itself as data. */
export type OperatorRowType =
  | 'operator.pause'
  | 'operator.resume'
  | 'operator.pause-symbol'
  | 'operator.resume-symbol'
  | 'operator.flatten'
  | 'operator.halt'
  | 'operator.clear'
  | 'operator.status';

export type LearningRowType =
  | 'learning.memory-stale'
  | 'learning.started'
  | 'learning.gate-on-load'
  | 'learning.gate'
  | 'learning.build-refused'
  | 'learning.reloaded'
  | 'learning.rollback'
  | 'learning.unstable'
  | 'learning.memory-denied';

export type JournalRows = BrokerRows<JournalOrderEvent, 'order'> &
  FeedRows & {
    // order requests and restart bookkeeping
    'order.requested': Row<'order'>;
    'order.tracked': Row<'order'>;
    // fills and commissions
    /** `adopted`: a fill of an order this run does not track (an earlier run's), applied to the ledger only. */
    'order.filled': Row<'fill', BrokerEvents['order.filled'] & { adopted?: true }>;
    'fill.refused': Row<'fill'>;
    'commission.reported': Row<'fill', BrokerEvents['commission.reported']>;
    'trade.closed': Row<'trade'>;
    checkpoint: Row<'checkpoint'>;
    // risk: approvals, denials, the kill switch, start gates, closes and flattening
    'risk.denied': Row<'risk'>;
    'risk.approved': Row<'risk'>;
    'risk.state-changed': Row<'risk'>;
    'risk.clear-refused': Row<'risk'>;
    'risk.floor': Row<'risk'>;
    'risk.floor-override': Row<'risk'>;
    'arming.refused': Row<'risk'>;
    'session.stopping': Row<'risk'>;
    'reconciliation.end-of-day': Row<'risk'>;
    'start-gates.failed': Row<'risk'>;
    'start-gates.passed': Row<'risk'>;
    'account-truth.blocked': Row<'risk'>;
    'account-truth.cleared': Row<'risk'>;
    'position.adopted': Row<'risk'>;
    'flatten.all': Row<'risk'>;
    'flatten.order': Row<'risk'>;
    'flatten.escalated': Row<'risk'>;
    'close.resent': Row<'risk'>;
    'close.waiting-for-link': Row<'risk'>;
    'stop.cancel-entries': Row<'risk'>;
    // decisions and learning samples
    'feature.snapshot': Row<'sample'>;
    'training.sample': Row<'sample'>;
    'training.ghost-unfilled': Row<'sample'>;
    // broker, account and session events
    'broker.anomaly': Row<'event', BrokerEvents['broker.anomaly']>;
    'broker.error': Row<'event', BrokerEvents['broker.error']>;
    'connection.changed': Row<'event', BrokerEvents['connection.changed']>;
    'reconciliation.completed': Row<'event', BrokerEvents['reconciliation.completed']>;
    'fill.replayed': Row<'event'>;
    'account.updated': Row<'event'>;
    'account.discrepancy': Row<'event'>;
    'account.reconciled': Row<'event'>;
    'clock.skew': Row<'event'>;
    'plugin.error': Row<'event'>;
    'shutdown.error': Row<'event'>;
    'process.crashed': Row<'event'>;
    'session.identity': Row<'event'>;
    'session.ready': Row<'event'>;
    'session.crashed': Row<'event'>;
    'session.restored': Row<'event'>;
    'checkpoint.quarantined': Row<'event'>;
  } & { [T in OperatorRowType]: Row<'risk'> } & { [T in LearningRowType]: Row<'event'> };

/** A strategy's decision record, journaled as `decision.<stage>`; stages are the strategy's own words. */
export type DecisionRowType = `decision.${string}`;

export type JournalRowType = keyof JournalRows | DecisionRowType;
/** The kind a row type is journaled under. */
export type JournalRowKind<T extends JournalRowType> = T extends keyof JournalRows ? JournalRows[T]['kind'] : 'decision';
/** The data a row type carries. */
export type JournalRowData<T extends JournalRowType> = T extends keyof JournalRows ? JournalRows[T]['data'] : Fields;
