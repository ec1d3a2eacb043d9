import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Journal } from '../../ports/journal.js';
import { exportSession } from './audit-export.js';
import { buildReport } from './build-report.js';
import { sessionRecordings } from './locate-recordings.js';
import { renderReportHtml } from './render-html.js';

export interface ArchiveResult {
  dir: string;
  files: { file: string; bytes: number; sha256: string }[];
}

/**
 * One folder per trading day and session (`<root>/<date>/<session>/`) holding everything needed to audit or replay
 * it later without the database: the recordings it played, the journal export (JSON lines), the report, the
 * resolved config as stored (already redacted), and `manifest.json` with the size and sha256 of every file. The
 * manifest is written last, so a folder with a manifest is complete.
 */
export async function archiveSession(
  journal: Journal,
  sessionId: string,
  o: { root: string; dataDir: string; recordings?: string[] },
): Promise<ArchiveResult> {
  const meta = await journal.session(sessionId);
  if (meta === null) throw new Error(`no session '${sessionId}' in this store`);
  const config = meta.config as { session?: { date?: string; timeZone?: string } };
  const dir = path.resolve(o.root, config.session?.date ?? 'undated', sessionId);
  fs.mkdirSync(dir, { recursive: true });
  const recordings = o.recordings ?? sessionRecordings(meta.config, o.dataDir).files;
  for (const r of recordings) fs.copyFileSync(r, path.join(dir, path.basename(r)));
  exportSession(await journal.entries(sessionId), {
    sessionId,
    timeZone: config.session?.timeZone ?? 'America/New_York',
    format: 'jsonl',
    outDir: path.join(dir, 'journal'),
  });
  const model = await buildReport(journal, sessionId, { dataDir: o.dataDir, recordings });
  fs.writeFileSync(path.join(dir, 'report.html'), renderReportHtml(model));
  fs.writeFileSync(path.join(dir, 'session.json'), `${JSON.stringify({ ...meta, config: meta.config }, null, 2)}\n`);
  const files = listFiles(dir)
    .filter((f) => f !== 'manifest.json')
    .map((f) => {
      const body = fs.readFileSync(path.join(dir, f));
      return { file: f, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
    });
  fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify({ sessionId, files }, null, 2)}\n`);
  return { dir, files };
}

/** Checks a day folder against its manifest: the files that are missing or whose bytes changed. */
export function verifyArchive(dir: string): { ok: boolean; problems: string[] } {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { files: { file: string; sha256: string }[] };
  const problems: string[] = [];
  for (const f of manifest.files) {
    const full = path.join(dir, f.file);
    if (!fs.existsSync(full)) problems.push(`${f.file}: missing`);
    else if (createHash('sha256').update(fs.readFileSync(full)).digest('hex') !== f.sha256) problems.push(`${f.file}: checksum differs`);
  }
  return { ok: problems.length === 0, problems };
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}
