/**
 * `node --import tsx bench/canonical-json.ts <journal.sqlite>`: ns per row for canonicalJson and its sorted-copy
 * reference on the rows of a real journal (e.g. a tick-to-order run kept with HV_KEEP=1), after checking they agree.
 * Rows read back from a journal have sorted keys already, so this is canonicalJson's best case; rows the engine
 * builds are measured by a CPU profile of a run (bench/RESULTS.md).
 */
import Database from 'better-sqlite3';
import { canonicalJson, canonicalJsonReference } from '../core/domain/canonical-json.js';

const db = new Database(process.argv[2]!, { readonly: true });
const rows: unknown[] = [];
for (const t of ['hv_orders', 'hv_risk_events', 'hv_events', 'hv_decisions']) {
  for (const r of db.prepare(`select data from ${t}`).all() as { data: string }[]) rows.push(JSON.parse(r.data));
}
for (const r of rows) if (canonicalJson(r) !== canonicalJsonReference(r)) throw new Error(`differs: ${JSON.stringify(r)}`);
const time = (f: (v: unknown) => string): number => {
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  for (let k = 0; k < 200; k++) for (const r of rows) bytes += f(r).length;
  if (bytes === 0) throw new Error('no rows');
  return Math.round(Number(process.hrtime.bigint() - t0) / (200 * rows.length));
};
for (let round = 0; round < 3; round++) {
  console.log(
    `rows ${rows.length}: reference ${time(canonicalJsonReference)} ns/row, canonicalJson ${time(canonicalJson)} ns/row, JSON.stringify ${time((v) => JSON.stringify(v))} ns/row`,
  );
}
