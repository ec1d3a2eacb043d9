import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { buildReport, kpiRows, renderReportHtml } from '../../report/index.js';
import { exportSession } from '../../report/audit-export.js';
import { archiveSession, verifyArchive } from '../../report/day-archive.js';
import { requireSession, storeOptions, withJournal, type StoreOptions } from '../journal-command.js';

interface ReportOptions extends StoreOptions {
  out?: string;
  json?: boolean;
  compare?: string;
  recording?: string[];
  market: boolean;
}

/** `harvester report SESSION`: the daily KPI report as one self-contained HTML file (and/or JSON). */
export function registerReportCommand(program: Command): void {
  storeOptions(
    program
      .command('report')
      .description('write the daily report of a session: KPIs, charts and a per-trade drill-down, as one self-contained HTML file')
      .argument('<session>', 'session id (see `harvester sessions`)'),
  )
    .option('-o, --out <file>', 'HTML file to write (default var/reports/<session>.html)')
    .option('--compare <session>', 'a second session of the same day shown side by side (e.g. the replay of a live day)')
    .option('--recording <file...>', 'recording(s) for the price chart and the book heatmaps (default: what the session played)')
    .option('--no-market', 'skip the market data (KPIs and trades only)')
    .option('--json', 'print the KPIs and trades as one JSON object on stdout')
    .action(async (session: string, opts: ReportOptions) => {
      await withJournal(opts, async (journal, resolved) => {
        await requireSession(journal, session);
        const base = {
          dataDir: resolved.root.dataDir,
          noMarket: !opts.market,
          ...(opts.recording ? { recordings: opts.recording.map((f) => path.resolve(f)) } : {}),
        };
        const model = await buildReport(journal, session, base);
        const compare = opts.compare
          ? await buildReport(journal, opts.compare, { dataDir: resolved.root.dataDir, noMarket: true })
          : undefined;
        const out = path.resolve(opts.out ?? path.join(resolved.root.dataDir, 'reports', `${session}.html`));
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, renderReportHtml(model, compare));
        if (opts.json) {
          const summary = {
            sessionId: session,
            out,
            kpis: model.kpis,
            trades: model.trades.map(({ trail: _t, ...t }) => t),
            notes: model.notes,
          };
          process.stdout.write(`${JSON.stringify(summary)}\n`);
        } else {
          for (const [, label, value] of kpiRows(model.kpis)) process.stdout.write(`${label.padEnd(40)} ${value}\n`);
          for (const n of model.notes) process.stdout.write(`note: ${n}\n`);
          process.stdout.write(`report: ${out}\n`);
        }
      });
    });
}

/** `harvester export SESSION --format csv|jsonl`: the audit trail as files. */
export function registerExportCommand(program: Command): void {
  storeOptions(
    program
      .command('export')
      .description("export a session's orders, fills, trades, decisions, risk events and operator actions as CSV or JSON lines")
      .argument('<session>', 'session id (see `harvester sessions`)'),
  )
    .option('-f, --format <format>', 'csv or jsonl', 'csv')
    .option('-o, --out <dir>', 'folder to write (default <dataDir>/exports)')
    .action(async (session: string, opts: StoreOptions & { format: string; out?: string }) => {
      const format = opts.format;
      if (format !== 'csv' && format !== 'jsonl')
        throw new HarvesterError('CONFIG.INVALID', `--format must be csv or jsonl, not '${format}'`, { details: { path: '--format' } });
      await withJournal(opts, async (journal, resolved) => {
        const meta = await requireSession(journal, session);
        const tz = (meta.config as { session?: { timeZone?: string } }).session?.timeZone ?? resolved.root.session.timeZone;
        const written = exportSession(await journal.entries(session), {
          sessionId: session,
          timeZone: tz,
          format,
          outDir: path.resolve(opts.out ?? path.join(resolved.root.dataDir, 'exports')),
        });
        for (const w of written) process.stdout.write(`${String(w.rows).padStart(7)} rows  ${w.file}\n`);
      });
    });
}

/** `harvester archive SESSION`: the day's folder (recordings, journal, report, config, checksum manifest). */
export function registerArchiveCommand(program: Command): void {
  storeOptions(
    program
      .command('archive')
      .description('write the day folder of a session: its recordings, journal export, report, stored config and a sha256 manifest')
      .argument('<session>', 'session id (see `harvester sessions`)'),
  )
    .option('-o, --out <dir>', 'archive root (default <dataDir>/archive)')
    .option('--verify <dir>', 'check an archived day folder against its manifest instead')
    .option('--recording <file...>', 'recording(s) to include (default: what the session played)')
    .action(async (session: string, opts: StoreOptions & { out?: string; verify?: string; recording?: string[] }) => {
      if (opts.verify !== undefined) {
        const v = verifyArchive(opts.verify);
        for (const p of v.problems) process.stdout.write(`${p}\n`);
        process.stdout.write(v.ok ? 'archive intact\n' : 'archive damaged\n');
        process.exitCode = v.ok ? 0 : 1;
        return;
      }
      await withJournal(opts, async (journal, resolved) => {
        await requireSession(journal, session);
        const r = await archiveSession(journal, session, {
          root: path.resolve(opts.out ?? path.join(resolved.root.dataDir, 'archive')),
          dataDir: resolved.root.dataDir,
          ...(opts.recording ? { recordings: opts.recording.map((f) => path.resolve(f)) } : {}),
        });
        for (const f of r.files) process.stdout.write(`${f.sha256.slice(0, 12)}  ${String(f.bytes).padStart(10)}  ${f.file}\n`);
        process.stdout.write(`archived to ${r.dir}\n`);
      });
    });
}
