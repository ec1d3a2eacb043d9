/**
 * Real processes for restart drills: a fake TWS on loopback (in this process, so its order desk can be inspected)
 * playing a generated recording through the simulated broker, and `harvester run` as a child process (paper mode,
 * the unmodified @stoqey/ib client over TCP) on a real SQLite file, which the drill reads with better-sqlite3.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Sfc32 } from '../../../core/domain/random.js';
import { generateSession } from '../../../adapters/replay/generator/market-generator.js';
import { recordingEvents } from '../../../adapters/replay/recording/recording-events.js';
import { RecordingWriter } from '../../../adapters/replay/recording/recording-writer.js';
import { IBKR_FIXED } from '../../../adapters/simulated/commission-model.js';
import { SimulatedBroker } from '../../../adapters/simulated/simulated-broker.adapter.js';
import { WallClock } from '../../../adapters/system-clock/wall-clock.js';
import { sendControlCommand } from '../../../adapters/cli/control-socket.js';
import { BrokerBackedMatcher, FakeMarketView, FakeTwsServer, iterableMarket, wallClock } from '../../../adapters/fake-tws/index.js';
import { sessionAround } from '../../../core/config/session-window.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DRILL_ACCOUNT = 'DU0000001';
export const SYMBOL = 'HRVST';

export interface Venue {
  server: FakeTwsServer;
  port: number;
  stop(): Promise<void>;
}

/** The fake TWS as `harvester fake-tws --recording` runs it, on a freshly generated recording of `minutes`. */
export async function startVenue(dir: string, o: { seed: number; minutes: number; speed: number }): Promise<Venue> {
  const file = path.join(dir, 'day.hrec');
  const w = RecordingWriter.open(file, {
    symbol: SYMBOL,
    date: '2024-03-14',
    tick: 100,
    timeZone: 'America/New_York',
    source: 'drill',
    createdBy: 'crash-drill',
  });
  generateSession(
    {
      seed: o.seed,
      symbol: SYMBOL,
      date: '2024-03-14',
      timeZone: 'America/New_York',
      start: '09:30',
      minutes: o.minutes,
      tick: 100,
      startPrice: 325_000,
    },
    (e) => w.write(e),
  );
  w.close();
  const view = new FakeMarketView();
  const venue = new SimulatedBroker({
    clock: new WallClock(),
    market: view,
    random: new Sfc32(o.seed),
    latencyUs: 0,
    jitterUs: 0,
    commission: IBKR_FIXED,
    queueModel: 'tail',
    startEquity: 1_000_000 * 10_000,
    account: DRILL_ACCOUNT,
    execPrefix: 'fake',
  });
  await venue.connect();
  const server = await FakeTwsServer.start({
    port: 0,
    host: '127.0.0.1',
    accounts: [DRILL_ACCOUNT],
    seed: o.seed,
    speed: o.speed,
    clock: wallClock,
    market: iterableMarket(() => recordingEvents(file)),
    marketStart: 'immediate',
    matcher: new BrokerBackedMatcher(venue, view),
  });
  return {
    server,
    port: server.port,
    stop: async () => {
      await server.stop();
      await venue.dispose();
    },
  };
}

export interface DrillConfig {
  port: number;
  clientId: number;
  /** Strategy knobs: a long hold keeps a position (and its bracket) open across a crash. */
  maxHoldSeconds?: number;
  minImbalance?: number;
  cooldownSeconds?: number;
  extra?: string;
  /** Replaces the strategies list (a plugin path, say). */
  strategies?: string;
}

/** A paper config around "now" (paper runs on the wall clock), journaling to `<dir>/journal.sqlite`. */
export function writeConfig(dir: string, c: DrillConfig): string {
  const file = path.join(dir, 'drill.config.ts');
  fs.writeFileSync(
    file,
    `export default ({
  mode: 'paper',
  seed: 7,
  session: ${JSON.stringify(sessionAround(Date.now(), 2, 90))},
  account: { id: { $env: 'HV_DRILL_ACCOUNT' }, startEquity: 100000 },
  marketData: { use: 'tws', params: { port: ${c.port}, clientId: ${c.clientId} } },
  broker: { use: 'tws', params: { port: ${c.port}, clientId: ${c.clientId} } },
  store: { use: 'typeorm', params: { file: ${JSON.stringify(path.join(dir, 'journal.sqlite'))} } },
  instruments: [{ symbol: '${SYMBOL}', tick: 0.01 }],
  // Paper gets the risk floor; the drill trades far more often than a real day, so its trade limits are loosened
  // (paper accepts and reports that).
  risk: [
    { use: 'max-position', action: 'reject', params: { maxShares: 1000 } },
    { use: 'max-trades-day', action: 'reject', params: { max: 100000 } },
    { use: 'consecutive-losses', action: 'halt', params: { max: 100000 } },
  ],
  strategies: ${c.strategies ?? `[{ use: 'example-imbalance-tick', params: { symbol: '${SYMBOL}', minImbalance: ${c.minImbalance ?? 0.2}, cooldownSeconds: ${c.cooldownSeconds ?? 1}, maxHoldSeconds: ${c.maxHoldSeconds ?? 3}, quantity: 10, stopTicks: 30, targetTicks: 30 } }]`},
  dataDir: ${JSON.stringify(path.join(dir, 'var'))},
  ${c.extra ?? ''}
});
`,
  );
  return file;
}

export interface Child {
  proc: ChildProcess;
  out: string[];
  err: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startHarvester(config: string, args: string[] = [], env: Record<string, string> = {}): Child {
  const proc = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/harvester.js'), 'run', '--config', config, '--json', '--log-level', 'info', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, HV_DRILL_ACCOUNT: DRILL_ACCOUNT, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out: string[] = [];
  const err: string[] = [];
  proc.stdout!.on('data', (b: Buffer) => out.push(b.toString()));
  proc.stderr!.on('data', (b: Buffer) => err.push(b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, out, err, exited };
}

export async function kill9(c: Child): Promise<void> {
  c.proc.kill('SIGKILL');
  await c.exited;
}

export function control(dir: string, command: string, note?: string): ReturnType<typeof sendControlCommand> {
  return sendControlCommand({
    dataDir: path.join(dir, 'var'),
    command: { command, operatorId: 'drill', ...(note !== undefined ? { note } : {}) },
    timeoutMs: 10_000,
  });
}

export interface Row {
  session_id: string;
  ordinal: number;
  time: number;
  type: string;
  coid: string | null;
  data: string;
}

/** Read-only view of the child's journal (WAL: reads never block the writer). */
export class JournalDb {
  private readonly db: Database.Database;
  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
  }
  sessions(): { session_id: string; status: string; started_at: number; wall_started_at: string }[] {
    return this.db
      .prepare('SELECT session_id, status, started_at, wall_started_at FROM hv_sessions ORDER BY wall_started_at')
      .all() as never;
  }
  rows(table: string, where = '1=1', ...params: unknown[]): Row[] {
    return this.db
      .prepare(`SELECT session_id, ordinal, time, type, coid, data FROM ${table} WHERE ${where} ORDER BY session_id, ordinal`)
      .all(...params) as Row[];
  }
  integrity(): string {
    return (this.db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
  }
  close(): void {
    this.db.close();
  }
}

/** Thrown by a probe to stop waiting at once (the child died). */
export class GiveUp extends Error {}

export async function until<T>(
  what: string | (() => string),
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let v: T | undefined | null | false;
    try {
      v = await probe();
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      v = undefined;
    }
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The newest session id in the journal other than `not`, once its `session.ready` row (restore + reconciliation done) is durable. */
export async function readySession(file: string, not: ReadonlySet<string>, child: Child, timeoutMs = 90_000): Promise<string> {
  return until(
    () => `a restored and reconciled session (stderr: ${child.err.join('').slice(-800)})`,
    () => {
      if (child.proc.exitCode !== null) throw new GiveUp(`harvester exited ${child.proc.exitCode}: ${child.err.join('').slice(-800)}`);
      if (!fs.existsSync(file)) return undefined;
      const db = new JournalDb(file);
      try {
        const s = db
          .sessions()
          .reverse()
          .find((x) => !not.has(x.session_id));
        if (s === undefined) return undefined;
        // Durable once its restore and the broker's reconciliation have both completed (the engine flushes it).
        return db.rows('hv_events', "session_id = ? AND type = 'session.ready'", s.session_id).length > 0 ? s.session_id : undefined;
      } finally {
        db.close();
      }
    },
    timeoutMs,
  );
}

/** A strategy plugin file that rests one bracket entry far below the bid and never fills it (SIGINT spec). */
export function writeRestingStrategy(dir: string): string {
  const file = path.join(dir, 'resting.strategy.ts');
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  fs.writeFileSync(
    file,
    `import { defineStrategy, z } from ${JSON.stringify(path.join(ROOT, 'plugins/sdk/index.ts'))};
export default defineStrategy({
  id: 'resting', apiVersion: 1, paramsSchema: z.object({ symbol: z.string() }),
  create: (ctx) => {
    let sent = false;
    return {
      id: ctx.strategyId,
      subscriptions: () => [{ symbol: ctx.params.symbol, streams: ['depth', 'tape'], levels: 10 }],
      onBook: (book) => {
        if (sent || book.bestBid === 0) return;
        const limitPrice = book.bestBid - 5_000;
        sent = ctx.submit({ symbol: ctx.params.symbol, kind: 'entry', side: 'buy', type: 'limit', quantity: 10, limitPrice, stopLoss: limitPrice - 2_000, takeProfit: limitPrice + 9_000, reason: 'rest' }).status === 'sent';
      },
    };
  },
});
`,
  );
  return file;
}
