import { createHash } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import type { DataSource, Repository } from 'typeorm';
import type { Micros } from '../../core/domain/units.js';
import {
  BASELINE_VERSION,
  baselineMeta,
  type MemoryContent,
  type MemoryEvents,
  type MemoryResult,
  type MemoryStore,
  type MemoryVersionMeta,
} from '../../ports/memory-store.js';
import type { AtomicWriteHooks } from './atomic-file.js';
import { canonicalJson } from './canonical-json.js';
import { memoryVersionEntity, type MemoryVersionRow } from './entities/memory-version.entity.js';
import { MemoryFiles } from './memory-files.js';

export interface MemoryStoreOptions {
  namespace: string;
  schemaVersion?: number;
  /** Schema versions this build can read. */
  supportedSchemas?: readonly number[];
  /** Candidates and rejected versions kept (default 10). */
  keepLast?: number;
  /** Promoted versions kept for rollback, apart from candidates (default 10). */
  keepPromoted?: number;
  /** Clock time for createdAt; never the wall clock, so replays store identical versions. */
  now: () => Micros;
  /** Folder of `memory_latest.json` and `memory_versions/`; none: database rows only. */
  dir?: string;
  /** Test seam of the atomic file writes (simulate a kill between the temp write and the rename). */
  fileHooks?: AtomicWriteHooks;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Row statuses: promoted rows keep their promotedSeq (> 0) even after a rollback marks them rejected. */
type RowStatus = 'candidate' | 'promoted' | 'rejected' | 'quarantined';

/**
 * Versioned strategy memory on TypeORM, mirrored to files (memory-files.ts). Every read of content re-verifies its
 * checksum; a version that fails (or has a schema this build cannot read) is marked quarantined and never returned.
 *
 * Retention keeps two sets apart: the last `keepLast` never-promoted versions (candidates, rejected) and the last
 * `keepPromoted` promoted ones (by promotion order), so rejected candidates can never push the rollback history
 * out. The version in force is never pruned. A rollback marks the version it leaves `rejected` (it can come back
 * only by a forced promote) and returns to the previous promoted one, or, when there is none that verifies, to the
 * static baseline (version 0, docs/learning.md#rollback-to-the-static-baseline): no row is in force then, and
 * memory_latest.json names version 0.
 *
 * Write order: the version file first (atomic), then the row; for a promotion or rollback memory_latest.json first
 * (atomic), then the row. A crash between them leaves the database at the previous state, and the first call after
 * a restart rewrites memory_latest.json from the database, so both name the previous version.
 */
export class TypeormMemoryStore implements MemoryStore {
  private readonly emitter = new EventEmitter();
  private readonly repo: Repository<MemoryVersionRow>;
  private readonly schemaVersion: number;
  private readonly supported: readonly number[];
  private readonly keepLast: number;
  private readonly keepPromoted: number;
  readonly files: MemoryFiles | null;
  private synced = false;

  constructor(
    ds: DataSource,
    private readonly o: MemoryStoreOptions,
  ) {
    this.repo = ds.getRepository(memoryVersionEntity);
    this.schemaVersion = o.schemaVersion ?? 1;
    this.supported = o.supportedSchemas ?? [this.schemaVersion];
    this.keepLast = o.keepLast ?? 10;
    this.keepPromoted = o.keepPromoted ?? 10;
    this.files = o.dir === undefined ? null : new MemoryFiles(o.dir, o.fileHooks);
  }

  async loadLatest(): Promise<{ meta: MemoryVersionMeta; content: MemoryContent } | null> {
    await this.syncOnce();
    const found = await this.current();
    return found === null ? null : { meta: toMeta(found.row, found.row.version), content: found.content };
  }

  async save(content: MemoryContent, note = ''): Promise<MemoryResult<MemoryVersionMeta>> {
    try {
      await this.syncOnce();
      const text = canonicalJson(content);
      const last = await this.repo.findOne({ where: { namespace: this.o.namespace }, order: { version: 'DESC' } });
      const row: MemoryVersionRow = {
        namespace: this.o.namespace,
        version: (last?.version ?? 0) + 1,
        schemaVersion: this.schemaVersion,
        checksum: sha256(text),
        status: 'candidate',
        content: text,
        note: note.slice(0, 500),
        createdAt: this.o.now(),
        promotedSeq: 0,
      };
      this.files?.writeVersion(toMeta(row, null), JSON.parse(text) as MemoryContent);
      await this.repo.insert(row);
      this.emit('memory.saved', { version: row.version });
      await this.prune();
      return { ok: true, value: toMeta(row, null) };
    } catch (error) {
      return { ok: false, code: 'MEMORY.WRITE_FAILED', reason: (error as Error).message };
    }
  }

  async list(): Promise<readonly MemoryVersionMeta[]> {
    const rows = await this.rows('version');
    const cur = await this.currentRow();
    return rows.map((r) => toMeta(r, cur?.version ?? null));
  }

  async get(version: number): Promise<MemoryResult<{ meta: MemoryVersionMeta; content: MemoryContent }>> {
    const row = await this.repo.findOne({ where: { namespace: this.o.namespace, version } });
    if (row === null) return { ok: false, code: 'MEMORY.UNKNOWN_VERSION', reason: `no version ${version}` };
    const content = await this.verified(row);
    if (content === null) return { ok: false, code: 'MEMORY.VERSION_QUARANTINED', reason: `version ${version} is quarantined` };
    const cur = await this.currentRow();
    return { ok: true, value: { meta: toMeta(row, cur?.version ?? null), content } };
  }

  async promote(version: number, options: { force?: boolean } = {}): Promise<MemoryResult<MemoryVersionMeta>> {
    const row = await this.repo.findOne({ where: { namespace: this.o.namespace, version } });
    if (row === null) return { ok: false, code: 'MEMORY.UNKNOWN_VERSION', reason: `no version ${version}` };
    if (row.status === 'quarantined') return { ok: false, code: 'MEMORY.VERSION_QUARANTINED', reason: `version ${version} is quarantined` };
    const content = await this.verified(row);
    if (content === null) return { ok: false, code: 'MEMORY.VERSION_QUARANTINED', reason: `version ${version} is quarantined` };
    if (row.status === 'rejected' && options.force !== true) {
      return { ok: false, code: 'MEMORY.VERSION_REJECTED', reason: `version ${version} was rejected (${row.note}); promote it with force` };
    }
    const current = await this.currentRow();
    // Promoting what is already in force changes nothing and says nothing (idempotent).
    if (current?.version === version) return { ok: true, value: toMeta(current, version) };
    const top = await this.repo.findOne({ where: { namespace: this.o.namespace }, order: { promotedSeq: 'DESC' } });
    const fail = await this.switchLatest(
      current,
      () => this.files?.writeLatest(toMeta(row, row.version), content),
      () => this.repo.update({ id: row.id }, { status: 'promoted', promotedSeq: (top?.promotedSeq ?? 0) + 1 }),
    );
    if (fail !== null) return fail;
    row.status = 'promoted';
    this.emit('memory.promoted', { version, previous: current?.version ?? null });
    await this.prune();
    return { ok: true, value: toMeta(row, version) };
  }

  async rollback(): Promise<MemoryResult<MemoryVersionMeta>> {
    await this.syncOnce();
    const promoted = (await this.rows('promotedSeq')).filter((r) => r.promotedSeq > 0 && r.status === 'promoted');
    let current: MemoryVersionRow | undefined;
    for (const row of promoted) {
      if ((await this.verified(row)) !== null) {
        current = row;
        break;
      }
    }
    if (current === undefined)
      return { ok: false, code: 'MEMORY.NO_PREVIOUS_VERSION', reason: 'nothing is promoted: the static baseline (v0) is in force' };
    const from = current;
    for (const prev of promoted.slice(promoted.indexOf(from) + 1)) {
      if (prev.version === from.version) continue;
      const content = await this.verified(prev);
      if (content === null) continue;
      // The version left behind is out of the rotation: only a forced promote brings it back.
      const fail = await this.switchLatest(
        from,
        () => this.files?.writeLatest(toMeta(prev, prev.version), content),
        () => this.repo.update({ id: from.id }, { status: 'rejected', note: `rolled back to v${prev.version}`.slice(0, 500) }),
      );
      if (fail !== null) return fail;
      this.emit('memory.rolled-back', { from: from.version, to: prev.version });
      return { ok: true, value: toMeta(prev, prev.version) };
    }
    // No earlier valid promotion: back to the pinned baseline, a first-class state rather than a refusal, so a
    // restart loads static LMP instead of the version just rolled back (docs/learning.md#rollback-to-the-static-baseline).
    const fail = await this.switchLatest(
      from,
      () => this.files?.writeBaseline(this.schemaVersion, `rolled back from v${from.version}`),
      () => this.repo.update({ id: from.id }, { status: 'rejected', note: `rolled back to v${BASELINE_VERSION} (static baseline)` }),
    );
    if (fail !== null) return fail;
    this.emit('memory.rolled-back', { from: from.version, to: BASELINE_VERSION });
    return { ok: true, value: baselineMeta(this.schemaVersion) };
  }

  async reject(version: number, reason: string): Promise<MemoryResult<MemoryVersionMeta>> {
    const row = await this.repo.findOne({ where: { namespace: this.o.namespace, version } });
    if (row === null) return { ok: false, code: 'MEMORY.UNKNOWN_VERSION', reason: `no version ${version}` };
    if (row.status === 'rejected') return { ok: true, value: toMeta(row, null) };
    if (row.status !== 'candidate') return { ok: false, code: 'MEMORY.NOT_A_CANDIDATE', reason: `version ${version} is ${row.status}` };
    await this.repo.update({ id: row.id }, { status: 'rejected', note: reason.slice(0, 500) });
    row.status = 'rejected';
    row.note = reason.slice(0, 500);
    this.emit('memory.rejected', { version, reason });
    return { ok: true, value: toMeta(row, null) };
  }

  on<K extends keyof MemoryEvents>(event: K, listener: (payload: MemoryEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  /**
   * Make a new version (or the baseline) the one in force: memory_latest.json first (`writeFile`, atomic), then the
   * row update. A failed file write changes nothing; a failed row update puts the file back. Either way the caller
   * gets MEMORY.WRITE_FAILED and the previous version stays in force.
   */
  private async switchLatest(
    prev: MemoryVersionRow | null,
    writeFile: () => void,
    update: () => Promise<unknown>,
  ): Promise<{ ok: false; code: string; reason: string } | null> {
    try {
      writeFile();
    } catch (error) {
      return { ok: false, code: 'MEMORY.WRITE_FAILED', reason: (error as Error).message };
    }
    try {
      await update();
      return null;
    } catch (error) {
      try {
        const back = prev === null ? null : await this.verified(prev);
        if (prev !== null && back !== null) this.files?.writeLatest(toMeta(prev, prev.version), back);
        else this.files?.writeBaseline(this.schemaVersion, 'nothing in force');
      } catch {
        // The next start re-syncs the file from the database.
      }
      return { ok: false, code: 'MEMORY.WRITE_FAILED', reason: (error as Error).message };
    }
  }

  private rows(order: 'version' | 'promotedSeq'): Promise<MemoryVersionRow[]> {
    return this.repo.find({
      where: { namespace: this.o.namespace },
      order: { [order]: 'DESC', ...(order === 'promotedSeq' ? { version: 'DESC' } : {}) },
    });
  }

  /** The newest promoted row whose content verifies (quarantining the ones that do not). */
  private async current(): Promise<{ row: MemoryVersionRow; content: MemoryContent } | null> {
    for (const row of await this.rows('promotedSeq')) {
      if (row.promotedSeq === 0 || row.status !== 'promoted') continue;
      const content = await this.verified(row);
      if (content !== null) return { row, content };
    }
    return null;
  }

  private async currentRow(): Promise<MemoryVersionRow | null> {
    return (await this.current())?.row ?? null;
  }

  /** After a restart, memory_latest.json follows the database (a crash may have left it one step behind). */
  private async syncOnce(): Promise<void> {
    if (this.synced || this.files === null) return;
    this.synced = true;
    const cur = await this.current();
    const onDisk = this.files.readLatest();
    if (cur === null) {
      // A file naming a real version while the rows say none is in force: a crash mid-rollback to the baseline.
      if (onDisk !== null && onDisk.version !== BASELINE_VERSION) this.files.writeBaseline(this.schemaVersion, 'nothing in force');
      return;
    }
    if (onDisk?.version !== cur.row.version || onDisk.checksum !== cur.row.checksum)
      this.files.writeLatest(toMeta(cur.row, cur.row.version), cur.content);
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

  /** Keep the last `keepLast` never-promoted versions and the last `keepPromoted` promoted ones, plus the one in force. */
  private async prune(): Promise<void> {
    const current = await this.currentRow();
    const never = (await this.rows('version')).filter((r) => r.promotedSeq === 0);
    const promoted = (await this.rows('promotedSeq')).filter((r) => r.promotedSeq > 0);
    const doomed = [...never.slice(this.keepLast), ...promoted.slice(this.keepPromoted)].filter((r) => r.version !== current?.version);
    if (doomed.length === 0) return;
    await this.repo.delete(doomed.map((r) => r.id!));
    this.files?.removeVersions(doomed.map((r) => r.version));
    this.emit('memory.pruned', { versions: doomed.map((r) => r.version).sort((a, b) => a - b) });
  }

  private emit<K extends keyof MemoryEvents>(event: K, payload: MemoryEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}

function toMeta(r: MemoryVersionRow, currentVersion: number | null): MemoryVersionMeta {
  const s = r.status as RowStatus;
  const status = s === 'quarantined' ? 'quarantined' : s === 'rejected' ? 'rejected' : r.promotedSeq > 0 ? 'promoted' : 'candidate';
  return {
    version: r.version,
    schemaVersion: r.schemaVersion,
    checksum: r.checksum,
    createdAt: Number(r.createdAt),
    status,
    note: r.note,
    current: r.version === currentVersion,
  };
}
