/**
 * Crash drills: a paper session (a real `harvester run` child process) against the fake TWS over loopback is
 * `kill -9`ed at seeded random moments and restarted; after each restart has restored and reconciled, the journal is
 * checked against what the venue saw:
 * - lostRows: executions the venue reported before the kill that are not in the journal (after reconciliation);
 * - duplicateFills: executions journaled more than once;
 * - duplicateOrders: client order ids the venue saw placed more than once, plus ORDER.DUPLICATE_ID rejects;
 * - restoredHalts / lostHalts: an operator HALT before the kill must come back (RISK.CARRIED_OVER) after it;
 * - counterMismatches: trades closed today and the consecutive-loss streak, as the restarted session restored
 *   them, against the journal's own trade.closed rows;
 * - integrity: `PRAGMA integrity_check` of the SQLite file after every kill.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Sfc32 } from '../../../core/domain/random.js';
import { control, JournalDb, kill9, readySession, startHarvester, startVenue, until, writeConfig, type Child } from './drill-harness.js';

export interface DrillReport {
  drills: number;
  lostRows: number;
  duplicateOrders: number;
  duplicateFills: number;
  restoredHalts: number;
  lostHalts: number;
  counterMismatches: number;
  integrityFailures: number;
  executions: number;
  placements: number;
  finalStop: { exitCode: number | null; status: string } | null;
}

export interface DrillOptions {
  drills: number;
  seed: number;
  /** Random kill moment after the restarted session is ready, in ms. */
  minRunMs?: number;
  maxRunMs?: number;
  /** Share of drills that send `control halt` before the kill (the halt carry-over check). */
  haltShare?: number;
  log?: (line: string) => void;
  keepDir?: boolean;
}

const CLIENT_ID = 51;

export async function runCrashDrills(o: DrillOptions): Promise<DrillReport> {
  const log = o.log ?? (() => {});
  const rng = new Sfc32(o.seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-crash-drill-'));
  const venue = await startVenue(dir, { seed: o.seed, minutes: 240, speed: 4 });
  const config = writeConfig(dir, { port: venue.port, clientId: CLIENT_ID });
  const dbFile = path.join(dir, 'journal.sqlite');
  const report: DrillReport = {
    drills: 0,
    lostRows: 0,
    duplicateOrders: 0,
    duplicateFills: 0,
    restoredHalts: 0,
    lostHalts: 0,
    counterMismatches: 0,
    integrityFailures: 0,
    executions: 0,
    placements: 0,
    finalStop: null,
  };
  const seen = new Set<string>();
  let child: Child | null = startHarvester(config);
  try {
    let current = await readySession(dbFile, seen, child);
    for (let i = 0; i < o.drills; i++) {
      const minMs = o.minRunMs ?? 300;
      const maxMs = o.maxRunMs ?? 6_000;
      await sleep(minMs + Math.floor(rng.next() * (maxMs - minMs)));
      const halt = rng.next() < (o.haltShare ?? 0.25);
      if (halt) {
        const r = await control(dir, 'halt', `drill ${i}`);
        if (!r.ok || r.state !== 'HALT') throw new Error(`control halt refused: ${JSON.stringify(r)}`);
        await sleep(Math.floor(rng.next() * 500));
      }
      // What the venue has reported up to the kill (a fill after it is reported to the next process).
      const reported = venue.server.desk.executions.filter((x) => x.spec.clientId === CLIENT_ID);
      const execs = reported.map((x) => x.spec.execId);
      await kill9(child);
      child = null;
      seen.add(current);
      child = startHarvester(config);
      const next = await readySession(dbFile, seen, child);
      const db = new JournalDb(dbFile);
      try {
        if (db.integrity() !== 'ok') report.integrityFailures++;
        const counts = new Map<string, number>();
        for (const r of db.rows('hv_fills', "type = 'order.filled'")) {
          const id = (JSON.parse(r.data) as { execId: string }).execId;
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
        const missing = reported.filter((x) => !counts.has(x.spec.execId));
        const lost = missing.length;
        if (lost > 0) {
          const rec = db.rows('hv_events', "session_id = ? AND type = 'reconciliation.completed'", next).map((x) => x.data);
          log(
            `drill ${i}: missing ${JSON.stringify(missing.map((x) => ({ execId: x.spec.execId, orderRef: x.spec.orderRef, orderId: x.spec.orderId })))}; ` +
              `reconciliation ${rec.join(' | ')}`,
          );
        }
        const dupFills = [...counts.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
        const restored = db.rows('hv_events', "session_id = ? AND type = 'session.restored'", next)[0];
        const r =
          restored === undefined
            ? null
            : (JSON.parse(restored.data) as { killSwitch: { state: string }; tradesToday: number; consecutiveLosses: number });
        const closed = db
          .rows('hv_trades', "type = 'trade.closed' AND session_id <> ?", next)
          .map((t) => JSON.parse(t.data) as { netPnl: number });
        let streak = 0;
        for (const t of closed) streak = t.netPnl < 0 ? streak + 1 : 0;
        const restoredTrades = db.rows('hv_checkpoints', "session_id = ? AND type = 'checkpoint'", next)[0];
        const body =
          restoredTrades === undefined
            ? null
            : (JSON.parse(restoredTrades.data) as { tracker: { closedToday: number; consecutiveLosses: number } });
        if (body === null || body.tracker.closedToday !== closed.length || body.tracker.consecutiveLosses !== streak) {
          report.counterMismatches++;
          log(`drill ${i}: counters restored ${JSON.stringify(body?.tracker ?? null)} vs journal closed=${closed.length} streak=${streak}`);
        }
        const haltBack =
          r?.killSwitch.state === 'HALT' &&
          db
            .rows('hv_risk_events', "session_id = ? AND type = 'risk.state-changed'", next)
            .some((x) => (JSON.parse(x.data) as { to: string; reason: { code: string } }).reason.code === 'RISK.CARRIED_OVER');
        if (halt) {
          if (haltBack) report.restoredHalts++;
          else report.lostHalts++;
        }
        report.lostRows += lost;
        report.duplicateFills += dupFills;
        report.drills++;
        log(
          `drill ${i}: killed ${current} (${halt ? 'halted, ' : ''}${execs.length} executions so far) → ` +
            `${next}: lost ${lost}, duplicate fills ${dupFills}, kill switch ${r?.killSwitch.state ?? '?'}`,
        );
      } finally {
        db.close();
      }
      current = next;
      // A carried HALT stays until an operator clears it: clear it so the next drill trades again.
      if (halt) await until('clear', async () => (await control(dir, 'clear', 'drill: resume')).ok, 10_000).catch(() => {});
    }
    // The last session ends in order: SIGINT, status stopped.
    child.proc.kill('SIGINT');
    const exit = await child.exited;
    child = null;
    const db = new JournalDb(dbFile);
    try {
      report.finalStop = { exitCode: exit.code, status: db.sessions().find((s) => s.session_id === current)?.status ?? '?' };
      const rejects = db.rows('hv_orders', "type = 'order.rejected'").filter((r) => r.data.includes('ORDER.DUPLICATE_ID')).length;
      report.duplicateOrders += rejects;
    } finally {
      db.close();
    }
    // Placements per client order id at the venue (the orderRef carries the session tag, the coid after it).
    const byCoid = new Map<string, number>();
    for (const [ref, n] of venue.server.desk.placements) {
      const coid = ref.split(':').slice(2).join(':') || ref;
      byCoid.set(coid, (byCoid.get(coid) ?? 0) + n);
      report.placements += n;
    }
    report.duplicateOrders += [...byCoid.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    report.executions = venue.server.desk.executions.length;
    return report;
  } finally {
    if (child !== null) await kill9(child);
    await venue.stop();
    if (o.keepDir !== true) fs.rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
