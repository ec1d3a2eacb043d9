import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * Which process runs a session: `<dataDir>/sessions/<id>.pid` ({pid, host}), written at start and removed at an
 * orderly end. A session still `running` in the journal whose pid file is missing or whose process is gone crashed.
 */
export function pidFilePath(dataDir: string, sessionId: string): string {
  return join(dataDir, 'sessions', `${sessionId}.pid`);
}

export function writePidFile(dataDir: string, sessionId: string): void {
  mkdirSync(join(dataDir, 'sessions'), { recursive: true });
  writeFileSync(pidFilePath(dataDir, sessionId), JSON.stringify({ pid: process.pid, host: hostname() }));
}

export function removePidFile(dataDir: string, sessionId: string): void {
  rmSync(pidFilePath(dataDir, sessionId), { force: true });
}

/** 'alive': its process runs on this host; 'gone': no pid file, or the process is not running; 'unknown': another host. */
export function sessionLiveness(dataDir: string): (sessionId: string) => 'alive' | 'gone' | 'unknown' {
  return (sessionId) => {
    const file = pidFilePath(dataDir, sessionId);
    if (!existsSync(file)) return 'gone';
    let rec: { pid?: unknown; host?: unknown };
    try {
      rec = JSON.parse(readFileSync(file, 'utf8')) as typeof rec;
    } catch {
      return 'gone';
    }
    if (rec.host !== hostname()) return 'unknown';
    if (typeof rec.pid !== 'number') return 'gone';
    try {
      process.kill(rec.pid, 0);
      return 'alive';
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'alive' : 'gone';
    }
  };
}
