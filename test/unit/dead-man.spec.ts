import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeartbeatWriter, judgeHeartbeat, readHeartbeat, type Heartbeat } from '../../adapters/alerts/dead-man.js';

const beat = (over: Partial<Heartbeat> = {}): Heartbeat => ({
  pid: 4242,
  sessionId: 's',
  intervalMs: 200,
  missAfterMs: 5_000,
  startupMs: 60_000,
  beatWallMs: 1_000_000,
  state: 'running',
  ...over,
});
const alive = () => true;
const gone = () => false;

describe("the dead-man's switch: heartbeat states and the watcher's judgement", () => {
  it('a running beat is judged by missAfterMs; a gone pid is dead at once', () => {
    expect(judgeHeartbeat(beat(), 1_005_000, alive)).to.deep.equal({ kind: 'alive' });
    expect(judgeHeartbeat(beat(), 1_005_001, alive)).to.deep.include({ kind: 'dead', lastBeatWallMs: 1_000_000 });
    expect((judgeHeartbeat(beat(), 1_005_001, alive) as { reason: string }).reason).to.match(/no heartbeat for 5001 ms .*frozen/);
    expect(judgeHeartbeat(beat(), 1_000_001, gone)).to.deep.include({ kind: 'dead', reason: 'process 4242 is gone' });
  });

  it('a starting beat is judged by startupMs, not missAfterMs (a long synchronous start-up is not a freeze)', () => {
    const s = beat({ state: 'starting' });
    expect(judgeHeartbeat(s, 1_030_000, alive)).to.deep.equal({ kind: 'alive' });
    expect(judgeHeartbeat(s, 1_060_000, alive)).to.deep.equal({ kind: 'alive' });
    expect((judgeHeartbeat(s, 1_060_001, alive) as { reason: string }).reason).to.match(/start-up has not finished after 60001 ms/);
    // A kill during start-up is still seen at once.
    expect(judgeHeartbeat(s, 1_000_001, gone)).to.deep.include({ kind: 'dead', reason: 'process 4242 is gone' });
  });

  it('a stopped beat stands the watcher down whatever its age or pid; no file is dead', () => {
    expect(judgeHeartbeat(beat({ state: 'stopped' }), 9_000_000, gone)).to.deep.equal({ kind: 'stopped' });
    expect(judgeHeartbeat(null, 0, alive)).to.deep.include({ kind: 'dead' });
  });

  it('the writer writes starting at once, beats only after running(), and stop() is final', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-hb-'));
    const file = path.join(dir, 'alerts', 's.heartbeat.json');
    const w = new HeartbeatWriter(file, { pid: process.pid, sessionId: 's', intervalMs: 100, missAfterMs: 1_000, startupMs: 5_000 });
    try {
      const first = readHeartbeat(file)!;
      expect(first).to.deep.include({ state: 'starting', startupMs: 5_000, pid: process.pid });
      await new Promise((r) => setTimeout(r, 250));
      expect(readHeartbeat(file)!.beatWallMs, 'no beats before running()').to.equal(first.beatWallMs);
      w.running();
      w.running();
      const t0 = readHeartbeat(file)!.beatWallMs;
      expect(readHeartbeat(file)!.state).to.equal('running');
      await new Promise((r) => setTimeout(r, 350));
      expect(readHeartbeat(file)!.beatWallMs).to.be.greaterThan(t0);
    } finally {
      w.stop();
    }
    expect(readHeartbeat(file)!.state).to.equal('stopped');
    const stoppedAt = readHeartbeat(file)!.beatWallMs;
    await new Promise((r) => setTimeout(r, 250));
    expect(readHeartbeat(file)!.beatWallMs, 'no beat after stop').to.equal(stoppedAt);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
