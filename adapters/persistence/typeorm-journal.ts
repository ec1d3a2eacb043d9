import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type {
  Journal,
  JournalEntry,
  JournalKind,
  JournalRowType,
  SessionMeta,
  SessionRecord,
  SessionSummary,
  StoredSession,
} from '../../ports/journal.js';
import { canonicalJson } from './canonical-json.js';
import { HarvesterError } from '../../core/errors/harvester-error.js';
import { commitSinkFor } from './commit-sink-for.js';
import { redactDbUrl } from './db-url.js';
import type { CommitSink, PendingRow } from './commit-sink.js';
import { journalEntities, JOURNAL_TABLES, type JournalRow } from './entities/journal-row.entity.js';
import { sessionEntity, type SessionRow } from './entities/session.entity.js';

/**
 * The journal on TypeORM. `append` only buffers (synchronous, no await on the event path); `commit()` writes the
 * whole buffer in one transaction through the backend's synchronous commit sink (SQLite: better-sqlite3 on the
 * calling thread; PostgreSQL: a worker thread the caller waits for) and returns once it is committed. When rows are
 * committed is the engine's durability contract (core/engine/journal-durability.ts); this class only guarantees
 * that committed rows are always a prefix of the appended ones. Rows keep their append order in `ordinal`, which the
 * digest follows. TypeORM does the schema, the session rows and every read.
 */
export class TypeormJournal implements Journal {
  private buffer: PendingRow[] = [];
  private readonly ordinals = new Map<string, number>();
  private readonly sink: CommitSink;
  private closed = false;

  constructor(
    private readonly ds: DataSource,
    sink?: CommitSink,
  ) {
    this.sink = sink ?? commitSinkFor(ds);
  }

  /** Resolves once commits can run (PostgreSQL: the commit connection is open); rejects naming the database. */
  ready(): Promise<void> {
    return this.sink.ready;
  }

  async openSession(meta: SessionMeta): Promise<void> {
    await this.sink.ready;
    const row: SessionRow = {
      sessionId: meta.sessionId,
      mode: meta.mode,
      strategy: meta.strategy,
      learner: meta.learner,
      seed: meta.seed,
      config: canonicalJson(redactUrlsDeep(meta.config)),
      status: 'running',
      startedAt: meta.startedAt,
      endedAt: null,
      wallStartedAt: meta.wallStartedAt,
      summary: null,
    };
    const sessions = this.ds.getRepository(sessionEntity);
    // `save` would overwrite the row and restart the ordinals at 0: a second session under one id would silently
    // mix its rows with the first's (and `digest` would hash both), so the id must be new (ports/journal.ts).
    if ((await sessions.countBy({ sessionId: meta.sessionId })) > 0)
      throw new HarvesterError(
        'STORE.SESSION_EXISTS',
        `journal: session ${meta.sessionId} already exists in this store; a new session needs a new id`,
        {
          details: { sessionId: meta.sessionId },
        },
      );
    await sessions.insert(row);
    this.ordinals.set(meta.sessionId, 0);
  }

  append(sessionId: string, entry: JournalEntry): void {
    const ordinal = (this.ordinals.get(sessionId) ?? 0) + 1;
    this.ordinals.set(sessionId, ordinal);
    this.buffer.push({
      table: JOURNAL_TABLES[entry.kind],
      row: {
        sessionId,
        ordinal,
        loopSeq: entry.loopSeq,
        time: entry.time,
        type: entry.type,
        symbol: entry.symbol ?? null,
        coid: entry.coid ?? null,
        tradeId: entry.tradeId ?? null,
        strategyId: entry.strategyId ?? null,
        data: canonicalJson(entry.data),
      },
    });
  }

  commit(): void {
    if (this.buffer.length === 0) return;
    // After close nothing can be committed: an order-path caller must learn it before it reaches the broker.
    if (this.closed) throw new HarvesterError('STORE.CLOSED', `journal commit of ${this.buffer.length} rows after the store was closed`);
    const rows = this.buffer;
    try {
      this.sink.commit(rows);
    } catch (error) {
      // Keep the rows: a later commit retries them in the same order, so the prefix property holds.
      throw error instanceof HarvesterError
        ? error
        : new HarvesterError('STORE.COMMIT_FAILED', `journal commit of ${rows.length} rows failed: ${(error as Error).message}`, {
            cause: error,
          });
    }
    this.buffer = [];
  }

  async flush(): Promise<void> {
    this.commit();
  }

  async closeSession(sessionId: string, summary: SessionSummary): Promise<void> {
    await this.flush();
    await this.ds
      .getRepository(sessionEntity)
      .update({ sessionId }, { status: summary.status, endedAt: summary.endedAt, summary: canonicalJson(summary) });
  }

  async digest(sessionId: string): Promise<string> {
    await this.flush();
    const hash = createHash('sha256');
    for (const [kind, row] of await this.rows(sessionId)) {
      hash.update(canonicalJson([kind, row.loopSeq, Number(row.time), row.type, row.symbol, row.coid, row.tradeId, row.strategyId]));
      hash.update(row.data);
      hash.update('\n');
    }
    return hash.digest('hex');
  }

  async entries(sessionId: string, filter: { kind?: JournalKind; tradeId?: string } = {}): Promise<readonly JournalEntry[]> {
    await this.flush();
    const kinds = filter.kind === undefined ? undefined : [filter.kind];
    const out: JournalEntry[] = [];
    for (const [kind, row] of await this.rows(sessionId, kinds, filter.tradeId)) {
      const e: JournalEntry = {
        kind,
        loopSeq: row.loopSeq,
        time: Number(row.time),
        type: row.type as JournalRowType,
        data: JSON.parse(row.data) as Record<string, unknown>,
      };
      if (row.symbol !== null) e.symbol = row.symbol;
      if (row.coid !== null) e.coid = row.coid;
      if (row.tradeId !== null) e.tradeId = row.tradeId;
      if (row.strategyId !== null) e.strategyId = row.strategyId;
      out.push(e);
    }
    return out;
  }

  async sessions(limit = 20): Promise<readonly StoredSession[]> {
    const rows = await this.ds.getRepository(sessionEntity).find({ order: { wallStartedAt: 'DESC' }, take: limit });
    return rows.map((r) => ({
      sessionId: r.sessionId,
      mode: r.mode,
      strategy: r.strategy,
      status: r.status,
      startedAt: Number(r.startedAt),
      wallStartedAt: r.wallStartedAt,
    }));
  }

  async session(sessionId: string): Promise<SessionRecord | null> {
    const r = await this.ds.getRepository(sessionEntity).findOne({ where: { sessionId } });
    if (r === null) return null;
    return {
      sessionId: r.sessionId,
      mode: r.mode,
      strategy: r.strategy,
      status: r.status,
      startedAt: Number(r.startedAt),
      wallStartedAt: r.wallStartedAt,
      learner: r.learner,
      seed: Number(r.seed),
      config: JSON.parse(r.config) as Record<string, unknown>,
      endedAt: r.endedAt === null ? null : Number(r.endedAt),
      summary: r.summary === null ? null : (JSON.parse(r.summary) as SessionSummary),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.sink.close();
    }
  }

  private async rows(sessionId: string, kinds?: JournalKind[], tradeId?: string): Promise<[JournalKind, JournalRow][]> {
    const all: [JournalKind, JournalRow][] = [];
    for (const kind of kinds ?? (Object.keys(JOURNAL_TABLES) as JournalKind[])) {
      const where: Record<string, unknown> = { sessionId };
      if (tradeId !== undefined) where.tradeId = tradeId;
      const rows = await this.ds.getRepository(journalEntities[kind]).find({ where, order: { ordinal: 'ASC' } });
      for (const r of rows) all.push([kind, r]);
    }
    return all.sort((a, b) => a[1].ordinal - b[1].ordinal);
  }
}

/** The stored config never holds a database password, whatever the config file wrote literally. */
function redactUrlsDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactDbUrl(value);
  if (Array.isArray(value)) return value.map(redactUrlsDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactUrlsDeep(v);
    return out;
  }
  return value;
}
