import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Journal, JournalEntry, JournalKind, SessionMeta, SessionRecord, SessionSummary, StoredSession } from '../../ports/journal.js';
import { canonicalJson } from './canonical-json.js';
import { journalEntities, JOURNAL_TABLES, type JournalRow } from './entities/journal-row.entity.js';
import { sessionEntity, type SessionRow } from './entities/session.entity.js';

const BATCH = 80;
const AUTO_FLUSH_ROWS = 5_000;

/**
 * The journal on TypeORM. `append` only buffers (synchronous, no await on the event path); a background flush
 * starts every few thousand rows, and `flush()` waits for everything buffered so far, written in one transaction
 * with multi-row inserts. Rows keep their append order in `ordinal`, which the digest follows.
 */
export class TypeormJournal implements Journal {
  private buffer: { kind: JournalKind; row: JournalRow }[] = [];
  private readonly ordinals = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  constructor(private readonly ds: DataSource) {}

  async openSession(meta: SessionMeta): Promise<void> {
    const row: SessionRow = {
      sessionId: meta.sessionId, mode: meta.mode, strategy: meta.strategy, learner: meta.learner, seed: meta.seed,
      config: canonicalJson(meta.config), status: 'running', startedAt: meta.startedAt, endedAt: null,
      wallStartedAt: meta.wallStartedAt, summary: null,
    };
    await this.ds.getRepository(sessionEntity).save(row);
    this.ordinals.set(meta.sessionId, 0);
  }

  append(sessionId: string, entry: JournalEntry): void {
    const ordinal = (this.ordinals.get(sessionId) ?? 0) + 1;
    this.ordinals.set(sessionId, ordinal);
    this.buffer.push({
      kind: entry.kind,
      row: {
        sessionId, ordinal, loopSeq: entry.loopSeq, time: entry.time, type: entry.type, symbol: entry.symbol ?? null,
        coid: entry.coid ?? null, tradeId: entry.tradeId ?? null, strategyId: entry.strategyId ?? null, data: canonicalJson(entry.data),
      },
    });
    if (this.buffer.length >= AUTO_FLUSH_ROWS) void this.flush().catch(() => {});
  }

  flush(): Promise<void> {
    const rows = this.buffer;
    this.buffer = [];
    this.chain = this.chain.then(() => this.write(rows)).catch((error) => {
      this.failure = error;
    });
    return this.chain.then(() => {
      if (this.failure !== null) {
        const e = this.failure;
        this.failure = null;
        throw e;
      }
    });
  }

  async closeSession(sessionId: string, summary: SessionSummary): Promise<void> {
    await this.flush();
    await this.ds.getRepository(sessionEntity).update({ sessionId }, { status: summary.status, endedAt: summary.endedAt, summary: canonicalJson(summary) });
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
      const e: JournalEntry = { kind, loopSeq: row.loopSeq, time: Number(row.time), type: row.type, data: JSON.parse(row.data) as Record<string, unknown> };
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
    return rows.map((r) => ({ sessionId: r.sessionId, mode: r.mode, strategy: r.strategy, status: r.status, startedAt: Number(r.startedAt), wallStartedAt: r.wallStartedAt }));
  }

  async session(sessionId: string): Promise<SessionRecord | null> {
    const r = await this.ds.getRepository(sessionEntity).findOne({ where: { sessionId } });
    if (r === null) return null;
    return {
      sessionId: r.sessionId, mode: r.mode, strategy: r.strategy, status: r.status, startedAt: Number(r.startedAt), wallStartedAt: r.wallStartedAt,
      learner: r.learner, seed: Number(r.seed), config: JSON.parse(r.config) as Record<string, unknown>,
      endedAt: r.endedAt === null ? null : Number(r.endedAt), summary: r.summary === null ? null : (JSON.parse(r.summary) as SessionSummary),
    };
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async write(rows: { kind: JournalKind; row: JournalRow }[]): Promise<void> {
    if (rows.length === 0) return;
    const byKind = new Map<JournalKind, JournalRow[]>();
    for (const { kind, row } of rows) {
      const list = byKind.get(kind) ?? [];
      list.push(row);
      byKind.set(kind, list);
    }
    await this.ds.transaction(async (manager) => {
      for (const [kind, list] of byKind) {
        for (let i = 0; i < list.length; i += BATCH) {
          await manager.createQueryBuilder().insert().into(journalEntities[kind]).values(list.slice(i, i + BATCH)).updateEntity(false).execute();
        }
      }
    });
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
