import fs from 'node:fs';
import path from 'node:path';

export type Outcome = 'pass' | 'fail' | 'pending';

export interface ResultRow {
  id: string;
  title: string;
  seed: string;
  outcome: Outcome;
  /** What the scenario saw (pass), its failure message (fail), or why it did not run (pending). */
  why: string;
  ms: number;
}

/** The operator's table: one row per seed-002 item, in seed order, plus the counts. */
export function renderTable(target: string, rows: readonly ResultRow[], at: string): string {
  const count = (o: Outcome): number => rows.filter((r) => r.outcome === o).length;
  const cell = (s: string): string => s.replace(/\s+/g, ' ').replace(/\|/g, '/').slice(0, 160);
  return [
    `# Harvester live validation (seed 002) — ${target}, ${at}`,
    '',
    `${count('pass')} pass, ${count('fail')} fail, ${count('pending')} pending of ${rows.length}`,
    '',
    '| id | scenario | seed 002 | result | why |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.id} | ${cell(r.title)} | ${r.seed} | ${r.outcome.toUpperCase()} | ${cell(r.why)} |`),
    '',
  ].join('\n');
}

/** Writes `<dir>/<target>.md` (the table) and `.json` (the rows); returns the table's path. */
export function writeReport(dir: string, target: string, rows: readonly ResultRow[], at: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${target}.md`);
  fs.writeFileSync(file, renderTable(target, rows, at));
  fs.writeFileSync(path.join(dir, `${target}.json`), `${JSON.stringify({ target, at, rows }, null, 2)}\n`);
  return file;
}
