import type { Command } from 'commander';
import fs from 'node:fs';
import { AlertDispatcher } from '../../alerts/alert-dispatcher.js';
import { buildChannels } from '../../alerts/build-channels.js';
import { judgeHeartbeat, pidAlive, readHeartbeat, watcherFile } from '../../alerts/dead-man.js';
import { loadResolvedConfig } from '../load.js';

/**
 * `harvester watch --heartbeat FILE`: the other half of the dead-man's switch, a separate process (started detached by
 * `run` when alerts are configured) that reads the session's heartbeat and raises `process-died` through the same
 * channels when the beat stops or the process is gone. It exits when the session stops on purpose or after alerting.
 */
export function registerWatchCommand(program: Command): void {
  program
    .command('watch')
    .description("dead-man's switch: alert when a session's heartbeat stops (started by `run` when alerts are configured)")
    .requiredOption('--heartbeat <file>', 'the session heartbeat file (<dataDir>/alerts/<session>.heartbeat.json)')
    .option('-c, --config <file>', 'config file (names the alert channels)', 'harvester.config.ts')
    .option('--max-wait-ms <n>', 'give up when no heartbeat file appears within this time', '30000')
    .action(async (opts: { heartbeat: string; config: string; maxWaitMs: string }) => {
      const { resolved } = await loadResolvedConfig(opts.config);
      const channels = buildChannels(resolved.alerts);
      // Says the watcher is up (its config loaded, the loop about to poll): until then a death goes unnoticed.
      fs.writeFileSync(watcherFile(opts.heartbeat), JSON.stringify({ pid: process.pid, sinceWallMs: Date.now() }), { mode: 0o600 });
      const startedMs = Date.now();
      let seen = false;
      for (;;) {
        const hb = readHeartbeat(opts.heartbeat);
        if (hb !== null) seen = true;
        if (!seen) {
          if (Date.now() - startedMs > Number(opts.maxWaitMs)) return;
          await sleep(200);
          continue;
        }
        const verdict = judgeHeartbeat(hb, Date.now(), pidAlive);
        if (verdict.kind === 'stopped') return;
        if (verdict.kind === 'dead') {
          const dispatcher = new AlertDispatcher(
            channels,
            resolved.alerts,
            `${opts.heartbeat.replace(/\.heartbeat\.json$/, '')}.watch.jsonl`,
          );
          dispatcher.raise({
            type: 'process-died',
            level: 'critical',
            key: 'died',
            sessionId: hb?.sessionId ?? '?',
            at: 0,
            raisedWallMs: Date.now(),
            title: `Harvester session ${hb?.sessionId ?? '?'} is not running`,
            detail:
              `${verdict.reason}; last heartbeat ` +
              `${verdict.lastBeatWallMs ? new Date(verdict.lastBeatWallMs).toISOString() : 'never'}. Positions and ` +
              `working orders at the broker are as the process left them: check them now.`,
          });
          await dispatcher.close(60_000);
          return;
        }
        await sleep(Math.max(100, Math.floor((hb?.intervalMs ?? 1000) / 2)));
      }
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
