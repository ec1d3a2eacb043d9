import path from 'node:path';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { type SweepReport, parseSeeds, runSweep } from '../sweep/run-sweep.js';
import type { Signal } from '../sweep/sweep-day.js';

interface SweepCliOptions {
  seeds: string;
  learning: string;
  signal: string;
  threads: string;
  json?: boolean;
  dataDir: string;
}

const fmt = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(3);

function printText(r: SweepReport): void {
  const line = (name: string, a: SweepReport['static']): void => {
    if (a === null) return;
    console.log(
      `${name.padEnd(8)} trades ${String(a.trades).padStart(4)}  E[R] ` +
        `${fmt(a.expectancyR)} (95% ${fmt(a.ciLowR)} .. ${fmt(a.ciHighR)})  win ` +
        `${(a.winRate * 100).toFixed(1)}%  MAE ${a.maeR.toFixed(3)}R  MFE ${a.mfeR.toFixed(3)}R`,
    );
  };
  console.log(`sweep seeds ${r.seeds} signal ${r.signal}`);
  line('learned', r.learned);
  line('static', r.static);
  if (r.oracle !== null) line('oracle', r.oracle);
  if (r.upliftPerDay !== null)
    console.log(
      `uplift per day ${fmt(r.upliftPerDay.meanR)}R (95% ${fmt(r.upliftPerDay.ciLowR)} ` +
        `.. ${fmt(r.upliftPerDay.ciHighR)}) over ${r.upliftPerDay.days} days`,
    );
  console.log(`gate: ${r.evaluations} evaluations, ${r.promotions} promotions, ${r.rejections} rejections, ${r.rollbacks} rollbacks`);
}

/** `harvester sweep` and `harvester backcheck`: many generated days, learned vs static LMP, on worker threads. */
export function registerSweepCommands(program: Command): void {
  for (const name of ['sweep', 'backcheck'] as const) {
    program
      .command(name)
      .description(
        name === 'sweep'
          ? 'replay many generated days on worker threads and compare learned with static LMP'
          : 'back-check the learning loop: the same comparison as sweep (walk-forward, learned vs static)',
      )
      .option('--seeds <A..B>', 'generator seeds, one day each', name === 'sweep' ? '1..40' : '1..10')
      .option('--learning <on|off|both>', 'which arms to run', 'both')
      .option(
        '--signal <planted|null|none|poisoned>',
        'planted: learnable market; null: nothing observable predicts the outcome; none: the default v2 market; poisoned: planted, link flipped halfway',
        'planted',
      )
      .option('--threads <n>', 'worker threads (the machine has 2 cores)', '2')
      .option('--data-dir <dir>', 'where generated recordings are cached', 'var')
      .option('--json', 'end stdout with one JSON summary object')
      .action(async (o: SweepCliOptions) => {
        const seeds = parseSeeds(o.seeds);
        if (!['on', 'off', 'both'].includes(o.learning)) throw new Error(`--learning ${o.learning}: expected on, off or both`);
        if (!['planted', 'null', 'none', 'poisoned'].includes(o.signal))
          throw new Error(`--signal ${o.signal}: expected planted, null, none or poisoned`);
        const threads = Math.max(1, Number(o.threads) | 0);
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar(
              { format: `${name} [{bar}] {value}/{total} days`, stream: process.stderr },
              cliProgress.Presets.shades_classic,
            )
          : null;
        const total = seeds.length * (o.learning === 'both' ? 2 : 1);
        bar?.start(total, 0);
        const report = await runSweep({
          seeds,
          signal: o.signal as Signal,
          learning: o.learning as 'on' | 'off' | 'both',
          threads,
          baseDir: path.resolve(import.meta.dirname, '../../..'),
          dataDir: path.resolve(o.dataDir),
          onDay: (done) => bar?.update(done),
        });
        bar?.stop();
        printText(report);
        if (o.json) {
          const { days: _days, ...rest } = report;
          const pick = (a: SweepReport['static']) =>
            a === null
              ? null
              : {
                  trades: a.trades,
                  expectancyR: a.expectancyR,
                  ciLowR: a.ciLowR,
                  ciHighR: a.ciHighR,
                  winRate: a.winRate,
                  maeR: a.maeR,
                  mfeR: a.mfeR,
                };
          console.log(JSON.stringify({ ...rest, learned: pick(report.learned), static: pick(report.static) }));
        }
      });
  }
}
