import path from 'node:path';
import { SqliteCommitSink } from '../adapters/persistence/sqlite-commit-sink.js';
import { runFramework } from './lib/framework-run.js';
const w = SqliteCommitSink.prototype as any;
const orig = w.commit;
let n = 0, t = 0; const lat: number[] = [];
w.commit = function (rs: any[]) { const s = performance.now(); const x = orig.call(this, rs); const d = performance.now() - s; lat.push(d); t += d; n++; return x; };
const rec = path.resolve('var/bench/goog-2012-06-21.hrec');
for (let i = 0; i < 4; i++) {
  n = 0; t = 0; lat.length = 0;
  const r = await runFramework({ marketData: { recording: rec }, symbol: 'GOOG', date: '2012-06-21', start: '09:30', end: '16:00', dataDir: '/tmp/exp/dd' });
  lat.sort((a, b) => a - b);
  console.log(process.env.HV_AUTOCKPT ?? 'default', { steadyMs: r.steadyMs.toFixed(0), commits: n, ms: t.toFixed(1), p50us: (lat[n >> 1]! * 1000).toFixed(0), p99us: (lat[Math.floor(n * 0.99)]! * 1000).toFixed(0), max: lat[n - 1]!.toFixed(1) });
}
