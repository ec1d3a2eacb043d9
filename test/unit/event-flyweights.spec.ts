import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { generateToFile } from '../../adapters/replay/generated-recording.js';
import { createFlyweights } from '../../adapters/replay/recording/event-flyweights.js';
import { ReplayFeed } from '../../adapters/replay/replay-feed.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';

// V8's own answer to "same hidden class?". The flag stays on: V8 compiles the function's body lazily (and may flush
// and recompile it), and a body parsed without the flag is a SyntaxError. Nothing else in the suite uses the syntax.
v8.setFlagsFromString('--allow-natives-syntax');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const START = Date.UTC(2024, 2, 14, 13, 30) * 1000;

/**
 * The replay loop's flyweights keep one hidden class for the life of the process. Built by spreading a shared base,
 * they took a new one on every playback from about the ninth on, and the market path ran polymorphic at half speed
 * from then on (bench/RESULTS.md, "The ninth playback").
 */
describe('replay event flyweights', () => {
  it('the check tells two hidden classes apart', () => {
    expect(sameMap({ a: 1 }, { a: 2 })).to.equal(true);
    expect(sameMap({ a: 1 }, { b: 1 })).to.equal(false);
  });

  it('every set created in a process has the hidden classes of the first', () => {
    // Each set goes through the stores a playback makes (a null exchange time among them), the first one included.
    const sets = Array.from({ length: 24 }, (_, i) => createFlyweights(`S${i}`));
    for (const [i, fw] of sets.entries()) {
      fw.depth.price = 1.5 * i + 0.5;
      fw.depth.exchTime = null;
      fw.depth.exchTime = 1.7e15 + i;
      fw.trade.price = 0.25 * i + 0.5;
    }
    for (const [i, fw] of sets.entries())
      for (const kind of ['depth', 'trade', 'quote', 'status'] as const)
        expect(sameMap(sets[0]![kind], fw[kind]), `${kind} #${i}`).to.equal(true);
  });

  it('keep the fields, their order and their starting values of the event contract', () => {
    const fw = createFlyweights('TST');
    const base = { symbol: 'TST', seq: 0, epoch: 1, recvTime: 0, exchTime: 0 };
    expect(JSON.stringify(fw.depth)).to.equal(
      JSON.stringify({
        ...base,
        kind: 'depth',
        side: 'bid',
        position: -1,
        operation: 'update',
        price: 0,
        size: 0,
        marketMaker: '',
        endOfBatch: false,
      }),
    );
    expect(JSON.stringify(fw.trade)).to.equal(
      JSON.stringify({ ...base, kind: 'trade', price: 0, size: 0, aggressor: 'unknown', aggressorSource: 'inferred' }),
    );
    expect(JSON.stringify(fw.quote)).to.equal(JSON.stringify({ ...base, kind: 'quote', bid: 0, bidSize: 0, ask: 0, askSize: 0, flags: 0 }));
    expect(JSON.stringify(fw.status)).to.equal(JSON.stringify({ ...base, kind: 'status', status: 'trading', reason: '' }));
  });

  it('a recording replayed a dozen times in one process delivers events of one hidden class', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-fw-'));
    try {
      const file = path.join(dir, 'day.hrec');
      generateToFile(file, {
        seed: 3,
        symbol: 'TST',
        date: '2024-03-14',
        timeZone: 'America/New_York',
        startTime: START,
        endTime: START + 60e6,
        tick: 100,
        startPrice: 325_000,
      });
      let firstDepth: object | null = null;
      let firstTrade: object | null = null;
      for (let playback = 0; playback < 12; playback++) {
        const feed = new ReplayFeed({
          files: [file],
          clock: new ManualClock(START),
          sessionEnd: START + 2 * 60e6,
          lineBudget: 1,
          depthBudget: 1,
          recvLatencyUs: 0,
          instrument: undefined,
        });
        feed.subscribe('TST', 'depth');
        feed.subscribe('TST', 'tape');
        let depth: object | null = null;
        let trade: object | null = null;
        feed.on('depth.updated', (e) => {
          depth ??= e;
        });
        feed.on('trade.printed', (e) => {
          trade ??= e;
        });
        await feed.playback.run();
        expect(depth, `depth in playback ${playback}`).to.not.equal(null);
        expect(trade, `trade in playback ${playback}`).to.not.equal(null);
        firstDepth ??= depth!;
        firstTrade ??= trade!;
        expect(sameMap(firstDepth, depth!), `depth event of playback ${playback}`).to.equal(true);
        expect(sameMap(firstTrade, trade!), `trade event of playback ${playback}`).to.equal(true);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
