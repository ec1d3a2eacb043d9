import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { generateToFile } from '../../adapters/replay/generated-recording.js';
import { GENERATOR_VERSION } from '../../adapters/replay/generator/market-generator.js';

/** 09:30 New York on the benches' generated date, in epoch µs. */
export const NY_OPEN = DateTime.fromISO('2024-03-14T09:30', { zone: 'America/New_York' }).toMillis() * 1000;

/**
 * The benches' generated day (seed 42, 105 minutes from the open), written once under `dataDir` and keyed by the
 * generator's version, so every bench measures the same events and a changed generator never replays a stale file.
 */
export function benchGeneratedDay(dataDir: string): string {
  const file = path.join(dataDir, `generated-105min-v${GENERATOR_VERSION}.hrec`);
  if (!fs.existsSync(file))
    generateToFile(file, {
      seed: 42,
      symbol: 'HRVST',
      date: '2024-03-14',
      timeZone: 'America/New_York',
      startTime: NY_OPEN,
      endTime: NY_OPEN + 105 * 60e6,
      tick: 100,
      startPrice: 325_000,
    });
  return file;
}
