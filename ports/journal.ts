import type { Micros } from '../core/domain/units.js';
import type { JournalKind, JournalRowType } from '../core/domain/journal-rows.js';
import { createToken } from './create-token.js';

export type { JournalKind, JournalRowType } from '../core/domain/journal-rows.js';

/**
 * One journal row. `loopSeq` is the kernel sequence of the event that caused it and `time` the Clock time, so rows
 * replay in a canonical order. `data` holds the kind-specific fields (integers for prices and money).
 */
export interface JournalEntry {
  kind: JournalKind;
  loopSeq: number;
  time: Micros;
  /** Short type within the kind, e.g. 'order.submitted', 'risk.denied' (the catalogue: core/domain/journal-rows.ts). */
  type: JournalRowType;
  symbol?: string;
  coid?: string;
  tradeId?: string;
  strategyId?: string;
  data: Readonly<Record<string, unknown>>;
}

export interface SessionMeta {
  sessionId: string;
  mode: string;
  strategy: string;
  learner: string;
  seed: number;
  /** Redacted, frozen resolved config, stored with the session. */
  config: Readonly<Record<string, unknown>>;
  startedAt: Micros;
  /** Wall time the session started, for humans only; excluded from the digest. */
  wallStartedAt: string;
}

export interface SessionSummary {
  events: number;
  orders: number;
  fills: number;
  trades: number;
  netPnl: number;
  endedAt: Micros;
  /** `stopped`: ended early by an orderly stop (SIGINT/SIGTERM); a session still `running` with no process crashed. */
  status: 'completed' | 'failed' | 'halted' | 'stopped';
}

export interface StoredSession {
  sessionId: string;
  mode: string;
  strategy: string;
  status: string;
  startedAt: Micros;
  wallStartedAt: string;
}

/** One session with what was stored about it: the redacted resolved config and, once closed, its end and summary. */
export interface SessionRecord extends StoredSession {
  learner: string;
  seed: number;
  config: Readonly<Record<string, unknown>>;
  endedAt: Micros | null;
  summary: SessionSummary | null;
}

/**
 * The persistence journal of sessions, orders, fills, trades, decisions, risk events, training samples and
 * checkpoints.
 *
 * Invariants:
 * - `append` is synchronous and cheap (buffered). Order of `append` calls is preserved.
 * - `commit()` is synchronous: when it returns, every row appended so far (all sessions, all kinds) is committed
 *   to the database; it throws `STORE.COMMIT_FAILED` (a HarvesterError) otherwise, and the caller must not go on
 *   to the broker. Committed rows are always a prefix of the appended rows: a crash loses only a tail.
 *   An empty buffer makes it a no-op. Which rows are committed at once and which are group-committed is the
 *   engine's durability contract (core/engine/journal-durability.ts).
 * - `flush()` commits the same way and resolves once everything is durable.
 * - `digest(sessionId)` hashes the session's rows in canonical order (loopSeq, then append order), excluding ids and
 *   wall-clock columns: same config + data + seed ⇒ same digest, byte for byte.
 * - `closeSession` flushes first; it is idempotent.
 * - `openSession` refuses an id the store already holds (`STORE.SESSION_EXISTS`): rows of two sessions under one id
 *   could not be told apart.
 */
export interface Journal {
  openSession(meta: SessionMeta): Promise<void>;
  append(sessionId: string, entry: JournalEntry): void;
  commit(): void;
  flush(): Promise<void>;
  closeSession(sessionId: string, summary: SessionSummary): Promise<void>;
  digest(sessionId: string): Promise<string>;
  entries(sessionId: string, filter?: { kind?: JournalKind; tradeId?: string }): Promise<readonly JournalEntry[]>;
  sessions(limit?: number): Promise<readonly StoredSession[]>;
  /** One session by id, or null when this store has none of that id. */
  session(sessionId: string): Promise<SessionRecord | null>;
  close(): Promise<void>;
}

export const Journal = createToken<Journal>('Journal');
