import { createHash } from 'node:crypto';
import {
  baselineMeta,
  type MemoryContent,
  type MemoryEvents,
  type MemoryResult,
  type MemoryStore,
  type MemoryVersionMeta,
} from '../../ports/memory-store.js';

/** An in-memory MemoryStore for kernel tests (the real one is TypeORM-backed). */
export class InMemoryMemoryStore implements MemoryStore {
  private readonly versions: { meta: MemoryVersionMeta; content: MemoryContent }[] = [];
  private promoted: number[] = [];

  async loadLatest(): Promise<{ meta: MemoryVersionMeta; content: MemoryContent } | null> {
    const v = this.promoted.at(-1);
    return v === undefined ? null : (this.versions.find((x) => x.meta.version === v) ?? null);
  }
  async save(content: MemoryContent, note = ''): Promise<MemoryResult<MemoryVersionMeta>> {
    const meta: MemoryVersionMeta = {
      version: this.versions.length + 1,
      schemaVersion: 1,
      checksum: createHash('sha256').update(JSON.stringify(content)).digest('hex'),
      createdAt: 0,
      status: 'candidate',
      note,
    };
    this.versions.push({ meta, content });
    return { ok: true, value: meta };
  }
  async list(): Promise<readonly MemoryVersionMeta[]> {
    return this.versions.map((v) => v.meta).reverse();
  }
  async promote(version: number): Promise<MemoryResult<MemoryVersionMeta>> {
    const v = this.versions.find((x) => x.meta.version === version);
    if (v === undefined) return { ok: false, code: 'MEMORY.UNKNOWN_VERSION', reason: String(version) };
    this.promoted.push(version);
    return { ok: true, value: v.meta };
  }
  async rollback(): Promise<MemoryResult<MemoryVersionMeta>> {
    if (this.promoted.length === 0) return { ok: false, code: 'MEMORY.NO_PREVIOUS_VERSION', reason: 'none' };
    this.promoted.pop();
    // From the only promotion: the static baseline (ports/memory-store.ts).
    if (this.promoted.length === 0) return { ok: true, value: baselineMeta(1) };
    return { ok: true, value: this.versions.find((x) => x.meta.version === this.promoted.at(-1))!.meta };
  }
  async reject(version: number, reason: string): Promise<MemoryResult<MemoryVersionMeta>> {
    const v = this.versions.find((x) => x.meta.version === version);
    if (v === undefined) return { ok: false, code: 'MEMORY.UNKNOWN_VERSION', reason: String(version) };
    if (this.promoted.includes(version)) return { ok: false, code: 'MEMORY.NOT_A_CANDIDATE', reason: 'promoted' };
    v.meta = { ...v.meta, status: 'rejected', note: reason };
    return { ok: true, value: v.meta };
  }
  async get(version: number): Promise<MemoryResult<{ meta: MemoryVersionMeta; content: MemoryContent }>> {
    const v = this.versions.find((x) => x.meta.version === version);
    return v === undefined ? { ok: false, code: 'MEMORY.UNKNOWN_VERSION', reason: String(version) } : { ok: true, value: v };
  }
  on<K extends keyof MemoryEvents>(_event: K, _listener: (payload: MemoryEvents[K]) => void): () => void {
    return () => {};
  }
}
