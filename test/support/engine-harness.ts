/** A session engine on in-test adapters (scripted feed, instant broker, in-memory journal and memory). */
import { z } from 'zod';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { sessionWindow } from '../../core/config/session-window.js';
import { createHarvester } from '../../core/di/container.js';
import type { DepthEvent, MarketEvent, TradeEvent } from '../../core/domain/market.js';
import type { VirtualClock } from '../../ports/clock.js';
import { defineAdapter, defineStrategy } from '../../plugins/sdk/define.js';
import noneLearner from '../../learners/none/index.js';
import { builtinRiskPolicies } from '../../plugins/risk-policies/index.js';
import type { Strategy } from '../../ports/strategy.js';
import { InstantBroker } from './instant-broker.js';
import { MemoryJournal } from './memory-journal.js';
import { InMemoryMemoryStore } from './memory-store.js';
import { ScriptedFeed } from './scripted-feed.js';

export const WINDOW = sessionWindow('2024-03-14', 'America/New_York', '09:30', '09:40');
export const S = 1_000_000;

export function market(): MarketEvent[] {
  const out: MarketEvent[] = [];
  let seq = 0;
  for (let i = 0; i < 300; i++) {
    const t = WINDOW.start + i * S;
    const bid = 50_00_00 + (i % 7) * 100;
    const d = (side: 'bid' | 'ask', price: number, end: boolean): DepthEvent => ({
      kind: 'depth',
      symbol: 'TST',
      side,
      position: -1,
      operation: 'update',
      price,
      size: 500,
      marketMaker: '',
      endOfBatch: end,
      seq: ++seq,
      epoch: 1,
      recvTime: t,
      exchTime: t,
    });
    out.push(d('bid', bid, false), d('ask', bid + 100, true));
    const trade: TradeEvent = {
      kind: 'trade',
      symbol: 'TST',
      price: bid + 100,
      size: 100,
      aggressor: 'buy',
      aggressorSource: 'venue',
      seq: ++seq,
      epoch: 1,
      recvTime: t + 1,
      exchTime: t + 1,
    };
    out.push(trade);
  }
  return out;
}

export async function runWith(
  strategy: (ctx: Parameters<Parameters<typeof defineStrategy>[0]['create']>[0]) => Strategy,
  risk: unknown[] = [],
  extra: {
    killSwitch?: Record<string, unknown>;
    onBroker?: (broker: InstantBroker, clock: VirtualClock) => void;
    /** A journal shared across runs (restarts), the mode, and the session id. */
    journal?: MemoryJournal;
    mode?: 'replay' | 'sim-live' | 'paper' | 'live';
    sessionId?: string;
    /** Declare the broker as talking to a venue on this port (as the TWS adapter does), for the arming rules. */
    brokerVenuePort?: number;
    /** More root config (account, instruments, live…), merged last. */
    config?: Record<string, unknown>;
  } = {},
) {
  const journal = extra.journal ?? new MemoryJournal();
  let broker!: InstantBroker;
  let clock!: VirtualClock;
  const feedAdapter = defineAdapter({
    id: 'scripted',
    apiVersion: 1,
    provides: ['market-data'],
    paramsSchema: z.object({}),
    create: (ctx) => {
      clock = ctx.clock as VirtualClock;
      return { feed: new ScriptedFeed(market(), clock, WINDOW.end) };
    },
  });
  const brokerAdapter = defineAdapter({
    id: 'instant',
    apiVersion: 1,
    provides: ['broker'],
    paramsSchema: z.object({}),
    ...(extra.brokerVenuePort === undefined ? {} : { venue: () => ({ kind: 'tws', host: '127.0.0.1', port: extra.brokerVenuePort! }) }),
    create: (ctx) => {
      broker = new InstantBroker(ctx.clock, (s) => ctx.market.book(s)?.bestAsk ?? 0);
      extra.onBroker?.(broker, ctx.clock as VirtualClock);
      return { broker };
    },
  });
  const storeAdapter = defineAdapter({
    id: 'memory',
    apiVersion: 1,
    provides: ['store'],
    paramsSchema: z.object({}),
    create: () => ({ journal, memory: new InMemoryMemoryStore() }),
  });
  const strat = defineStrategy({ id: 'probe', apiVersion: 1, paramsSchema: z.object({}), create: strategy });
  const resolved = await resolveConfig(
    {
      ...(extra.mode ? { mode: extra.mode } : {}),
      session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '09:40' },
      marketData: { use: 'scripted' },
      broker: { use: 'instant' },
      store: { use: 'memory' },
      risk,
      strategies: [{ use: 'probe' }],
      ...(extra.killSwitch ? { killSwitch: extra.killSwitch } : {}),
      ...(extra.config ?? {}),
    },
    { builtins: [feedAdapter, brokerAdapter, storeAdapter, strat, noneLearner, ...builtinRiskPolicies], baseDir: '.', env: {} },
  );
  const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
  const runtime = await createHarvester(resolved, { sessionId: extra.sessionId ?? 'test-session', wallStartedAt: 'x', log: quiet });
  const result = await runtime.engine.run();
  await runtime.close();
  return { result, journal, broker: broker!, runtime };
}
