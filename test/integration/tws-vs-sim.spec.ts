import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { RecordingWriter } from '../../adapters/replay/recording/recording-writer.js';
import { IBKR_FIXED } from '../../adapters/simulated/commission-model.js';
import { SimulatedBroker } from '../../adapters/simulated/simulated-broker.adapter.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import { env } from '../../core/config/env-ref.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import type { MarketEvent } from '../../core/domain/market.js';
import { OrderBook } from '../../core/domain/order-book.js';
import { Sfc32 } from '../../core/domain/random.js';
import { createHarvester } from '../../core/di/container.js';
import type { ClosedTrade } from '../../ports/strategy.js';
import { sessionAround } from '../../core/config/session-window.js';
import {
  BrokerBackedMatcher,
  FakeMarketView,
  FakeTwsServer,
  syntheticMarket,
  wallClock,
  type FakeMarketSource,
} from '../../adapters/fake-tws/index.js';

const SYMBOL = 'HRVST';
const T0 = DateTime.fromISO('2024-03-14T09:30:01', { zone: 'America/New_York' }).toMillis() * 1000;
// The example strategy with its time rules out of the way (no cooldown, no time stop): entries come from the book,
// exits from the bracket's stop and target, so both runs decide on market events alone.
const STRATEGY = {
  use: 'example-imbalance-tick',
  params: { symbol: SYMBOL, quantity: 100, minImbalance: 0.25, cooldownSeconds: 0, maxHoldSeconds: 3_600, stopTicks: 2, targetTicks: 2 },
};
const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });

/** The market both runs see: depth batches and prints (the recording format has no use for the fake's L1 quotes). */
async function marketEvents(): Promise<MarketEvent[]> {
  const out: MarketEvent[] = [];
  const source = syntheticMarket({ symbol: SYMBOL, seed: 11, start: T0, steps: 160, mid: 325_000, tick: 100, interval: 100_000 });
  for await (const e of source.events()) if (e.kind === 'depth' || e.kind === 'trade') out.push({ ...e });
  return out;
}

/** What the comparison is about: the trades, without venue-specific fields (commission models differ). */
function shape(t: ClosedTrade) {
  return { side: t.side, quantity: t.quantity, entryPrice: t.entryPrice, exitPrice: t.exitPrice, grossPnl: t.grossPnl };
}

describe('the same session through the TWS adapter (fake TWS, real socket) and on the simulated broker', function () {
  this.timeout(120_000);
  let dir: string;
  let events: MarketEvent[];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-tws-vs-sim-'));
    events = await marketEvents();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function onSimulatedBroker(): Promise<ClosedTrade[]> {
    const recording = path.join(dir, 'day.hrec');
    const w = RecordingWriter.open(recording, {
      symbol: SYMBOL,
      date: '2024-03-14',
      tick: 100,
      timeZone: 'America/New_York',
      source: 'test',
      createdBy: 'tws-vs-sim',
    });
    for (const e of events) w.write(e);
    w.close();
    const resolved = await resolveConfig(
      {
        mode: 'replay',
        seed: 3,
        session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '09:45' },
        instruments: [{ symbol: SYMBOL, tick: 0.01 }],
        marketData: { use: 'replay', params: { recording } },
        // Order latency well inside one 100 ms market step, as on the lockstepped fake.
        broker: { use: 'simulated', params: { latencyUs: 1_000, latencyJitterUs: 0 } },
        store: { use: 'typeorm', params: { file: path.join(dir, 'sim.sqlite') } },
        risk: [{ use: 'max-position', action: 'reject', params: { maxShares: 1_000 } }],
        strategies: [STRATEGY],
        dataDir: dir,
      },
      { builtins: await builtinPlugins(), baseDir: process.cwd() },
    );
    const runtime = await createHarvester(resolved, { sessionId: 'sim', wallStartedAt: 'x', log: quiet });
    const trades: ClosedTrade[] = [];
    runtime.parts.bus.on('trade.closed', (t) => {
      trades.push(t);
    });
    await runtime.engine.run();
    await runtime.close();
    return trades;
  }

  async function throughTws(): Promise<{ trades: ClosedTrade[]; fills: number; decodeErrors: number }> {
    // The fake matches with the same simulated broker (zero latency), fed the same book the clients see.
    const view = new FakeMarketView();
    const venue = new SimulatedBroker({
      clock: new WallClock(),
      market: view,
      random: new Sfc32(3),
      latencyUs: 0,
      jitterUs: 0,
      commission: IBKR_FIXED,
      queueModel: 'tail',
      startEquity: 1_000_000_000,
      account: 'DU0000001',
      execPrefix: 'fake',
    });
    await venue.connect();
    // Lockstep, on state rather than on silence: after each batch end or print, wait until (1) the kernel's book shows
    // every visible row the source has published and the kernel has seen every print, (2) every order the engine
    // submitted has reached the venue and the venue has answered it, and (3) every fill the venue made is in the
    // engine. Then each market event meets the same orders as on the simulated broker, however loaded the machine.
    const reference = new OrderBook(SYMBOL, { maxLevels: 20 });
    let runtime: Awaited<ReturnType<typeof createHarvester>> | undefined;
    const seen = { trades: 0, submitted: 0, refused: 0, filled: 0, cancels: 0 };
    const venueSide = { placed: 0, answered: 0, fills: 0, cancels: 0 };
    let published = 0;
    venue.on('order.accepted', () => {
      venueSide.answered++;
    });
    venue.on('order.rejected', () => {
      venueSide.answered++;
    });
    venue.on('order.filled', () => {
      venueSide.fills++;
    });
    const sameTop = (): boolean => {
      const book = runtime?.parts.router.book(SYMBOL);
      if (book === undefined) return reference.levels('bid') + reference.levels('ask') === 0;
      for (const side of ['bid', 'ask'] as const) {
        const n = Math.min(10, reference.levels(side));
        if (book.levels(side) < n) return false;
        for (let r = 0; r < n; r++)
          if (book.priceAt(side, r) !== reference.priceAt(side, r) || book.sizeAt(side, r) !== reference.sizeAt(side, r)) return false;
      }
      return true;
    };
    const settled = (): boolean =>
      sameTop() &&
      seen.trades === published &&
      venueSide.placed === seen.submitted - seen.refused &&
      venueSide.answered >= venueSide.placed &&
      venueSide.cancels === seen.cancels &&
      seen.filled === venueSide.fills;
    const settle = async (): Promise<void> => {
      const since = Date.now();
      while (!settled()) {
        // A state that never becomes whole is a finding, not a hang: fail with what was seen on each side.
        if (Date.now() - since > 10_000)
          throw new Error(
            `lockstep stuck: engine ${JSON.stringify(seen)} venue ${JSON.stringify(venueSide)} published ${published} sameTop ${sameTop()}`,
          );
        await new Promise((r) => setTimeout(r, 1));
      }
      // Let the turn that made the state whole finish (e.g. an order the last fill triggers is submitted in it).
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      if (!settled()) return settle();
    };
    let marketEnded = (): void => undefined;
    const played = new Promise<void>((resolve) => {
      marketEnded = resolve;
    });
    const lockstep: FakeMarketSource = {
      async *events() {
        for (const e of events) {
          if (e.kind === 'depth') reference.apply(e);
          yield e;
          if (e.kind === 'trade') published++;
          if (e.kind === 'trade' || (e.kind === 'depth' && e.endOfBatch)) await settle();
        }
        marketEnded();
      },
    };
    // The market starts once both the depth and the tape lines are requested: a print published before the tape line
    // exists reaches no one, and the lockstep would wait for it forever.
    const server = await FakeTwsServer.start({
      clock: wallClock,
      accounts: ['DU0000001'],
      speed: Infinity,
      market: lockstep,
      marketStart: 'manual',
      matcher: new BrokerBackedMatcher(venue, view),
    });
    const lines = new Set<string>();
    // The adapter's connect-time read-only probe cancels an id never placed: not an order cancel, left out here.
    const placedIds = new Set<number>();
    server.on('frame', (f) => {
      if ((f.request.kind === 'mktDepth' || f.request.kind === 'tickByTick') && !lines.has(f.request.kind)) {
        lines.add(f.request.kind);
        if (lines.size === 2) void server.playMarket();
      }
      if (f.request.kind === 'placeOrder') {
        venueSide.placed++;
        placedIds.add(f.request.order.orderId);
      }
      if (f.request.kind === 'cancelOrder' && placedIds.has(f.request.orderId)) venueSide.cancels++;
    });
    try {
      const resolved = await resolveConfig(
        {
          mode: 'paper',
          seed: 3,
          session: sessionAround(Date.now(), 1, 3),
          account: { id: env('HV_TEST_PAPER_ACCOUNT'), startEquity: 100_000 },
          instruments: [{ symbol: SYMBOL, tick: 0.01 }],
          marketData: { use: 'tws', params: { port: server.port, clientId: 51 } },
          broker: { use: 'tws', params: { port: server.port, clientId: 51 } },
          store: { use: 'typeorm', params: { file: path.join(dir, 'tws.sqlite') } },
          risk: [{ use: 'max-position', action: 'reject', params: { maxShares: 1_000 } }],
          strategies: [STRATEGY],
          dataDir: dir,
        },
        { builtins: await builtinPlugins(), baseDir: process.cwd(), env: { HV_TEST_PAPER_ACCOUNT: 'DU0000001' } },
      );
      runtime = await createHarvester(resolved, {
        sessionId: 'tws',
        wallStartedAt: new Date().toISOString(),
        clock: new WallClock(),
        log: quiet,
      });
      const trades: ClosedTrade[] = [];
      const bus = runtime.parts.bus;
      bus.on('trade.closed', (t) => {
        trades.push(t);
      });
      bus.on('order.submitted', () => {
        seen.submitted++;
      });
      bus.on('order.rejected', (r) => {
        if (r.origin === 'adapter') seen.refused++;
      });
      bus.on('order.filled', () => {
        seen.filled++;
      });
      bus.on('order.cancel-requested', () => {
        seen.cancels++;
      });
      runtime.parts.router.onTrade(() => {
        seen.trades++;
      });
      const stop = new AbortController();
      const ended = played.then(settle).then(() => stop.abort());
      const deadline = setTimeout(() => stop.abort(), 60_000);
      const result = await runtime.engine.run({ signal: stop.signal });
      clearTimeout(deadline);
      await ended;
      await runtime.close();
      return { trades, fills: result.fills, decodeErrors: server.stats.decodeErrors };
    } finally {
      await server.stop();
      await venue.dispose();
    }
  }

  it('gives the same trades: same sides, quantities, entry and exit prices', async () => {
    const sim = await onSimulatedBroker();
    const tws = await throughTws();
    expect(sim.length, 'the day must trade for the comparison to mean anything').to.be.greaterThan(1);
    expect(tws.decodeErrors).to.equal(0);
    expect(tws.fills).to.be.greaterThan(0);
    expect(tws.trades.map(shape)).to.deep.equal(sim.map(shape));
  });
});
