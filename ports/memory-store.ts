import type { Micros } from '../core/domain/units.js';
import { createToken, type Disposer } from './create-token.js';

export type MemoryStatus = 'candidate' | 'promoted' | 'latest' | 'quarantined';

export interface MemoryVersionMeta {
  version: number;
  schemaVersion: number;
  /** sha256 of the canonical JSON of the content. */
  checksum: string;
  createdAt: Micros;
  status: MemoryStatus;
  note: string;
}

/** Strategy memory: thresholds, learner model, rule fingerprints. JSON-serialisable. */
export type MemoryContent = Readonly<Record<string, unknown>>;

export interface MemoryEvents {
  'memory.saved': { version: number };
  'memory.promoted': { version: number; previous: number | null };
  'memory.rolled-back': { from: number; to: number };
  'memory.quarantined': { version: number; code: string };
  'memory.pruned': { versions: number[] };
}

export type MemoryResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: string; readonly reason: string };

/**
 * Versioned strategy memory.
 *
 * Invariants (cards MEM, M1–M4):
 * - Every version has a schema version and a checksum; `loadLatest` verifies it and never returns content whose
 *   checksum fails: such a version is quarantined (`memory.quarantined`) and the newest valid promoted one is used.
 * - `list()` is newest first; at most `keepLast` (default 10) regular versions are kept, plus the latest promoted one.
 * - `promote` makes a saved version the one `loadLatest` returns; `rollback` returns to the previously promoted one.
 */
export interface MemoryStore {
  loadLatest(): Promise<{ meta: MemoryVersionMeta; content: MemoryContent } | null>;
  save(content: MemoryContent, note?: string): Promise<MemoryResult<MemoryVersionMeta>>;
  list(): Promise<readonly MemoryVersionMeta[]>;
  promote(version: number): Promise<MemoryResult<MemoryVersionMeta>>;
  rollback(): Promise<MemoryResult<MemoryVersionMeta>>;
  on<K extends keyof MemoryEvents>(event: K, listener: (payload: MemoryEvents[K]) => void): Disposer;
}

export const MemoryStore = createToken<MemoryStore>('MemoryStore');
