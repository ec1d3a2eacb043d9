import { createHash } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import type { DataSource, Repository } from 'typeorm';
import type { Micros } from '../../core/domain/units.js';
import type { MemoryContent, MemoryEvents, MemoryResult, MemoryStore, MemoryVersionMeta } from '../../ports/memory-store.js';
import { canonicalJson } from './canonical-json.js';
import { memoryVersionEntity, type MemoryVersionRow } from './entities/memory-version.entity.js';

export interface MemoryStoreOptions {
  namespace: string;
  schemaVersion?: number;
  /** Schema versions this build can read. */
  supportedSchemas?: readonly number[];
  keepLast?: number;
  /** Clock time for createdAt; never the wall clock, so replays store identical versions. */
  now: () => Micros;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Versioned strategy memory on TypeORM. Every read of content re-verifies its checksum; a version that fails (or
 * has a schema this build cannot read) is marked quarantined and never returned.
 */
export class TypeormMemoryStore implements MemoryStore {
  private readonly emitter = new EventEmitter();
  private readonly repo: Repository<MemoryVersionRow>;
  private readonly schemaVersion: number;
  private readonly supported: readonly number[];
  private readonly keepLast: number;

  constructor(ds: DataSource, private readonly o: MemoryStoreOptions) {
    this.repo = ds.getRepository(memoryVersionEntity);
    this.schemaVersion = o.schemaVersion ?? 1;
    this.supported = o.supportedSchemas ?? [this.schemaVersion];
    this.keepLast = o.keepLast ?? 10;
  }

  async loadLatest(): Promise<{ meta: MemoryVersionMeta; content: MemoryContent } | null> {
    const promoted = await this.repo.find({ where: { namespace: this.o.namespace }, order: { promotedSeq: 'DESC' } });
    for (const row of promoted) {
      if (row.promotedSeq === 0 || row.status === 'quarantined') continue;
      const content = await this.verified(row);
      if (content !== null) return { meta: toMeta(row), content };
    }
    return null;
  }

  async save(content: MemoryContent, note = ''): Promise<MemoryResult<MemoryVersionMeta>> {
    try {
      const text = canonicalJson(content);
      const last = await this.repo.findOne({ where: { namespace: this.o.namespace }, order: { version: 'DESC' } });
      const row: MemoryVersionRow = {
        namespace: this.o.namespace, version: (last?.version ?? 0) + 1, schemaVersion: this.schemaVersion,
        checksum: sha256(text), status: 'candidate', content: text, note: note.slice(0, 500), createdAt: this.o.now(), promotedSeq: 0,
      };
      await this.repo.insert(row);
      this.emit('memory.saved', { version: row.version });
      await this.prune();
      return { ok: true, value: toMeta(row) };
    } catch (error) {
      return { ok: false, code: 'MEMORY.WRITE_FAILED', reason: (error as Error).message };
    }
  }

  async list(): Promise<readonly MemoryVersionMeta[]> {
    const rows = await this.repo.find({ where: { namespace: this.o.namespace }, order: { version: 'DESC' } });
    return rows.map(toMeta);
  }

  async promote(version: number): Promise<MemoryResult<MemoryVersionMeta>> {
    const row = await this.repo.findOne({ where: { namespace: this.o.namespace, version } });
    if (row === null) return { ok: false, code: 'MEMORY.UNKNOWN_VERSION', reason: `no version ${version}` };
    if (row.status === 'quarantined' || (await this.verified(row)) === null) return { ok: false, code: 'MEMORY.VERSION_QUARANTINED', reason: `version ${version} is quarantined` };
    const current = await this.currentPromoted();
    // Promoting what is already latest changes nothing and says nothing (idempotent).
    if (current?.version === version) return { ok: true, value: toMeta(current) };
    const top = await this.repo.findOne({ where: { namespace: this.o.namespace }, order: { promotedSeq: 'DESC' } });
    await this.repo.update({ id: row.id }, { status: 'promoted', promotedSeq: (top?.promotedSeq ?? 0) + 1 });
    this.emit('memory.promoted', { version, previous: current?.version ?? null });
    return { ok: true, value: { ...toMeta(row), status: 'promoted' } };
  }

  async rollback(): Promise<MemoryResult<MemoryVersionMeta>> {
    const promoted = (await this.repo.find({ where: { namespace: this.o.namespace }, order: { promotedSeq: 'DESC' } }))
      .filter((r) => r.promotedSeq > 0 && r.status !== 'quarantined');
    const [current, ...older] = promoted;
    if (current === undefined) return { ok: false, code: 'MEMORY.NO_PREVIOUS_VERSION', reason: 'nothing is promoted' };
    for (const prev of older) {
      if ((await this.verified(prev)) === null || prev.version === current.version) continue;
      // The rolled-back version leaves the promotion history; the previous one becomes the latest again.
      await this.repo.update({ id: current.id }, { status: 'candidate', promotedSeq: 0 });
      this.emit('memory.rolled-back', { from: current.version, to: prev.version });
      return { ok: true, value: toMeta(prev) };
    }
    return { ok: false, code: 'MEMORY.NO_PREVIOUS_VERSION', reason: 'no earlier valid promoted version' };
  }

  async reject(version: number, reason: string): Promise<MemoryResult<MemoryVersionMeta>> {
    const row = await this.repo.findOne({ where: { namespace: this.o.namespace, version } });
    if (row === null) return { ok: false, code: 'MEMORY.UNKNOWN_VERSION', reason: `no version ${version}` };
    if (row.promotedSeq > 0 || row.status !== 'candidate') return { ok: false, code: 'MEMORY.NOT_A_CANDIDATE', reason: `version ${version} is ${row.status}` };
    await this.repo.update({ id: row.id }, { status: 'rejected', note: reason.slice(0, 500) });
    this.emit('memory.rejected', { version, reason });
    return { ok: true, value: { ...toMeta(row), status: 'rejected' } };
  }

  async get(version: number): Promise<MemoryResult<{ meta: MemoryVersionMeta; content: MemoryContent }>> {
    const row = await this.repo.findOne({ where: { namespace: this.o.namespace, version } });
    if (row === null) return { ok: false, code: 'MEMORY.UNKNOWN_VERSION', reason: `no version ${version}` };
    const content = await this.verified(row);
    if (content === null) return { ok: false, code: 'MEMORY.VERSION_QUARANTINED', reason: `version ${version} is quarantined` };
    return { ok: true, value: { meta: toMeta(row), content } };
  }

  on<K extends keyof MemoryEvents>(event: K, listener: (payload: MemoryEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  private async currentPromoted(): Promise<MemoryVersionRow | null> {
    const rows = await this.repo.find({ where: { namespace: this.o.namespace }, order: { promotedSeq: 'DESC' }, take: 5 });
    return rows.find((r) => r.promotedSeq > 0 && r.status !== 'quarantined') ?? null;
  }

  /** The content if its checksum and schema hold; otherwise quarantine the row and return null. */
  private async verified(row: MemoryVersionRow): Promise<MemoryContent | null> {
    let code: string | null = null;
    if (!this.supported.includes(row.schemaVersion)) code = 'MEMORY.SCHEMA_UNSUPPORTED';
    else if (sha256(row.content) !== row.checksum) code = 'MEMORY.CHECKSUM_MISMATCH';
    let content: MemoryContent | null = null;
    if (code === null) {
      try {
        content = JSON.parse(row.content) as MemoryContent;
      } catch {
        code = 'MEMORY.CHECKSUM_MISMATCH';
      }
    }
    if (code !== null) {
      if (row.status !== 'quarantined') {
        await this.repo.update({ id: row.id }, { status: 'quarantined' });
        row.status = 'quarantined';
        this.emit('memory.quarantined', { version: row.version, code });
      }
      return null;
    }
    return content;
  }

  /** Keep the last `keepLast` regular versions, plus whatever is promoted now. */
  private async prune(): Promise<void> {
    const rows = await this.repo.find({ where: { namespace: this.o.namespace }, order: { version: 'DESC' } });
    const current = await this.currentPromoted();
    const doomed = rows.slice(this.keepLast).filter((r) => r.version !== current?.version);
    if (doomed.length === 0) return;
    await this.repo.delete(doomed.map((r) => r.id!));
    this.emit('memory.pruned', { versions: doomed.map((r) => r.version) });
  }

  private emit<K extends keyof MemoryEvents>(event: K, payload: MemoryEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}

function toMeta(r: MemoryVersionRow): MemoryVersionMeta {
  const status = r.status === 'quarantined' ? 'quarantined' : r.promotedSeq > 0 ? 'promoted' : 'candidate';
  return { version: r.version, schemaVersion: r.schemaVersion, checksum: r.checksum, createdAt: Number(r.createdAt), status, note: r.note };
}
