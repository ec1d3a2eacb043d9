/**
 * `node --import tsx bench/alloc-profile.ts [--json] [--lmp-only]`: bytes allocated per replayed event, from V8's sampling heap
 * profiler with collected objects kept in the profile (so the sum is what was allocated, not what survived). One
 * unmeasured warm-up run, then one profiled run of the whole framework: the bench strategy on the GOOG day (when the
 * LOBSTER sample is present) and LMP on the default generated day. Prints bytes per event and the top allocation
 * sites; never passes or fails.
 */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import path from 'node:path';
import { benchGeneratedDay } from './lib/generated-day.js';
import { importLobster } from '../adapters/replay/lobster/lobster-importer.js';
import { runFramework, type FrameworkRun } from './lib/framework-run.js';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const json = process.argv.includes('--json');
const lmpOnly = process.argv.includes('--lmp-only');
const dataDir = path.resolve('var/bench');
fs.mkdirSync(dataDir, { recursive: true });
const lobsterDir = path.resolve('../shared/data/lobster/GOOG_2012-06-21_L10');
const messageFile = path.join(lobsterDir, 'GOOG_2012-06-21_34200000_57600000_message_10.csv');
const orderbookFile = path.join(lobsterDir, 'GOOG_2012-06-21_34200000_57600000_orderbook_10.csv');

async function profiled(name: string, run: () => Promise<FrameworkRun>): Promise<Record<string, unknown>> {
  await run(); // warm-up, as the throughput bench does
  const session = new inspector.Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
  const r = await run();
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
  session.disconnect();
  const sites = new Map<string, number>();
  let total = 0;
  const frameName = (f: ProfileNode['callFrame']) =>
    `${f.functionName || '(anonymous)'} ${f.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '')}`;
  // A built-in (no url: an iterator's next, a typed array's subarray) is named with the caller that paid for it.
  const walk = (n: ProfileNode, caller: string) => {
    total += n.selfSize;
    const own = frameName(n.callFrame);
    if (n.selfSize > 0) {
      const key = n.callFrame.url === '' ? `${own} ← ${caller}` : own;
      sites.set(key, (sites.get(key) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, n.callFrame.url === '' ? caller : own);
  };
  walk(profile.head, '(root)');
  const top = [...sites.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([site, bytes]) => ({ site, bytesPerEvent: Math.round((bytes / r.events) * 10) / 10 }));
  return { name, events: r.events, bytesPerEvent: Math.round((total / r.events) * 10) / 10, totalMb: Math.round(total / 1e5) / 10, top };
}

const out: Record<string, unknown>[] = [];
if (!lmpOnly && fs.existsSync(messageFile)) {
  const rec = path.join(dataDir, 'goog-2012-06-21.hrec');
  if (!fs.existsSync(rec)) await importLobster({ messageFile, orderbookFile, out: rec, symbol: 'GOOG', date: '2012-06-21' });
  out.push(
    await profiled('goog-bench-strategy', () =>
      runFramework({ marketData: { recording: rec }, symbol: 'GOOG', date: '2012-06-21', start: '09:30', end: '16:00', dataDir }),
    ),
  );
}
const gen = benchGeneratedDay(dataDir);
out.push(
  await profiled('generated-lmp', () =>
    runFramework({
      marketData: { recording: gen },
      symbol: 'HRVST',
      date: '2024-03-14',
      start: '09:30',
      end: '11:15',
      dataDir,
      strategy: 'lmp',
    }),
  ),
);
process.stdout.write(json ? `${JSON.stringify(out)}\n` : `${JSON.stringify(out, null, 2)}\n`);
