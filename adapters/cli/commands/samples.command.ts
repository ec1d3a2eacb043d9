import fs from 'node:fs';
import { Command } from 'commander';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { exportSamples, type SampleFormat } from '../../../core/learning/sample-export.js';
import { sampleFromRow } from '../../../core/learning/sample-row.js';
import type { Journal } from '../../../ports/journal.js';
import type { TrainingSample } from '../../../ports/learner.js';
import { storeOptions, withJournal, type StoreOptions } from '../journal-command.js';

/** Every training sample journaled by a session, in journal order. */
export async function journaledSamples(journal: Journal, sessionId: string): Promise<TrainingSample[]> {
  const rows = await journal.entries(sessionId, { kind: 'sample' });
  const out: TrainingSample[] = [];
  for (const row of rows) {
    const s = sampleFromRow(row, sessionId);
    if (s !== null) out.push(s);
  }
  return out;
}

export function registerSamplesCommands(program: Command): void {
  const samples = program.command('samples').description('training samples journaled by sessions (real trades and ghost brackets)');
  storeOptions(
    samples
      .command('export')
      .description("export a session's training samples as CSV or JSON lines")
      .argument('<session>', 'session id (see `harvester sessions`)'),
  )
    .option('--format <format>', 'csv | jsonl', 'jsonl')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--real-only', 'leave out synthetic (ghost bracket) samples')
    .action(async (session: string, opts: StoreOptions & { format: string; out?: string; realOnly?: boolean }) => {
      if (opts.format !== 'csv' && opts.format !== 'jsonl')
        throw new HarvesterError('CONFIG.INVALID', `--format: expected csv or jsonl, got '${opts.format}'`, {
          details: { path: '--format' },
        });
      await withJournal(opts, async (journal) => {
        const all = await journaledSamples(journal, session);
        const list = opts.realOnly ? all.filter((s) => !s.synthetic) : all;
        if (all.length === 0) process.stderr.write(`no training samples for session ${session}\n`);
        const text = exportSamples(list, opts.format as SampleFormat);
        if (opts.out !== undefined) fs.writeFileSync(opts.out, text);
        else process.stdout.write(text);
        process.stderr.write(`${list.length} samples (${list.filter((s) => s.synthetic).length} synthetic)\n`);
      });
    });
}
