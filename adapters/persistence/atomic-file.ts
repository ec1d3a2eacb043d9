import fs from 'node:fs';
import path from 'node:path';

/** Test seam: called after the temp file is written and fsynced, before the rename (a crash there must be harmless). */
export interface AtomicWriteHooks {
  beforeRename?(tempFile: string, target: string): void;
}

/**
 * Replace `target` with `text` atomically: write a temp file beside it, fsync it, rename it over the target, fsync
 * the directory. A crash at any point leaves either the old file or the new one, never a torn one (rename is atomic
 * within a directory on POSIX file systems). A stale temp file from an earlier crash is simply overwritten.
 */
export function atomicWriteFile(target: string, text: string, hooks: AtomicWriteHooks = {}): void {
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const temp = `${target}.tmp`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  hooks.beforeRename?.(temp, target);
  fs.renameSync(temp, target);
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
