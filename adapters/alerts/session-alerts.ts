import { spawn } from 'node:child_process';
import path from 'node:path';
import type { AlertsConfig } from '../../core/config/alerts-schema.js';
import type { RowListener } from '../observe/tap-journal.js';
import type { Alert } from './alert.js';
import { AlertDispatcher, type OutboxRecord } from './alert-dispatcher.js';
import { AlertRules, type RaisedAlert } from './alert-rules.js';
import { buildChannels } from './build-channels.js';
import { HeartbeatWriter, heartbeatFile } from './dead-man.js';

export interface SessionAlertsOptions {
  config: AlertsConfig;
  sessionId: string;
  dataDir: string;
  /** The session's Clock, for alerts raised by the timer. */
  clockNow: () => number;
  /** Start the dead-man watcher process (off for replays, which have no wall-time life to watch). */
  watch: { bin: string; configFile: string } | null;
  onRecord?: (r: OutboxRecord) => void;
}

export interface SessionAlerts {
  /** Feeds journal rows to the alert rules (see tapJournal). */
  onRow: RowListener;
  /** Raise an alert from outside the journal stream (e.g. the last-resort handler). */
  raise(a: RaisedAlert): void;
  /**
   * The session is up (its runtime exists): the heartbeat goes from `starting`, judged by the start-up bound, to
   * beating. Until then a long synchronous start-up step is not reported as a frozen loop.
   */
  running(): void;
  close(status: string): Promise<void>;
}

const NONE: SessionAlerts = { onRow: () => {}, raise: () => {}, running: () => {}, close: async () => {} };

/**
 * Alerting for one session: rules over the journal stream, a dispatcher with a durable outbox, a timer for conditions
 * that need time to pass, and — outside replay — the dead-man's switch: a heartbeat file and a detached watcher
 * process that outlives this one, so a `kill -9` or a frozen loop is still reported (docs/alerts.md).
 */
export function startSessionAlerts(o: SessionAlertsOptions): SessionAlerts {
  const channels = buildChannels(o.config);
  if (channels.length === 0) return NONE;
  const dispatcher = new AlertDispatcher(channels, o.config, path.resolve(o.dataDir, 'alerts', `${o.sessionId}.jsonl`), o.onRecord);
  const rules = new AlertRules(o.config);
  const raise = (a: RaisedAlert): void => dispatcher.raise({ ...a, sessionId: o.sessionId, raisedWallMs: Date.now() } satisfies Alert);
  const timer = setInterval(() => {
    for (const a of rules.tick(Date.now(), o.clockNow())) raise(a);
  }, 1_000);
  timer.unref();
  let heartbeat: HeartbeatWriter | null = null;
  if (o.watch !== null && o.config.deadMan.enabled) {
    const file = heartbeatFile(o.dataDir, o.sessionId);
    heartbeat = new HeartbeatWriter(file, {
      pid: process.pid,
      sessionId: o.sessionId,
      intervalMs: o.config.deadMan.intervalMs,
      missAfterMs: o.config.deadMan.missAfterMs,
      startupMs: o.config.deadMan.startupMs,
    });
    const child = spawn(process.execPath, [o.watch.bin, 'watch', '--heartbeat', file, '--config', o.watch.configFile], {
      detached: true,
      stdio: 'ignore',
      env: process.env,
    });
    child.unref();
  }
  const sessionLevel = rules.level('session');
  if (sessionLevel !== 'off')
    raise({ type: 'session', level: sessionLevel, key: 'started', title: `Session ${o.sessionId} started`, detail: '', at: o.clockNow() });
  return {
    onRow: (_sessionId, entry) => {
      for (const a of rules.onRow(entry, Date.now())) raise(a);
    },
    raise,
    running: () => heartbeat?.running(),
    async close(status: string): Promise<void> {
      clearInterval(timer);
      heartbeat?.stop();
      if (sessionLevel !== 'off')
        raise({
          type: 'session',
          level: sessionLevel,
          key: `ended:${status}`,
          title: `Session ${o.sessionId} ended: ${status}`,
          detail: '',
          at: o.clockNow(),
        });
      await dispatcher.close();
    },
  };
}
