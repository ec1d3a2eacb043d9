import { createHash } from 'node:crypto';
import type { Journal, JournalEntry, JournalKind, SessionMeta, SessionRecord, SessionSummary, StoredSession } from '../../ports/journal.js';

/** An in-memory Journal for kernel unit tests (the real one is TypeORM + SQLite). */
export class MemoryJournal implements Journal {
  readonly rows = new Map<string, JournalEntry[]>();
  readonly meta = new Map<string, SessionMeta>();
  readonly summaries = new Map<string, SessionSummary>();

  async openSession(meta: SessionMeta): Promise<void> {
    this.meta.set(meta.sessionId, meta);
    this.rows.set(meta.sessionId, []);
  }
  append(sessionId: string, entry: JournalEntry): void {
    const list = this.rows.get(sessionId) ?? [];
    list.push(entry);
    this.rows.set(sessionId, list);
  }
  /** How many durable commits the engine asked for (the contract's barrier calls). */
  commits = 0;
  commit(): void {
    this.commits++;
  }
  async flush(): Promise<void> {}
  async closeSession(sessionId: string, summary: SessionSummary): Promise<void> {
    this.summaries.set(sessionId, summary);
  }
  async digest(sessionId: string): Promise<string> {
    return createHash('sha256')
      .update(JSON.stringify(this.rows.get(sessionId) ?? []))
      .digest('hex');
  }
  async entries(sessionId: string, filter: { kind?: JournalKind; tradeId?: string } = {}): Promise<readonly JournalEntry[]> {
    return (this.rows.get(sessionId) ?? []).filter(
      (e) => (filter.kind === undefined || e.kind === filter.kind) && (filter.tradeId === undefined || e.tradeId === filter.tradeId),
    );
  }
  async sessions(): Promise<readonly StoredSession[]> {
    return [...this.meta.values()].map((m) => ({
      sessionId: m.sessionId,
      mode: m.mode,
      strategy: m.strategy,
      status: this.summaries.get(m.sessionId)?.status ?? 'running',
      startedAt: m.startedAt,
      wallStartedAt: m.wallStartedAt,
    }));
  }
  async session(sessionId: string): Promise<SessionRecord | null> {
    const m = this.meta.get(sessionId);
    if (m === undefined) return null;
    const summary = this.summaries.get(sessionId) ?? null;
    return {
      sessionId,
      mode: m.mode,
      strategy: m.strategy,
      status: summary?.status ?? 'running',
      startedAt: m.startedAt,
      wallStartedAt: m.wallStartedAt,
      learner: m.learner,
      seed: m.seed,
      config: m.config,
      endedAt: summary?.endedAt ?? null,
      summary,
    };
  }
  async close(): Promise<void> {}
  all(): JournalEntry[] {
    return [...this.rows.values()].flat();
  }
}
