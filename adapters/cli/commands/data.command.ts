import path from 'node:path';
import { Command } from 'commander';
import { DateTime } from 'luxon';
import { toPrice } from '../../../core/domain/units.js';
import { generateToFile } from '../../replay/generated-recording.js';
import { describeAnomalies, importLobster } from '../../replay/lobster/lobster-importer.js';
import { summarizeRecording } from '../../replay/recording/summarize.js';

const iso = (us: number | null): string => (us === null ? '-' : new Date(us / 1000).toISOString());

/** `generate`, `import lobster` and `inspect`: the recording tools. */
export function registerDataCommands(program: Command): void {
  program
    .command('generate')
    .description('write a generated market session (L2 depth, 10 levels, and the tape) as a recording')
    .requiredOption('--out <file>', 'recording to write (.hrec)')
    .option('--seed <n>', 'seed', '1')
    .option('--minutes <m>', 'session length in minutes', '105')
    .option('--symbol <s>', 'symbol', 'HRVST')
    .option('--date <d>', 'trading date YYYY-MM-DD', '2024-03-14')
    .option('--start <hh:mm>', 'session start, New York time', '09:30')
    .option('--price <dollars>', 'opening price', '32.5')
    .option('--intensity <x>', 'message-rate multiplier', '1')
    .action(
      (o: {
        out: string;
        seed: string;
        minutes: string;
        symbol: string;
        date: string;
        start: string;
        price: string;
        intensity: string;
      }) => {
        const start = DateTime.fromISO(`${o.date}T${o.start}`, { zone: 'America/New_York' }).toMillis() * 1000;
        const s = generateToFile(path.resolve(o.out), {
          seed: Number(o.seed),
          symbol: o.symbol,
          date: o.date,
          timeZone: 'America/New_York',
          startTime: start,
          endTime: start + Math.round(Number(o.minutes) * 60e6),
          tick: 100,
          startPrice: toPrice(Number(o.price)),
          intensity: Number(o.intensity),
        });
        process.stdout.write(`wrote ${o.out}: ${s.events} events (${s.depth} depth, ${s.trades} trades, ${s.status} status)\n`);
      },
    );

  program
    .command('import')
    .description('import market data into a recording')
    .command('lobster')
    .description('LOBSTER message + orderbook files (https://lobsterdata.com)')
    .requiredOption('--message <file>', 'LOBSTER message file')
    .requiredOption('--orderbook <file>', 'LOBSTER orderbook file')
    .requiredOption('--out <file>', 'recording to write (.hrec)')
    .option('--symbol <s>', 'symbol (default: from the file name)')
    .option('--date <d>', 'trading date YYYY-MM-DD (default: from the file name)')
    .option('--levels <n>', 'levels per side you expect (checked against the file; default: read from it)')
    .option('--max-reject <share>', 'fail when more than this share of the lines is rejected', '0.05')
    .action(
      async (o: {
        message: string;
        orderbook: string;
        out: string;
        symbol?: string;
        date?: string;
        levels?: string;
        maxReject: string;
      }) => {
        const m = /^([A-Z.]+)_(\d{4}-\d{2}-\d{2})_/.exec(path.basename(o.message));
        const symbol = o.symbol ?? m?.[1];
        const date = o.date ?? m?.[2];
        if (symbol === undefined || date === undefined)
          throw new Error('give --symbol and --date (they cannot be read from the file name)');
        const r = await importLobster({
          messageFile: o.message,
          orderbookFile: o.orderbook,
          out: o.out,
          symbol,
          date,
          maxRejectShare: Number(o.maxReject),
          ...(o.levels !== undefined ? { levels: Number(o.levels) } : {}),
        });
        process.stdout.write(
          `wrote ${o.out}: ${r.levels} levels, ${r.messages} messages → ${r.events} ` +
            `events (${r.depth} depth, ${r.trades} trades, ${r.halts} halt)\n`,
        );
        process.stdout.write(`anomalies: ${describeAnomalies(r.anomalies)}\n`);
        if (r.malformed.length > 0) {
          process.stdout.write(
            `${r.rejected} line(s) rejected:\n${r.malformed
              .slice(0, 20)
              .map((x) => `  line ${x.line}: ${x.reason}`)
              .join('\n')}\n`,
          );
        }
      },
    );

  program
    .command('inspect')
    .description("print a recording's header, counts and time span, and any corrupt blocks")
    .argument('<file>', 'recording (.hrec)')
    .option('--tolerate-corrupt', 'exit 0 even when blocks are damaged')
    .action(async (file: string, opts: { tolerateCorrupt?: boolean }) => {
      const s = await summarizeRecording(file);
      if (s.corrupt.length > 0 && !opts.tolerateCorrupt) process.exitCode = 4;
      process.stdout.write(
        [
          `${file}: Harvester recording v${s.header.formatVersion}`,
          `  symbol ${s.header.symbol}  date ${s.header.date}  tick ` +
            `${s.header.tick / 10_000}  zone ${s.header.timeZone}  source ${s.header.source}`,
          `  events ${s.events} in ${s.blocks} blocks: ${Object.entries(s.byKind)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
          `  span ${iso(s.firstTime)} → ${iso(s.lastTime)}`,
          s.corrupt.length === 0
            ? '  no corrupt blocks'
            : `  ${s.corrupt.length} corrupt block(s): ${s.corrupt.map((c) => `@${c.offset} ${c.reason}`).join('; ')}`,
          '',
        ].join('\n'),
      );
    });
}
