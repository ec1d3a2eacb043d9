import type { Micros } from '../core/domain/units.js';
import { createToken, type Disposer } from './create-token.js';

/**
 * `candidate`: saved, not (yet) judged; `promoted`: promoted at some point and still in the promotion history;
 * `rejected`: refused by the shadow gate (kept for the record, never loaded); `quarantined`: failed its checksum or
 * schema, never loaded; `latest` is reserved for stores that list the in-force version apart.
 */
export type MemoryStatus = 'candidate' | 'promoted' | 'rejected' | 'latest' | 'quarantined';

export interface MemoryVersionMeta {
  version: number;
  schemaVersion: number;
  /** sha256 of the canonical JSON of the content. */
  checksum: string;
  createdAt: Micros;
  status: MemoryStatus;
  note: string;
  /** True for the one version `loadLatest` returns now (optional for stores written before it existed). */
  current?: boolean;
}

/** Strategy memory: thresholds, learner model, rule fingerprints. JSON-serialisable. */
export type MemoryContent = Readonly<Record<string, unknown>>;

export interface MemoryEvents {
  'memory.saved': { version: number };
  'memory.promoted': { version: number; previous: number | null };
  'memory.rolled-back': { from: number; to: number };
  'memory.quarantined': { version: number; code: string };
  'memory.pruned': { versions: number[] };
  'memory.rejected': { version: number; reason: string };
}

export type MemoryResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: string; readonly reason: string };

/**
 * Versioned strategy memory.
 *
 * Invariants (cards MEM, M1–M4):
 * - Every version has a schema version and a checksum; `loadLatest` verifies it and never returns content whose
 *   checksum fails: such a version is quarantined (`memory.quarantined`) and the newest valid promoted one is used.
 * - `list()` is newest first. Retention keeps two separate sets: the last `keepLast` (default 10) candidates and
 *   rejected versions, and the last `keepPromoted` (default 10) promoted ones, so no number of rejected candidates
 *   can prune the promotion history that `rollback` walks; the version in force is never pruned.
 * - `promote` makes a saved version the one `loadLatest` returns; `rollback` returns to the previously promoted one.
 *   A rejected version is promoted only with `{ force: true }`.
 * - `reject` marks a candidate rejected (a promoted or quarantined version cannot be rejected).
 * - `get` returns one version's content, verified like `loadLatest`.
 */
export interface MemoryStore {
  loadLatest(): Promise<{ meta: MemoryVersionMeta; content: MemoryContent } | null>;
  save(content: MemoryContent, note?: string): Promise<MemoryResult<MemoryVersionMeta>>;
  list(): Promise<readonly MemoryVersionMeta[]>;
  promote(version: number, options?: { force?: boolean }): Promise<MemoryResult<MemoryVersionMeta>>;
  rollback(): Promise<MemoryResult<MemoryVersionMeta>>;
  reject(version: number, reason: string): Promise<MemoryResult<MemoryVersionMeta>>;
  get(version: number): Promise<MemoryResult<{ meta: MemoryVersionMeta; content: MemoryContent }>>;
  on<K extends keyof MemoryEvents>(event: K, listener: (payload: MemoryEvents[K]) => void): Disposer;
}

export const MemoryStore = createToken<MemoryStore>('MemoryStore');
