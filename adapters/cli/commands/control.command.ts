import { Command, Option } from 'commander';
import { OPERATOR_COMMANDS, type OperatorResult } from '../../../core/operator/operator-commands.js';
import { sendControlCommand } from '../control-socket.js';

export interface ControlOptions {
  symbol?: string;
  note?: string;
  dataDir: string;
  operator: string;
  timeout: string;
  json?: boolean;
}

function format(r: OperatorResult): string {
  if (r.ok) {
    const detail = r.detail === undefined ? '' : `\n${JSON.stringify(r.detail, null, 2)}`;
    return `ok — state ${r.state}${detail}`;
  }
  const reasons = r.reasons.map((x) =>
    typeof x === 'string'
      ? x
      : `${x.code} (${x.limit}: observed ${x.observed}, threshold ${x.threshold})${x.message ? ` ${x.message}` : ''}`,
  );
  return `refused — state ${r.state}\n  ${reasons.join('\n  ')}`;
}

/** Run one control action against the session whose control file is in `dataDir`; returns the exit code. */
export async function runControl(
  action: string,
  opts: ControlOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
): Promise<number> {
  const raw: Record<string, unknown> = { command: action, operatorId: opts.operator };
  if (opts.note !== undefined) raw.note = opts.note;
  if (opts.symbol !== undefined) raw.symbol = opts.symbol;
  // With --symbol, pause/resume act on that symbol only.
  if (opts.symbol !== undefined && (action === 'pause' || action === 'resume')) raw.command = `${action}-symbol`;
  // The session parses the command (core/operator/control-protocol.ts); one it cannot parse comes back `invalid`.
  const result = await sendControlCommand({ dataDir: opts.dataDir, command: raw, timeoutMs: Number(opts.timeout) });
  if (!result.ok && result.invalid === true) {
    out(`invalid command: ${String(result.reasons[0])}\n`);
    return 2;
  }
  out(`${opts.json ? JSON.stringify(result) : format(result)}\n`);
  return result.ok ? 0 : 1;
}

/**
 * `harvester control <action>`: operator controls for a running session, over its loopback control socket.
 * Actions: pause, resume, pause-symbol, resume-symbol, flatten, halt, clear, status (aliases flatten-all, clear-halt).
 */
export function registerControlCommands(program: Command): void {
  program
    .command('control')
    .description('operator controls for a running session: pause, resume, pause-symbol, flatten, halt, clear, status')
    .addArgument(program.createArgument('<action>', 'what to do').choices([...OPERATOR_COMMANDS, 'flatten-all', 'clear-halt']))
    .option('-s, --symbol <symbol>', 'symbol for pause-symbol/resume-symbol (or pause/resume of one symbol)')
    .option('-n, --note <note>', 'why (journaled with the operator id; required for clear)')
    .option('-d, --data-dir <dir>', 'data directory of the running session', 'var')
    .addOption(
      new Option('-o, --operator <id>', 'operator id recorded in the journal').default(
        process.env.HARVESTER_OPERATOR ?? process.env.USER ?? 'operator',
      ),
    )
    .option('--timeout <ms>', 'how long to wait for an answer', '5000')
    .option('--json', 'print the raw JSON answer')
    .action(async (action: string, opts: ControlOptions) => {
      process.exitCode = await runControl(action, opts);
    });
}
