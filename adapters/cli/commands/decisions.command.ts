import { Command } from 'commander';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import type { JournalEntry } from '../../../ports/journal.js';
import { loadResolvedConfig } from '../load.js';
import { DB_URL_HELP, openStore, withDbUrl } from '../open-store.js';
import { clockTime, gateValue, humanizeNote } from '../format.js';
import { sessionLiveness } from '../session-pidfile.js';

export function registerJournalCommands(program: Command): void {
  program
    .command('sessions')
    .description('list recent sessions in the configured store')
    .option('-c, --config <file>', 'config file', 'harvester.config.ts')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--db-url <url>', DB_URL_HELP)
    .action(async (opts: { config: string; limit: string; dbUrl?: string }) => {
      const resolved = withDbUrl((await loadResolvedConfig(opts.config)).resolved, opts.dbUrl);
      const store = await openStore(resolved);
      try {
        const list = (await store.journal?.sessions(Number(opts.limit))) ?? [];
        const liveness = sessionLiveness(resolved.root.dataDir);
        if (list.length === 0) process.stderr.write('no sessions in this store\n');
        else
          process.stdout.write(
            `${'SESSION'.padEnd(22)}  ${'MODE'.padEnd(8)} ${'STRATEGY'.padEnd(24)} ${'STATUS'.padEnd(10)} STARTED (UTC)\n`,
          );
        for (const s of list) {
          let status = s.status;
          let note = '';
          // Still 'running' with its process gone: it crashed (kill -9, power loss); say when it last wrote a row.
          if (s.status === 'running' && store.journal !== undefined && liveness(s.sessionId) === 'gone') {
            status = 'crashed';
            let last: number | null = null;
            for (const r of await store.journal.entries(s.sessionId)) if (last === null || r.time > last) last = r.time;
            note = `  last durable row ${last === null ? 'none' : new Date(last / 1000).toISOString()}`;
          }
          process.stdout.write(
            `${s.sessionId.padEnd(22)}  ${s.mode.padEnd(8)} ${s.strategy.padEnd(24)} ${status.padEnd(10)} ${s.wallStartedAt}${note}\n`,
          );
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
    .option('--db-url <url>', DB_URL_HELP)
    .action(async (session: string, opts: { config: string; trade?: string; json?: boolean; dbUrl?: string }) => {
      const resolved = withDbUrl((await loadResolvedConfig(opts.config)).resolved, opts.dbUrl);
      const store = await openStore(resolved);
      try {
        if (store.journal === undefined)
          throw new HarvesterError('CONFIG.INVALID', 'the configured store has no journal', { details: { path: 'store' } });
        const meta = await store.journal.session(session);
        if (meta === null)
          throw new HarvesterError('DATA.NOT_FOUND', `no session '${session}' in this store (see \`harvester sessions\`)`, {
            details: { path: 'session' },
          });
        const timeZone = (meta.config as { session?: { timeZone?: string } }).session?.timeZone ?? 'America/New_York';
        const rows = await store.journal.entries(session, { kind: 'decision', ...(opts.trade ? { tradeId: opts.trade } : {}) });
        // A denied entry's reasons are in its risk.denied row; show them under the decision.
        const denials = new Map<string, string>();
        for (const r of await store.journal.entries(session, { kind: 'risk' })) {
          if (r.type !== 'risk.denied') continue;
          const d = r.data as { intent?: { intentId?: string }; reasons?: { code: string; message?: string }[] };
          if (d.intent?.intentId !== undefined)
            denials.set(d.intent.intentId, (d.reasons ?? []).map((x) => `${x.code}${x.message ? ` (${x.message})` : ''}`).join('; '));
        }
        if (rows.length === 0) process.stderr.write(`no decisions for session ${session}${opts.trade ? ` trade ${opts.trade}` : ''}\n`);
        for (const row of rows) process.stdout.write(`${opts.json ? JSON.stringify(row) : formatDecision(row, timeZone, denials)}\n`);
      } finally {
        await store.close?.();
      }
    });
}

/** One decision as an operator reads it: time in the session's zone, prices in dollars, a denial's reasons. */
export function formatDecision(row: JournalEntry, timeZone = 'America/New_York', denials: ReadonlyMap<string, string> = new Map()): string {
  const d = row.data as {
    stage?: string;
    outcome?: string;
    gates?: Record<string, { value: unknown; threshold?: unknown; pass: boolean }>;
    intentId?: string;
    note?: string;
    memoryVersion?: number | null;
  };
  const gates = Object.entries(d.gates ?? {})
    .map(
      ([name, g]) =>
        `${g.pass ? '✓' : '✗'} ` +
        `${name}=${gateValue(name, g.value)}${g.threshold === undefined ? '' : ` (thr ${gateValue(name, g.threshold)})`}`,
    )
    .join('  ');
  const extras = [
    row.tradeId ? `trade ${row.tradeId}` : '',
    d.intentId ? `intent ${d.intentId}` : '',
    d.memoryVersion != null ? `memory v${d.memoryVersion}` : '',
    d.note ? humanizeNote(d.note) : '',
  ]
    .filter(Boolean)
    .join(', ');
  const denied = d.intentId !== undefined ? denials.get(d.intentId) : undefined;
  return (
    `${clockTime(row.time, timeZone)} ${row.symbol ?? ''} ${d.stage ?? row.type} → ` +
    `${d.outcome ?? ''}${extras ? ` [${extras}]` : ''}${denied ? `\n    denied: ${denied}` : ''}\n    ${gates}`
  );
}
