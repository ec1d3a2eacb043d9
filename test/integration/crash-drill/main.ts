/** `npm run drill:crash -- --drills N --seed S [--verbose] [--keep]`: prints the drill report as one JSON line. */
import { parseArgs } from 'node:util';
import { runCrashDrills } from './crash-drill.js';

const { values } = parseArgs({
  options: {
    drills: { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    verbose: { type: 'boolean' },
    keep: { type: 'boolean' },
  },
});
const report = await runCrashDrills({
  drills: Number(values.drills),
  seed: Number(values.seed),
  keepDir: values.keep === true,
  log: values.verbose === true ? (l) => process.stderr.write(`${l}\n`) : undefined,
});
const { drills, lostRows, duplicateOrders, duplicateFills, restoredHalts } = report;
process.stderr.write(`${JSON.stringify(report)}\n`);
process.stdout.write(`${JSON.stringify({ drills, lostRows, duplicateOrders, duplicateFills, restoredHalts })}\n`);
process.exitCode =
  lostRows + duplicateOrders + duplicateFills + report.lostHalts + report.counterMismatches + report.integrityFailures === 0 ? 0 : 1;
