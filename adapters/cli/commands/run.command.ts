import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { createHarvester } from '../../../core/di/container.js';
import { formatMoney, toPrice } from '../../../core/domain/units.js';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { WallClock } from '../../system-clock/wall-clock.js';
import { loadResolvedConfig } from '../load.js';
import { DB_URL_HELP, withDbUrl } from '../open-store.js';
import { createLogFactory } from '../logger.js';
import { checkLiveArming } from '../../../core/risk/live-arming.js';
import { startControlServer, type ControlServer } from '../control-socket.js';
import { removePidFile, sessionLiveness, writePidFile } from '../session-pidfile.js';
import { startSessionAlerts } from '../../alerts/session-alerts.js';
import { installLastResort } from '../last-resort.js';
import { tapJournal } from '../../observe/tap-journal.js';
import type { JournalEntry } from '../../../ports/journal.js';
import { SessionNarrator } from '../session-narrator.js';
import { FeedRecorder } from '../../recorder/feed-recorder.js';
import { warnAboutWindow } from '../window-warning.js';
import { SessionFeed } from '../../dashboard/session-feed.js';
import { SessionView } from '../../dashboard/session-view.js';
import type { DashboardServer } from '../../dashboard/dashboard-server.js';
import type { SessionMetrics } from '../../metrics/session-metrics.js';

/** Exit code of a session ended early by an orderly stop (SIGINT/SIGTERM), as shells report an interrupted command. */
export const EXIT_STOPPED = 130;
/** Exit code when a second signal forces the process out before the orderly stop finished. */
export const EXIT_FORCED = 137;

const HARVESTER_BIN = fileURLToPath(new URL('../../../bin/harvester.js', import.meta.url));
import { launchArmFlag, launchEnv } from '../launch-env.js';
import { describeRiskFloor } from '../../../core/risk/describe-risk.js';

interface RunOptions {
  config?: string;
  json?: boolean;
  armLive?: boolean;
  logLevel: string;
  /** `--dashboard [port]`: true for a free port. */
  dashboard?: string | boolean;
  /** Finish with exit 0 even when the recording had damaged blocks (they are still reported). */
  tolerateCorrupt?: boolean;
  /** `--record FILE`: record the feed as the session sees it. */
  record?: string;
  /** Seconds between the one-line status outside replay (0: none). */
  statusEvery: string;
  /** `--metrics [port]`: Prometheus endpoint; true for a free port. */
  metrics?: string | boolean;
  dbUrl?: string;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the configured session (default: a generated day, replay feed, simulated broker, SQLite journal)')
    .option('-c, --config <file>', 'config file', 'harvester.config.ts')
    .option('--json', 'print one JSON summary object as the last line of stdout')
    .option('--arm-live', 'allow mode "live" (also needs live.armed in config and a matching account)')
    .option('--log-level <level>', 'log level on stderr (debug, info, warn, error)', 'warn')
    .option('--tolerate-corrupt', 'exit 0 even if the recording had damaged blocks (they are skipped and reported either way)')
    .option('--record <file>', 'record the market data the session sees into a Harvester recording (one file a symbol)')
    .option('--status-every <sec>', 'outside replay, print a one-line status this often (0: never)', '60')
    .option('--metrics [port]', 'serve Prometheus metrics on 127.0.0.1:PORT/metrics (a free port unless given; the URL goes to stderr)')
    .option(
      '--dashboard [port]',
      'serve the live dashboard on 127.0.0.1 (a free port unless given); its address with the token goes to <dataDir>/dashboard.url',
    )
    .option('--db-url <url>', DB_URL_HELP)
    .action(async (opts: RunOptions) => {
      process.exitCode = await runSession(opts);
    });
}

/**
 * Orderly stop: the first SIGINT/SIGTERM ends the session through the engine's stop path (no new entries, working
 * entries cancelled, protection kept or flattened per onShutdown, everything journaled, status 'stopped', exit 130);
 * a second one forces the exit (137: the session then stays 'running' and shows as crashed).
 */
export async function runSession(opts: RunOptions): Promise<number> {
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`harvester: ${signal}: stopping in order (a second signal forces the exit)\n`);
      stop.abort(signal);
      return;
    }
    process.stderr.write(`harvester: ${signal} again: forced exit, the session is left as it is\n`);
    process.exit(EXIT_FORCED);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runUntil(opts, stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function runUntil(opts: RunOptions, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  const loaded = await loadResolvedConfig(opts.config);
  const configPath = loaded.path;
  const resolved = withDbUrl(loaded.resolved, opts.dbUrl);
  // Live never happens by accident: refused here, before anything connects or any file is written; the engine checks
  // again before it connects (and journals a refusal), and checks the account once connected. The flag and the env
  // are the ones captured at process start, before the config file (which is code) ran.
  const armFlag = Boolean(opts.armLive) && launchArmFlag;
  const arming = checkLiveArming({
    mode: resolved.root.mode,
    configArmed: resolved.root.live.armed,
    armFlag,
    armEnv: launchEnv.HARVESTER_ARM_LIVE,
    configuredAccount: resolved.accountId,
    venues: resolved.venues,
  });
  if (!arming.ok) {
    process.stderr.write(`harvester: refusing to start: ${arming.code}: ${arming.message}\n`);
    return 3;
  }
  for (const line of describeRiskFloor(resolved.riskFloor)) process.stderr.write(`harvester: ${line}\n`);
  const wall = new Date();
  const sessionId = `${wall.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
  const logFactory = createLogFactory(opts.logLevel, resolved.secrets);
  let clockNow = (): number => 0;
  let view: SessionView | null = null;
  const alerts = startSessionAlerts({
    config: resolved.alerts,
    sessionId,
    dataDir: resolved.root.dataDir,
    clockNow: () => clockNow(),
    watch: resolved.root.mode === 'replay' ? null : { bin: HARVESTER_BIN, configFile: configPath },
    onRecord: (r) => view?.noteAlert(r),
  });
  const narrator = new SessionNarrator(logFactory('session'), {
    timeZone: resolved.root.session.timeZone,
    mode: resolved.root.mode,
    statusEverySec: Number(opts.statusEvery ?? 60),
    print: (line) => {
      process.stderr.write(`${line}\n`);
    },
  });
  warnAboutWindow(resolved, (line) => process.stderr.write(`${line}\n`));
  // Damaged input must not pass for a clean day: every skipped block or line is counted here and reported at the end.
  const damaged: { source: string; offset: number; reason: string }[] = [];
  const countDamage = (_s: string, e: JournalEntry): void => {
    if (e.type === 'feed.malformed') damaged.push(e.data as { source: string; offset: number; reason: string });
  };
  const watched = opts.dashboard !== undefined || opts.metrics !== undefined;
  const feed = watched ? new SessionFeed() : null;
  let metrics: SessionMetrics | null = null;
  const runtime = await createHarvester(resolved, {
    liveness: sessionLiveness(resolved.root.dataDir),
    wrapJournal: (j) =>
      tapJournal(
        j,
        feed === null
          ? [alerts.onRow, narrator.onRow, countDamage]
          : [alerts.onRow, narrator.onRow, countDamage, feed.onRow, (s, e) => metrics?.onRow(s, e)],
      ),
    sessionId,
    wallStartedAt: wall.toISOString(),
    clock: resolved.root.mode === 'replay' ? undefined : new WallClock(),
    log: logFactory,
    env: launchEnv,
    armLive: armFlag,
  });
  clockNow = () => runtime.clock.now();
  // From here the heartbeat beats; the start-up above (a generated day is made synchronously) ran under the start-up bound.
  alerts.running();
  // Which process runs the session: a session left 'running' whose process is gone shows as crashed.
  writePidFile(resolved.root.dataDir, sessionId);
  narrator.start(runtime);
  const recorder =
    opts.record === undefined
      ? null
      : new FeedRecorder(runtime.feed, {
          file: opts.record,
          symbols: resolved.root.instruments.map((i) => i.symbol),
          date: resolved.root.session.date,
          timeZone: resolved.root.session.timeZone,
          tick: (symbol) => toPrice(resolved.root.instruments.find((i) => i.symbol === symbol)?.tick ?? 0.01),
          meta: { sessionId, mode: resolved.root.mode },
        });
  const disarmLastResort = installLastResort({
    journal: runtime.engine.journalWriter,
    close: async () => {
      await runtime.close();
      await alerts.close('crashed');
    },
    secrets: resolved.secrets,
  });
  // Operator controls (pause, flatten, halt, clear…) for sessions that run in wall time; loopback only.
  let control: ControlServer | null = null;
  let dashboard: DashboardServer | null = null;
  let metricsServer: { url: string; close(): Promise<void> } | null = null;
  let endStatus = 'failed';
  // An operator command is answered once its rows are durable: a HALT acknowledged must survive a crash right after.
  const applyDurably = async (
    cmd: Parameters<typeof runtime.engine.controls.apply>[0],
  ): ReturnType<typeof runtime.engine.controls.apply> => {
    const result = await runtime.engine.controls.apply(cmd);
    await runtime.engine.flushJournal();
    return result;
  };
  if (resolved.root.mode !== 'replay' || opts.dashboard !== undefined) {
    control = await startControlServer({
      dataDir: resolved.root.dataDir,
      handler: { handle: applyDurably },
    });
  }
  if (feed !== null) view = new SessionView(runtime, resolved, sessionId, feed);
  if (view !== null && opts.metrics !== undefined) {
    // Loaded when asked for (prom-client, fastify and ws): every other command and session skips their load time
    // (docs/operations.md#cli-start-up).
    const [{ SessionMetrics }, { startMetricsServer }] = await Promise.all([
      import('../../metrics/session-metrics.js'),
      import('../../metrics/metrics-server.js'),
    ]);
    metrics = new SessionMetrics(view, sessionId, resolved.root.mode);
    metricsServer = await startMetricsServer(metrics.registry, typeof opts.metrics === 'string' ? Number(opts.metrics) : 0);
    process.stderr.write(`harvester: metrics on ${metricsServer.url}\n`);
  }
  if (view !== null && opts.dashboard !== undefined && control !== null) {
    const { startDashboard } = await import('../../dashboard/dashboard-server.js');
    dashboard = await startDashboard({
      port: typeof opts.dashboard === 'string' ? Number(opts.dashboard) : 0,
      token: control.token,
      view,
      apply: applyDurably,
    });
    // The URL with the token goes to a 0600 file, not to stderr, which logs and CI capture.
    const urlFile = path.resolve(resolved.root.dataDir, 'dashboard.url');
    // Written whole or not at all (temp file, then rename): a reader that sees the file never reads half an address,
    // which the dashboard spec once did in CI ("Invalid URL" on an empty read).
    const tmpUrl = `${urlFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmpUrl, `${dashboard.url}?token=${control.token}\n`, { mode: 0o600 });
    fs.chmodSync(tmpUrl, 0o600);
    fs.renameSync(tmpUrl, urlFile);
    process.stderr.write(`harvester: dashboard on ${dashboard.url} — open the address in ${urlFile} (it carries the session token)\n`);
  }
  const bar =
    !opts.json && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: 'replay {bar} {value} events | {time}', stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : null;
  bar?.start(0, 0, { time: '' });
  try {
    const result = await runtime.engine.run({
      signal,
      progressEvery: 50_000,
      onProgress: (events, time) => {
        bar?.setTotal(events);
        bar?.update(events, { time: new Date(time / 1000).toISOString().slice(11, 19) + 'Z' });
      },
    });
    bar?.stop();
    const elapsedMs = Math.round(performance.now() - started);
    const summary = {
      sessionId: result.sessionId,
      mode: resolved.root.mode,
      strategy: resolved.strategies.map((s) => s.manifest.id).join(','),
      learner: resolved.learner.manifest.id,
      events: result.events,
      orders: result.orders,
      fills: result.fills,
      trades: result.trades,
      netPnl: Number(formatMoney(result.netPnl)),
      riskState: result.riskState,
      status: result.status,
      elapsedMs,
      eventsPerSec: Math.round(result.events / Math.max(elapsedMs / 1000, 1e-3)),
      journalSha256: result.journalSha256,
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      process.stdout.write(
        [
          `Harvester session ${summary.sessionId} (${summary.mode}, strategy ${summary.strategy}, learner ${summary.learner})`,
          `  events ${summary.events}  orders ${summary.orders}  fills ${summary.fills}  trades ${summary.trades}`,
          `  net PnL $${formatMoney(result.netPnl)}  risk state ${summary.riskState}  status ${summary.status}`,
          `  ${summary.elapsedMs} ms, ${summary.eventsPerSec} events/s`,
          `  journal sha256 ${summary.journalSha256}`,
          '',
        ].join('\n'),
      );
    }
    endStatus = result.status;
    if (damaged.length > 0) {
      process.stderr.write(
        `harvester: the market data was damaged: ${damaged.length} block(s) or row(s) skipped\n${damaged
          .slice(0, 10)
          .map((d) => `  ${d.source} @${d.offset}: ${d.reason}`)
          .join('\n')}\n`,
      );
      if (!opts.tolerateCorrupt && result.status !== 'failed') {
        process.stderr.write('harvester: exiting 4 (pass --tolerate-corrupt to accept a damaged recording)\n');
        return 4;
      }
    }
    return result.status === 'failed' ? 1 : result.status === 'stopped' ? EXIT_STOPPED : 0;
  } finally {
    disarmLastResort();
    bar?.stop();
    narrator.stop();
    for (const r of recorder?.close() ?? []) process.stderr.write(`harvester: recorded ${r.events} events to ${r.file}\n`);
    await metricsServer?.close();
    if (dashboard !== null) {
      await dashboard.close();
      fs.rmSync(path.resolve(resolved.root.dataDir, 'dashboard.url'), { force: true });
    }
    await control?.close();
    await runtime.close();
    await alerts.close(endStatus);
    removePidFile(resolved.root.dataDir, sessionId);
  }
}

export { HarvesterError };
