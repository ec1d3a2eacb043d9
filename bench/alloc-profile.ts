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
import { benchGoogDay, runGeneratedDay, runGoogDay } from './lib/bench-days.js';
import type { FrameworkRun } from './lib/framework-run.js';
import { benchGeneratedDay } from './lib/generated-day.js';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const json = process.argv.includes('--json');
const lmpOnly = process.argv.includes('--lmp-only');
const dataDir = path.resolve('var/bench');
fs.mkdirSync(dataDir, { recursive: true });

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
const goog = lmpOnly ? null : await benchGoogDay(dataDir);
if (goog !== null) out.push(await profiled('goog-bench-strategy', () => runGoogDay(goog, dataDir)));
const gen = benchGeneratedDay(dataDir);
out.push(await profiled('generated-lmp', () => runGeneratedDay(gen, dataDir, 'lmp')));
process.stdout.write(json ? `${JSON.stringify(out)}\n` : `${JSON.stringify(out, null, 2)}\n`);
