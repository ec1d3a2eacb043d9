import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  control,
  DRILL_ACCOUNT,
  JournalDb,
  kill9,
  readySession,
  startHarvester,
  startVenue,
  SYMBOL,
  until,
  writeConfig,
  writeRestingStrategy,
  type Child,
  type Venue,
} from './crash-drill/drill-harness.js';
import { runCrashDrills } from './crash-drill/crash-drill.js';
import { spawn } from 'node:child_process';

async function runCli(args: string[]): Promise<string> {
  const p = spawn(process.execPath, ['bin/harvester.js', ...args], {
    env: { ...process.env, HV_DRILL_ACCOUNT: DRILL_ACCOUNT },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out: string[] = [];
  p.stdout.on('data', (b: Buffer) => out.push(b.toString()));
  await new Promise((r) => p.on('exit', r));
  return out.join('');
}

/**
 * Restart recovery with real processes: `harvester run` (paper) as a child process on the @stoqey/ib client against
 * the fake TWS over loopback, a real SQLite journal, `kill -9` and SIGINT.
 */
describe('restart recovery against the fake TWS (child processes, kill -9, SIGINT)', function () {
  this.timeout(240_000);
  let dir: string;
  let venue: Venue;
  let children: Child[] = [];
  const db = (): JournalDb => new JournalDb(path.join(dir, 'journal.sqlite'));
  const start = (config: string): Child => {
    const c = startHarvester(config);
    children.push(c);
    return c;
  };
  const deskOrders = () => [...venue.server.desk.orders.values()];
  const position = (): number =>
    [...venue.server.desk.positions.values()].filter((p) => p.contract.symbol === SYMBOL).reduce((n, p) => n + p.qty, 0);

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-restart-'));
    venue = await startVenue(dir, { seed: 11, minutes: 240, speed: 4 });
  });
  afterEach(async () => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) await kill9(c);
    children = [];
    await venue.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SIGINT: the working entry is cancelled at the fake TWS, the journal is complete, the session is stopped (exit 130)', async () => {
    const strategy = writeRestingStrategy(dir);
    const config = writeConfig(dir, {
      port: venue.port,
      clientId: 61,
      strategies: `[{ use: ${JSON.stringify(strategy)}, params: { symbol: '${SYMBOL}' } }]`,
    });
    const child = start(config);
    await readySession(path.join(dir, 'journal.sqlite'), new Set(), child);
    const entry = await until(
      'a resting entry at the fake',
      () => deskOrders().find((o) => o.placed.orderRef.endsWith('-i1.p') && o.status === 'Submitted'),
      60_000,
    );
    child.proc.kill('SIGINT');
    const exit = await child.exited;
    expect(exit.code, child.err.join('')).to.equal(130);
    const summary = JSON.parse(child.out.join('').trim().split('\n').pop()!) as { status: string };
    expect(summary.status).to.equal('stopped');
    expect(entry.status, 'entry cancelled at the venue').to.equal('Cancelled');
    for (const leg of deskOrders().filter((o) => o.placed.parentId === entry.orderId)) expect(leg.status).to.equal('Cancelled');
    const j = db();
    try {
      const [s] = j.sessions();
      expect(s!.status).to.equal('stopped');
      const orders = j.rows('hv_orders');
      for (const o of deskOrders()) {
        const coid = o.placed.orderRef.split(':')[2]!;
        expect(
          orders.some((r) => r.type === 'order.requested' && r.coid === coid),
          `${coid} requested`,
        ).to.equal(true);
        expect(
          orders.some((r) => r.type === 'order.cancelled' && r.coid === coid),
          `${coid} cancelled`,
        ).to.equal(true);
      }
      expect(j.rows('hv_risk_events').map((r) => r.type)).to.include.members(['session.stopping', 'stop.cancel-entries']);
      expect(j.rows('hv_checkpoints').length).to.be.at.least(3);
    } finally {
      j.close();
    }
  });

  it('control halt → kill -9 → restart: HALT with its reason; kill -9 again → restart: still HALT', async () => {
    const config = writeConfig(dir, { port: venue.port, clientId: 62 });
    const file = path.join(dir, 'journal.sqlite');
    const seen = new Set<string>();
    let child = start(config);
    const first = await readySession(file, seen, child);
    const halted = await control(dir, 'halt', 'spec: stop the day');
    expect(halted.ok && halted.state).to.equal('HALT');
    await new Promise((r) => setTimeout(r, 1_000));
    await kill9(child);
    seen.add(first);
    for (const round of [1, 2]) {
      child = start(config);
      const next = await readySession(file, seen, child);
      const status = await control(dir, 'status');
      expect(status.state, `round ${round}`).to.equal('HALT');
      const j = db();
      try {
        const change = j
          .rows('hv_risk_events', "session_id = ? AND type = 'risk.state-changed'", next)
          .map((r) => JSON.parse(r.data) as { to: string; by: string; reason: { code: string; message: string } })[0];
        expect(change).to.deep.include({ to: 'HALT', by: 'restart' });
        expect(change!.reason.code).to.equal('RISK.CARRIED_OVER');
        // The root cause and the session that raised it, however many restarts later.
        expect(change!.reason.message).to.contain(first).and.to.contain('RISK.HALTED').and.to.contain('spec: stop the day');
        expect(j.rows('hv_events', "session_id = ? AND type = 'session.crashed'", next).length).to.equal(round);
      } finally {
        j.close();
      }
      await kill9(child); // immediately: the restarted session may die before it wrote anything of its own
      seen.add(next);
    }
    // `harvester sessions` names the three dead processes' sessions as crashed, with their last durable row.
    const list = await runCli(['sessions', '--config', config]);
    const crashed = list.split('\n').filter((l) => /\bcrashed\b/.test(l) && /last durable row \d{4}-\d{2}-\d{2}T/.test(l));
    expect(crashed.map((l) => l.split(' ')[0]).sort()).to.deep.equal([...seen].sort());
  });

  it('crash with a position and its bracket open → restart → control flatten: position closed, adopted legs cancelled, no ORDER.DUPLICATE_ID', async () => {
    const config = writeConfig(dir, { port: venue.port, clientId: 63, maxHoldSeconds: 3_600 });
    const file = path.join(dir, 'journal.sqlite');
    let child = start(config);
    const first = await readySession(file, new Set(), child);
    const parent = await until(
      'a filled entry with its bracket working',
      () =>
        deskOrders().find(
          (o) =>
            o.placed.orderRef.endsWith('.p') &&
            o.status === 'Filled' &&
            deskOrders().filter((c) => c.placed.parentId === o.orderId && c.status === 'Submitted').length === 2,
        ),
      90_000,
    );
    const legs = deskOrders().filter((c) => c.placed.parentId === parent.orderId);
    expect(position()).to.equal(10);
    await kill9(child);
    child = start(config);
    const second = await readySession(file, new Set([first]), child);
    // Inherited with its working stop: kept (adoptedPositions 'protect'), legs still working at the venue.
    expect(legs.map((l) => l.status)).to.deep.equal(['Submitted', 'Submitted']);
    const status = await control(dir, 'status');
    const held = ((status as { detail?: { positions?: { symbol: string; quantity: number }[] } }).detail?.positions ?? []).map((p) => [
      p.symbol,
      p.quantity,
    ]);
    expect(held, 'the restarted kernel knows the inherited position').to.deep.equal([[SYMBOL, 10]]);
    expect((await control(dir, 'pause')).ok).to.equal(true); // no new entry muddles the venue's position
    expect((await control(dir, 'flatten', 'spec: close the inherited position')).ok).to.equal(true);
    await until('the venue flat with both legs cancelled', () => position() === 0 && legs.every((l) => l.status === 'Cancelled'), 30_000);
    child.proc.kill('SIGINT');
    expect((await child.exited).code).to.equal(130);
    const j = db();
    try {
      const flatten = j
        .rows('hv_risk_events', "session_id = ? AND type = 'flatten.all'", second)
        .map((r) => JSON.parse(r.data) as { positions: number; cancelled: number });
      // The legs stay until the position is flat (every open share protected), then are cancelled: checked at the venue above.
      expect(flatten[0]).to.deep.include({ positions: 1 });
      expect(
        j.rows('hv_orders', "session_id = ? AND type = 'order.rejected'", second).filter((r) => r.data.includes('DUPLICATE_ID')),
      ).to.deep.equal([]);
    } finally {
      j.close();
    }
  });
});

describe('crash drill (npm run drill:crash; a small count here)', function () {
  this.timeout(300_000);

  it('kill -9 at seeded moments: nothing lost, nothing placed or filled twice, halts restored, integrity ok', async () => {
    const r = await runCrashDrills({ drills: 3, seed: 5, haltShare: 0.5 });
    expect(r.drills).to.equal(3);
    expect({
      lost: r.lostRows,
      orders: r.duplicateOrders,
      fills: r.duplicateFills,
      halts: r.lostHalts,
      counters: r.counterMismatches,
      integrity: r.integrityFailures,
    }).to.deep.equal({ lost: 0, orders: 0, fills: 0, halts: 0, counters: 0, integrity: 0 });
    expect(r.finalStop).to.deep.equal({ exitCode: 130, status: 'stopped' });
  });
});

describe('orderly stop of a replay (SIGINT ends the run early with a partial summary)', function () {
  this.timeout(240_000);

  it('exit 130, status stopped in the summary and in the journal, positions flattened (replay default)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-replay-stop-'));
    try {
      const p = spawn(process.execPath, ['bin/harvester.js', 'run', '--json', '--config', 'test/fixtures/configs/e2e.config.ts'], {
        env: { ...process.env, HV_TEST_DIR: dir, HV_TEST_END: '15:30' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: string[] = [];
      const err: string[] = [];
      p.stdout.on('data', (b: Buffer) => out.push(b.toString()));
      p.stderr.on('data', (b: Buffer) => err.push(b.toString()));
      const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
      const file = path.join(dir, 'harvester.sqlite');
      // Once the session row exists the replay is under way (the day takes far longer to play than this wait).
      await until(
        'the replay session row',
        () => {
          if (!fs.existsSync(file)) return false;
          const d = new JournalDb(file);
          try {
            return d.sessions().length > 0;
          } finally {
            d.close();
          }
        },
        120_000,
        50,
      );
      await new Promise((r) => setTimeout(r, 300));
      p.kill('SIGINT');
      expect(await exited, err.join('')).to.equal(130);
      const summary = JSON.parse(out.join('').trim().split('\n').pop()!) as { status: string; events: number };
      expect(summary.status).to.equal('stopped');
      expect(summary.events).to.be.greaterThan(0);
      const j = new JournalDb(file);
      try {
        expect(j.sessions()[0]!.status).to.equal('stopped');
        const rows = j.rows('hv_risk_events').map((r) => r.type);
        expect(rows).to.include('session.stopping');
        expect(rows, 'replay default: flatten on stop').to.include('flatten.all');
      } finally {
        j.close();
      }
      expect(err.join('')).to.match(/SIGINT: stopping in order/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
