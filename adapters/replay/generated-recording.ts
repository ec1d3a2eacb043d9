import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Micros } from '../../core/domain/units.js';
import { GENERATOR_VERSION, NULL_VERSION, PLANTED_VERSION, generateSession, type GeneratorSummary } from './generator/market-generator.js';
import type { GeneratorSignal, PlantedVersion } from './generator/planted.js';
import { RecordingWriter } from './recording/recording-writer.js';

export interface GenerateToFileOptions {
  seed: number;
  symbol: string;
  date: string;
  timeZone: string;
  startTime: Micros;
  endTime: Micros;
  tick: number;
  startPrice: number;
  intensity?: number;
  incidents?: boolean;
  /** Absent or `none`: the v2 market (unchanged recordings and cache names). */
  signal?: GeneratorSignal;
  invert?: boolean;
  plantedVersion?: PlantedVersion;
  /** false: write stored blocks (format v2, no inflate on replay, ~7× the size); default true (v1). */
  compress?: boolean;
}

/** Generate a session into a recording file (written to a temp name and renamed, so a crash leaves no half file). */
export function generateToFile(file: string, o: GenerateToFileOptions): GeneratorSummary {
  // Per process and thread: sweep workers share a pid and may generate the same day at once.
  const tmp = `${file}.${process.pid}-${threadId}.tmp`;
  const writer = RecordingWriter.open(
    tmp,
    {
      symbol: o.symbol,
      date: o.date,
      tick: o.tick,
      timeZone: o.timeZone,
      source: 'harvester-generator',
      createdBy: 'harvester generate',
      meta: {
        seed: o.seed,
        startPrice: o.startPrice,
        intensity: o.intensity ?? 1,
        incidents: o.incidents ?? true,
        ...(o.signal === 'planted'
          ? { signal: 'planted', invert: o.invert === true, plantedVersion: o.plantedVersion ?? PLANTED_VERSION }
          : {}),
        ...(o.signal === 'null' ? { signal: 'null', nullVersion: NULL_VERSION } : {}),
      },
    },
    { compress: o.compress ?? true },
  );
  let summary: GeneratorSummary;
  try {
    summary = generateSession({ ...o, start: '00:00' }, (e) => writer.write(e));
  } finally {
    writer.close();
  }
  fs.renameSync(tmp, file);
  return summary;
}

/** The cached recording for a generated session, generated on first use. */
export function cachedGeneratedRecording(dataDir: string, o: GenerateToFileOptions): string {
  const name =
    `gen-${o.symbol}-${o.date}-${o.startTime}-${o.endTime}-s${o.seed}-p${o.startPrice}-` +
    `i${o.intensity ?? 1}-${o.incidents === false ? 'n' : 'y'}-v${GENERATOR_VERSION}${plantedKey(o)}${o.compress === false ? '-stored' : ''}.hrec`;
  const file = path.resolve(dataDir, 'recordings', name);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    generateToFile(file, o);
  }
  return file;
}

function plantedKey(o: GenerateToFileOptions): string {
  if (o.signal === 'null') return `-null-v${NULL_VERSION}`;
  return o.signal === 'planted' ? `-planted${o.invert === true ? '-inv' : ''}-v${o.plantedVersion ?? PLANTED_VERSION}` : '';
}
