import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordingWriter } from '../../adapters/replay/recording/recording-writer.js';
import { ReplayFeed } from '../../adapters/replay/replay-feed.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';

const T0 = Date.UTC(2026, 2, 10, 14, 30) * 1000;

function recording(file: string, symbol: string, times: readonly number[], bid: number): void {
  const w = RecordingWriter.open(file, {
    symbol,
    date: '2026-03-10',
    tick: 100,
    timeZone: 'America/New_York',
    source: 'test',
    createdBy: 'spec',
  });
  for (const t of times)
    w.write({
      kind: 'quote',
      symbol,
      bid,
      bidSize: 100,
      ask: bid + 100,
      askSize: 100,
      flags: 0,
      seq: 0,
      epoch: 1,
      recvTime: T0 + t,
      exchTime: T0 + t,
    });
  w.close();
}

describe('replay feed over several recordings', () => {
  it('plays one recording per symbol merged by receive time, ties to the file listed first, each symbol on its own lane', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-merge-'));
    const [xyz, abc] = [path.join(dir, 'xyz.hrec'), path.join(dir, 'abc.hrec')];
    recording(xyz, 'XYZ', [0, 1_000, 2_000, 9_000], 123400);
    recording(abc, 'ABC', [500, 2_000, 3_000], 45600);
    const runs: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const clock = new ManualClock(T0);
      const feed = new ReplayFeed({
        files: [xyz, abc],
        clock,
        sessionEnd: T0 + 10_000,
        lineBudget: 3,
        depthBudget: 1,
        recvLatencyUs: 0,
        instrument: undefined,
      });
      const seen: string[] = [];
      feed.on('quote.updated', (q) => {
        seen.push(`${q.symbol}#${q.seq}@${q.recvTime - T0}/${clock.now() - T0}`);
      });
      feed.subscribe('XYZ', 'quote');
      feed.subscribe('ABC', 'quote');
      feed.subscribe('DEF', 'quote');
      const summary = await feed.playback.run();
      expect(summary.events).to.equal(7);
      expect(await feed.instrument('ABC')).to.include({ symbol: 'ABC', tick: 100 });
      runs.push(seen);
    }
    expect(runs[0]).to.deep.equal([
      'XYZ#1@0/0',
      'ABC#1@500/500',
      'XYZ#2@1000/1000',
      'XYZ#3@2000/2000',
      'ABC#2@2000/2000',
      'ABC#3@3000/3000',
      'XYZ#4@9000/9000',
    ]);
    expect(runs[1]).to.deep.equal(runs[0]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
