import fs from 'node:fs';
import path from 'node:path';
import { importLobster } from '../../adapters/replay/lobster/lobster-importer.js';
import { runFramework, type FrameworkRun } from './framework-run.js';

/** The LOBSTER sample the benches read (lobsterdata.com, GOOG 2012-06-21, 10 levels), beside the clone in ../shared. */
export const LOBSTER_DIR = path.resolve('../shared/data/lobster/GOOG_2012-06-21_L10');
export const GOOG_MESSAGES = path.join(LOBSTER_DIR, 'GOOG_2012-06-21_34200000_57600000_message_10.csv');
export const GOOG_ORDERBOOK = path.join(LOBSTER_DIR, 'GOOG_2012-06-21_34200000_57600000_orderbook_10.csv');

/**
 * The GOOG day as a recording under `dataDir`, imported on first use (`stored`: format v2, no inflate); null when the
 * LOBSTER sample is not there.
 */
export async function benchGoogDay(dataDir: string, options: { stored?: boolean } = {}): Promise<string | null> {
  if (!fs.existsSync(GOOG_MESSAGES)) return null;
  const out = path.join(dataDir, options.stored === true ? 'goog-2012-06-21-stored.hrec' : 'goog-2012-06-21.hrec');
  if (!fs.existsSync(out)) {
    await importLobster({
      messageFile: GOOG_MESSAGES,
      orderbookFile: GOOG_ORDERBOOK,
      out,
      symbol: 'GOOG',
      date: '2012-06-21',
      ...(options.stored === true ? { compress: false } : {}),
    });
  }
  return out;
}

/** The whole framework over the GOOG day's regular session, with the bench strategy. */
export function runGoogDay(recording: string, dataDir: string): Promise<FrameworkRun> {
  return runFramework({ marketData: { recording }, symbol: 'GOOG', date: '2012-06-21', start: '09:30', end: '16:00', dataDir });
}

/** The whole framework over the benches' generated day (generated-day.ts), with the bench strategy or LMP. */
export function runGeneratedDay(recording: string, dataDir: string, strategy: 'bench' | 'lmp' = 'bench'): Promise<FrameworkRun> {
  return runFramework({ marketData: { recording }, symbol: 'HRVST', date: '2024-03-14', start: '09:30', end: '11:15', dataDir, strategy });
}
