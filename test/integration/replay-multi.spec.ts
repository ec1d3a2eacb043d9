import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { generateSession } from '../../adapters/replay/generator/market-generator.js';
import { RecordingWriter } from '../../adapters/replay/recording/recording-writer.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { createHarvester } from '../../core/di/container.js';

/** Two recordings, one symbol each, replayed as one session through the config (`recording: [a, b]`). */
describe('replay of several recordings (one per symbol) through the config', function () {
  this.timeout(60_000);
  let dir: string;
  const counts: Record<string, number> = {};

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-multi-'));
    for (const [symbol, seed, price] of [
      ['AAA', 3, 325_000],
      ['BBB', 4, 180_000],
    ] as const) {
      const w = RecordingWriter.open(path.join(dir, `${symbol}.hrec`), {
        symbol,
        date: '2024-03-14',
        tick: 100,
        timeZone: 'America/New_York',
        source: 'test',
        createdBy: 'spec',
      });
      counts[symbol] = generateSession(
        { seed, symbol, date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', minutes: 20, tick: 100, startPrice: price },
        (e) => w.write(e),
      ).events;
      w.close();
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function session(name: string) {
    const resolved = await resolveConfig(
      {
        seed: 5,
        session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '09:50' },
        instruments: [
          { symbol: 'AAA', tick: 0.01 },
          { symbol: 'BBB', tick: 0.01 },
        ],
        marketData: { use: 'replay', params: { recording: [path.join(dir, 'AAA.hrec'), path.join(dir, 'BBB.hrec')] } },
        broker: { use: 'simulated', params: {} },
        store: { use: 'typeorm', params: { file: path.join(dir, `${name}.sqlite`) } },
        strategies: [
          { use: 'example-imbalance-tick', instanceId: 'on-aaa', params: { symbol: 'AAA', cooldownSeconds: 5, maxHoldSeconds: 20 } },
          { use: 'example-imbalance-tick', instanceId: 'on-bbb', params: { symbol: 'BBB', cooldownSeconds: 5, maxHoldSeconds: 20 } },
        ],
        dataDir: dir,
      },
      { builtins: await builtinPlugins(), baseDir: process.cwd() },
    );
    const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
    const runtime = await createHarvester(resolved, { sessionId: name, wallStartedAt: 'x', log: quiet });
    const traded = new Set<string>();
    runtime.parts.bus.on('trade.closed', (t) => {
      traded.add(t.symbol);
    });
    const result = await runtime.engine.run();
    await runtime.close();
    return { result, traded };
  }

  it('plays both symbols merged by time, trades each, and repeats byte for byte', async () => {
    const a = await session('a');
    expect(a.result.status).to.equal('completed');
    expect(a.result.events).to.be.at.least(counts.AAA! + counts.BBB! - 10);
    expect([...a.traded].sort()).to.deep.equal(['AAA', 'BBB']);
    const b = await session('b');
    expect(b.result.journalSha256).to.equal(a.result.journalSha256);
  });
});
