import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { FeedRecorder } from '../../adapters/recorder/feed-recorder.js';
import { RecordingReader } from '../../adapters/replay/recording/recording-reader.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import { env } from '../../core/config/env-ref.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { createHarvester } from '../../core/di/container.js';
import type { JournalEntry } from '../../ports/journal.js';
import { MemoryJournal } from '../support/memory-journal.js';
import { FakeTwsServer, syntheticMarket, wallClock } from '../../adapters/fake-tws/index.js';
import { sessionAround } from '../../core/config/session-window.js';

const SYMBOL = 'HRVST';
const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
// Entries that the risk chain always denies (100 shares against a 50-share cap): no fills, so every decision depends
// on the book alone, and the replay must decide exactly as the live session did.
const STRATEGY = { use: 'example-imbalance-tick', params: { symbol: SYMBOL, quantity: 100, minImbalance: 0.1, cooldownSeconds: 0 } };
const RISK = [{ use: 'max-position', action: 'reject', params: { maxShares: 50 } }];

const decisionShape = (rows: readonly JournalEntry[]) =>
  rows.filter((r) => r.kind === 'decision').map((r) => ({ symbol: r.symbol, type: r.type, data: { ...r.data, intentId: undefined } }));

describe('the feed recorder (a paper session through the fake TWS, recorded, then replayed)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-recorder-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replaying what the session recorded reproduces its decisions', async () => {
    const nowMs = Date.now();
    const session = sessionAround(nowMs, 2, 5);
    const t0 = nowMs * 1000;
    const server = await FakeTwsServer.start({
      clock: wallClock,
      accounts: ['DU0000001'],
      speed: 1,
      market: syntheticMarket({ symbol: SYMBOL, seed: 5, start: t0, steps: 120, mid: 325_000, tick: 100, interval: 50_000 }),
    });
    const file = path.join(dir, 'paper.hrec');
    const liveJournal = new MemoryJournal();
    let recorded: { file: string; events: number }[] = [];
    try {
      const resolved = await resolveConfig(
        {
          mode: 'paper',
          seed: 7,
          session,
          account: { id: env('HV_TEST_PAPER_ACCOUNT'), startEquity: 100_000 },
          instruments: [{ symbol: SYMBOL, tick: 0.01 }],
          marketData: { use: 'tws', params: { port: server.port, clientId: 61 } },
          broker: { use: 'tws', params: { port: server.port, clientId: 61 } },
          store: { use: 'typeorm', params: { file: path.join(dir, 'paper.sqlite') } },
          risk: RISK,
          strategies: [STRATEGY],
          dataDir: dir,
        },
        { builtins: await builtinPlugins(), baseDir: process.cwd(), env: { HV_TEST_PAPER_ACCOUNT: 'DU0000001' } },
      );
      const runtime = await createHarvester(resolved, {
        sessionId: 'paper',
        wallStartedAt: new Date().toISOString(),
        clock: new WallClock(),
        log: quiet,
        wrapJournal: () => liveJournal,
      });
      const recorder = new FeedRecorder(runtime.feed, {
        file,
        symbols: [SYMBOL],
        date: session.date,
        timeZone: session.timeZone,
        tick: () => 100,
        meta: { test: true },
      });
      const stop = new AbortController();
      // The synthetic market lasts 120 × 50 ms; give the session time to subscribe and see all of it.
      const timer = setTimeout(() => stop.abort(), 10_000);
      await runtime.engine.run({ signal: stop.signal });
      clearTimeout(timer);
      recorded = recorder.close();
      await runtime.close();
    } finally {
      await server.stop();
    }
    expect(recorded).to.have.length(1);
    expect(recorded[0]!.events).to.be.greaterThan(100);
    const reader = RecordingReader.open(file);
    expect(reader.header).to.include({ symbol: SYMBOL, source: 'harvester-recorder' });
    reader.close();
    const live = decisionShape(liveJournal.all());
    expect(live.length, 'the session must decide for the comparison to mean anything').to.be.greaterThan(8);

    const replayJournal = new MemoryJournal();
    const replayed = await resolveConfig(
      {
        mode: 'replay',
        seed: 7,
        session,
        instruments: [{ symbol: SYMBOL, tick: 0.01 }],
        marketData: { use: 'replay', params: { recording: file } },
        broker: { use: 'simulated', params: {} },
        store: { use: 'typeorm', params: { file: path.join(dir, 'replay.sqlite') } },
        risk: RISK,
        strategies: [STRATEGY],
        dataDir: dir,
      },
      { builtins: await builtinPlugins(), baseDir: process.cwd() },
    );
    const runtime = await createHarvester(replayed, {
      sessionId: 'replay',
      wallStartedAt: 'x',
      log: quiet,
      wrapJournal: () => replayJournal,
    });
    await runtime.engine.run();
    await runtime.close();
    expect(decisionShape(replayJournal.all())).to.deep.equal(live);
  });
});
