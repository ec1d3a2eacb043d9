import { Command } from 'commander';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import type { JournalEntry } from '../../../ports/journal.js';
import { loadResolvedConfig } from '../load.js';
import { openStore } from '../open-store.js';

export function registerJournalCommands(program: Command): void {
  program
    .command('sessions')
    .description('list recent sessions in the configured store')
    .option('-c, --config <file>', 'config file', 'harvester.config.ts')
    .option('-n, --limit <n>', 'how many', '20')
    .action(async (opts: { config: string; limit: string }) => {
      const { resolved } = await loadResolvedConfig(opts.config);
      const store = await openStore(resolved);
      try {
        for (const s of (await store.journal?.sessions(Number(opts.limit))) ?? []) {
          process.stdout.write(`${s.sessionId}  ${s.mode.padEnd(8)} ${s.strategy.padEnd(24)} ${s.status.padEnd(10)} ${s.wallStartedAt}\n`);
        }
      } finally {
        await store.close?.();
      }
    });

  program
    .command('decisions')
    .description('print the decision trail of a session (gate values, thresholds, pass/fail, intents)')
    .argument('<session>', 'session id (see `harvester sessions`)')
    .option('-c, --config <file>', 'config file', 'harvester.config.ts')
    .option('--trade <id>', 'only the decisions of one trade')
    .option('--json', 'one JSON object per line')
    .action(async (session: string, opts: { config: string; trade?: string; json?: boolean }) => {
      const { resolved } = await loadResolvedConfig(opts.config);
      const store = await openStore(resolved);
      try {
        if (store.journal === undefined) throw new HarvesterError('CONFIG.INVALID', 'the configured store has no journal', { details: { path: 'store' } });
        const rows = await store.journal.entries(session, { kind: 'decision', ...(opts.trade ? { tradeId: opts.trade } : {}) });
        if (rows.length === 0) process.stderr.write(`no decisions for session ${session}${opts.trade ? ` trade ${opts.trade}` : ''}\n`);
        for (const row of rows) process.stdout.write(`${opts.json ? JSON.stringify(row) : formatDecision(row)}\n`);
      } finally {
        await store.close?.();
      }
    });
}

export function formatDecision(row: JournalEntry): string {
  const d = row.data as { stage?: string; outcome?: string; gates?: Record<string, { value: unknown; threshold?: unknown; pass: boolean }>; intentId?: string; note?: string; memoryVersion?: number | null };
  const time = new Date(row.time / 1000).toISOString().slice(11, 23);
  const gates = Object.entries(d.gates ?? {})
    .map(([name, g]) => `${g.pass ? '✓' : '✗'} ${name}=${String(g.value)}${g.threshold === undefined ? '' : ` (thr ${String(g.threshold)})`}`)
    .join('  ');
  const extras = [row.tradeId ? `trade ${row.tradeId}` : '', d.intentId ? `intent ${d.intentId}` : '', d.memoryVersion != null ? `memory v${d.memoryVersion}` : '', d.note ?? '']
    .filter(Boolean).join(', ');
  return `${time} ${row.symbol ?? ''} ${d.stage ?? row.type} → ${d.outcome ?? ''}${extras ? ` [${extras}]` : ''}\n    ${gates}`;
}
