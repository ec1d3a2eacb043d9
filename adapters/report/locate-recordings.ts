import fs from 'node:fs';
import path from 'node:path';
import { sessionWindow } from '../../core/config/session-window.js';
import { toPrice } from '../../core/domain/units.js';
import replay from '../replay/index.js';
import { cachedGeneratedRecording } from '../replay/generated-recording.js';

interface StoredConfig {
  seed?: number;
  dataDir?: string;
  session?: { date: string; timeZone: string; start: string; end: string };
  marketData?: { use?: string; params?: Record<string, unknown> };
}

/**
 * The recordings a session played, from the config stored with it: the files it named, or the generated day (the
 * generator is deterministic, so a day no longer cached is generated again, identical). A session on a live feed has
 * none unless it was recorded; the caller then passes `--recording`.
 */
export function sessionRecordings(config: Readonly<Record<string, unknown>>, dataDir: string): { files: string[]; note: string | null } {
  const c = config as StoredConfig;
  if (c.marketData?.use !== 'replay' || c.session === undefined)
    return { files: [], note: `market data came from '${c.marketData?.use ?? '?'}', not a recording: pass --recording for the drill-down` };
  const p = replay.paramsSchema.parse(c.marketData.params ?? {}) as {
    recording?: string | string[];
    generate?: { symbol: string; seed?: number; startPrice: number; tick: number; intensity: number; incidents: boolean };
  };
  if (p.recording !== undefined) {
    const files = (Array.isArray(p.recording) ? p.recording : [p.recording]).map((f) => path.resolve(f));
    const missing = files.filter((f) => !fs.existsSync(f));
    return missing.length > 0
      ? { files: files.filter((f) => !missing.includes(f)), note: `recording not found: ${missing.join(', ')}` }
      : { files, note: null };
  }
  const g = p.generate!;
  const w = sessionWindow(c.session.date, c.session.timeZone, c.session.start, c.session.end);
  const file = cachedGeneratedRecording(dataDir, {
    seed: g.seed ?? c.seed ?? 0,
    symbol: g.symbol,
    date: c.session.date,
    timeZone: c.session.timeZone,
    startTime: w.start,
    endTime: w.end,
    tick: toPrice(g.tick),
    startPrice: toPrice(g.startPrice),
    intensity: g.intensity,
    incidents: g.incidents,
  });
  return { files: [file], note: null };
}
