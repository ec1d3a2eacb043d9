import fs from 'node:fs';
import path from 'node:path';

/**
 * What the heartbeat file holds: who beats, how often, and where the session is. `starting` is written once, before
 * the session's start-up work (loading or generating the day, connecting, recovering), which runs in long
 * synchronous stretches and must not read as a frozen loop; the beat bound then is `startupMs`. `running` beats
 * every `intervalMs` and is judged by `missAfterMs`; `stopped` is a deliberate end.
 */
export interface Heartbeat {
  pid: number;
  sessionId: string;
  intervalMs: number;
  missAfterMs: number;
  startupMs: number;
  beatWallMs: number;
  state: 'starting' | 'running' | 'stopped';
}

export function heartbeatFile(dataDir: string, sessionId: string): string {
  return path.resolve(dataDir, 'alerts', `${sessionId}.heartbeat.json`);
}

/** Where the watcher of `heartbeat` says it is up: `{ pid, sinceWallMs }`, written once it starts polling. */
export function watcherFile(heartbeat: string): string {
  return heartbeat.replace(/\.heartbeat\.json$/, '.watcher.json');
}

/**
 * The session's side of the dead-man's switch: writes `starting` at once, and from `running()` on rewrites its
 * heartbeat file every `intervalMs` from a timer, so a frozen event loop stops beating just as a dead process does.
 * The write is a rename of a temp file (a reader never sees half a beat). `stop` marks the end as deliberate, so the
 * watcher stands down instead of alerting.
 */
export class HeartbeatWriter {
  private timer: NodeJS.Timeout | null = null;
  private readonly tmp: string;

  constructor(
    private readonly file: string,
    private readonly beat: Omit<Heartbeat, 'beatWallMs' | 'state'>,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = `${file}.${process.pid}.tmp`;
    this.write('starting');
  }

  /** The session is up: beat from now on. Idempotent. */
  running(): void {
    if (this.timer !== null) return;
    this.write('running');
    this.timer = setInterval(() => this.write('running'), this.beat.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.write('stopped');
  }

  private write(state: Heartbeat['state']): void {
    const hb: Heartbeat = { ...this.beat, beatWallMs: Date.now(), state };
    fs.writeFileSync(this.tmp, JSON.stringify(hb), { mode: 0o600 });
    fs.renameSync(this.tmp, this.file);
  }
}

export type WatchVerdict = { kind: 'alive' } | { kind: 'stopped' } | { kind: 'dead'; reason: string; lastBeatWallMs: number };

/**
 * The watcher's judgement of one look at the heartbeat: a gone pid is dead in any state but `stopped`; a `running`
 * beat older than `missAfterMs` is a frozen loop; a `starting` beat older than `startupMs` is a start-up that hangs.
 */
export function judgeHeartbeat(hb: Heartbeat | null, nowMs: number, pidAlive: (pid: number) => boolean): WatchVerdict {
  if (hb === null) return { kind: 'dead', reason: 'heartbeat file missing or unreadable', lastBeatWallMs: 0 };
  if (hb.state === 'stopped') return { kind: 'stopped' };
  if (!pidAlive(hb.pid)) return { kind: 'dead', reason: `process ${hb.pid} is gone`, lastBeatWallMs: hb.beatWallMs };
  if (hb.state === 'starting') {
    if (nowMs - hb.beatWallMs <= hb.startupMs) return { kind: 'alive' };
    return {
      kind: 'dead',
      reason: `start-up has not finished after ${nowMs - hb.beatWallMs} ms (bound ${hb.startupMs} ms): the process hangs`,
      lastBeatWallMs: hb.beatWallMs,
    };
  }
  if (nowMs - hb.beatWallMs > hb.missAfterMs)
    return {
      kind: 'dead',
      reason: `no heartbeat for ${nowMs - hb.beatWallMs} ms (bound ${hb.missAfterMs} ms): the process is frozen`,
      lastBeatWallMs: hb.beatWallMs,
    };
  return { kind: 'alive' };
}

export function readHeartbeat(file: string): Heartbeat | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Heartbeat;
  } catch {
    return null;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
