import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import type { Signal, SweepDayResult, SweepDayTask } from './sweep-day.js';
import { type ArmFigures, armFigures, dailyUplift, oracleFigures } from './sweep-stats.js';

export interface SweepOptions {
  seeds: readonly number[];
  signal: Signal;
  learning: 'on' | 'off' | 'both';
  threads: number;
  baseDir: string;
  /** Where recordings are cached (shared by every run). */
  dataDir: string;
  learningConfig?: Record<string, unknown>;
  onDay?: (done: number, total: number) => void;
}

export interface SweepReport {
  seeds: string;
  signal: Signal;
  learned: ArmFigures | null;
  static: ArmFigures | null;
  oracle: (ArmFigures & { cut: number | null }) | null;
  upliftPerDay: { meanR: number; ciLowR: number; ciHighR: number; days: number } | null;
  promotions: number;
  rejections: number;
  evaluations: number;
  rollbacks: number;
  days: { learned: SweepDayResult[]; static: SweepDayResult[] };
}

/**
 * Runs many generated days through the engine on worker threads (piscina). The static arm's days are
 * independent and run in parallel; the learned arm is a walk-forward chain (day k+1 trades with the memory that
 * days 1..k produced, in one journal and memory store), so its days run one after another on one thread while
 * the static days use the others.
 */
export async function runSweep(o: SweepOptions): Promise<SweepReport> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-sweep-'));
  const pool = new Piscina({ filename: new URL('./sweep-worker-entry.mjs', import.meta.url).href, maxThreads: o.threads, minThreads: 1 });
  const flipAt = Math.floor(o.seeds.length / 2);
  const task = (seed: number, index: number, arm: 'learned' | 'static'): SweepDayTask => ({
    seed,
    index,
    signal: o.signal,
    flipAt,
    arm,
    dataDir: o.dataDir,
    baseDir: o.baseDir,
    store: path.join(tmp, arm === 'learned' ? 'learned.sqlite' : `static-${index}.sqlite`),
    ...(o.learningConfig === undefined ? {} : { learning: o.learningConfig }),
  });
  const wantLearned = o.learning !== 'off';
  const wantStatic = o.learning !== 'on';
  const total = (wantLearned ? o.seeds.length : 0) + (wantStatic ? o.seeds.length : 0);
  let done = 0;
  const tick = (): void => {
    done++;
    o.onDay?.(done, total);
  };
  try {
    const learnedChain = (async () => {
      const out: SweepDayResult[] = [];
      if (!wantLearned) return out;
      for (const [i, seed] of o.seeds.entries()) {
        out.push((await pool.run(task(seed, i, 'learned'))) as SweepDayResult);
        tick();
      }
      return out;
    })();
    const statics = wantStatic
      ? Promise.all(
          o.seeds.map(async (seed, i) => {
            const r = (await pool.run(task(seed, i, 'static'))) as SweepDayResult;
            tick();
            return r;
          }),
        )
      : Promise.resolve([] as SweepDayResult[]);
    const [learned, stat] = await Promise.all([learnedChain, statics]);
    stat.sort((a, b) => a.index - b.index);
    const seedsLabel = `${o.seeds[0]}..${o.seeds[o.seeds.length - 1]}`;
    return {
      seeds: seedsLabel,
      signal: o.signal,
      learned: wantLearned
        ? armFigures(
            learned.flatMap((d) => d.trades),
            1,
          )
        : null,
      static: wantStatic
        ? armFigures(
            stat.flatMap((d) => d.trades),
            2,
          )
        : null,
      oracle: wantStatic && (o.signal === 'planted' || o.signal === 'poisoned') ? oracleFigures(stat, 3) : null,
      upliftPerDay: wantLearned && wantStatic ? dailyUplift(learned, stat, 4) : null,
      promotions: learned.reduce((a, d) => a + d.promotions, 0),
      rejections: learned.reduce((a, d) => a + d.rejections, 0),
      evaluations: learned.reduce((a, d) => a + d.evaluations, 0),
      rollbacks: learned.reduce((a, d) => a + d.rollbacks, 0),
      days: { learned, static: stat },
    };
  } finally {
    await pool.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** `A..B` or `A,B,C`. */
export function parseSeeds(text: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(text.trim());
  if (range !== null) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (b < a) throw new Error(`--seeds ${text}: the end is before the start`);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 0))
    throw new Error(`--seeds ${text}: expected A..B or a list of integers`);
  return list;
}
