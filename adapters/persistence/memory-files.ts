import fs from 'node:fs';
import path from 'node:path';
import type { MemoryContent, MemoryVersionMeta } from '../../ports/memory-store.js';
import { atomicWriteFile, type AtomicWriteHooks } from './atomic-file.js';
import { canonicalJson } from './canonical-json.js';

/** One version as a file: its meta (without status, which lives in the database) and its content. */
export interface MemoryFile {
  version: number;
  schemaVersion: number;
  checksum: string;
  createdAt: number;
  note: string;
  content: MemoryContent;
}

/**
 * The roadmap's on-disk memory (docs/learning-data.md#learned-memory-and-its-files): `memory_versions/v000001.json` for every saved
 * version and `memory_latest.json` for the one in force, beside the database rows (which stay the source of truth for status
 * and history). Every write is atomic (atomic-file.ts), so a kill mid-save leaves the previous files intact.
 */
export class MemoryFiles {
  readonly latestFile: string;
  readonly versionsDir: string;

  constructor(
    readonly dir: string,
    private readonly hooks: AtomicWriteHooks = {},
  ) {
    this.latestFile = path.join(dir, 'memory_latest.json');
    this.versionsDir = path.join(dir, 'memory_versions');
  }

  versionFile(version: number): string {
    return path.join(this.versionsDir, `v${String(version).padStart(6, '0')}.json`);
  }

  writeVersion(meta: Omit<MemoryVersionMeta, 'status' | 'current'>, content: MemoryContent): void {
    atomicWriteFile(this.versionFile(meta.version), `${canonicalJson(toFile(meta, content))}\n`, this.hooks);
  }

  writeLatest(meta: Omit<MemoryVersionMeta, 'status' | 'current'>, content: MemoryContent): void {
    atomicWriteFile(this.latestFile, `${canonicalJson(toFile(meta, content))}\n`, this.hooks);
  }

  /**
   * The static baseline in force (version 0, no content): written atomically like any version, so a reader of the
   * folder sees the rollback, never a half-written file or the version it left (docs/learning.md#rollback-to-the-static-baseline).
   */
  writeBaseline(schemaVersion: number, note: string): void {
    const meta = { version: 0, schemaVersion, checksum: 'static', createdAt: 0, note };
    atomicWriteFile(this.latestFile, `${canonicalJson(toFile(meta, {}))}\n`, this.hooks);
  }

  readLatest(): MemoryFile | null {
    return read(this.latestFile);
  }

  readVersion(version: number): MemoryFile | null {
    return read(this.versionFile(version));
  }

  removeVersions(versions: readonly number[]): void {
    for (const v of versions) fs.rmSync(this.versionFile(v), { force: true });
  }
}

function toFile(meta: Omit<MemoryVersionMeta, 'status' | 'current'>, content: MemoryContent): MemoryFile {
  return {
    version: meta.version,
    schemaVersion: meta.schemaVersion,
    checksum: meta.checksum,
    createdAt: meta.createdAt,
    note: meta.note,
    content,
  };
}

function read(file: string): MemoryFile | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as MemoryFile;
  } catch {
    return null;
  }
}
