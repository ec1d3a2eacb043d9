import { runSweepDay, type SweepDayTask } from './sweep-day.js';

/** Piscina worker: one generated day per task, the same engine as `harvester run`. */
export default async function (task: SweepDayTask): Promise<Awaited<ReturnType<typeof runSweepDay>>> {
  return runSweepDay(task);
}
