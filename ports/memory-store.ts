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
 * - `promote` makes a saved version the one `loadLatest` returns; `rollback` returns to the previously promoted one,
 *   and from the only (or oldest valid) promoted version to the pinned baseline: version 0, static LMP, no learned
 *   memory (`loadLatest` then returns null and `rollback` returns `baselineMeta`). A second rollback from the baseline
 *   is refused with MEMORY.NO_PREVIOUS_VERSION. The version a rollback leaves is marked `rejected`, so it returns only
 *   by a forced promote (docs/learning.md#rollback-to-the-static-baseline).
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

/** Version 0: the pinned baseline (static LMP); never saved, never listed, always loadable. */
export const BASELINE_VERSION = 0;

/** What `rollback` returns when it lands on the baseline (no content: the strategy runs on its static defaults). */
export function baselineMeta(schemaVersion: number): MemoryVersionMeta {
  return {
    version: BASELINE_VERSION,
    schemaVersion,
    checksum: 'static',
    createdAt: 0,
    status: 'promoted',
    note: 'static baseline',
    current: true,
  };
}

export const MemoryStore = createToken<MemoryStore>('MemoryStore');
