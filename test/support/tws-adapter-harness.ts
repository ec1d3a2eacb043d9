import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twsManifest from '../../adapters/tws/index.js';
import type { TwsBrokerAdapter } from '../../adapters/tws/orders/broker.adapter.js';
import type { TwsMarketDataFeed } from '../../adapters/tws/market-data/market-data.feed.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import { Sfc32 } from '../../core/domain/random.js';
import type { BrokerEventName, BrokerEvents } from '../../ports/broker-adapter.js';
import { BROKER_EVENT_NAMES } from '../../plugins/conformance/broker/broker-types.js';
import type { FeedEventName } from '../../ports/market-data-feed.js';
import type { Clock, VirtualClock } from '../../ports/clock.js';

export const TEST_ACCOUNT = 'DU0000001';

/** Every broker event, from the one list the conformance kit records (plugins/conformance/broker/broker-types.ts). */
const BROKER_EVENTS: readonly BrokerEventName[] = BROKER_EVENT_NAMES;
const FEED_EVENTS: FeedEventName[] = [
  'feed.subscribed',
  'feed.failed',
  'feed.unsubscribed',
  'feed.interrupted',
  'feed.resubscribed',
  'depth.updated',
  'trade.printed',
];

export interface Recorded {
  name: string;
  p: Record<string, unknown>;
}

/** Fast defaults for specs: short ladder, heartbeat and deadlines, so a fault resolves in well under a second. */
export const FAST = {
  connectTimeoutMs: 1_000,
  backoffMs: [30, 60, 120],
  maxReconnectAttempts: 6,
  heartbeatIntervalMs: 60_000,
  heartbeatTimeoutMs: 150,
  heartbeatMisses: 2,
  reconcileDeadlineMs: 500,
  syncAttempts: 2,
  syncRetryMs: 30,
  resetWindows: [],
  resetRetryMs: 50,
};

/**
 * A TWS adapter (broker + feed on one connection) built through the plugin manifest, recording every event. Its data
 * directory (the id journal) is a fresh temporary one, removed on close, unless `dataDir` is given (a restart: a second
 * adapter on the first one's journal).
 */
export function createTwsAdapter(
  port: number,
  clientId: number,
  params: Record<string, unknown> = {},
  clock: Clock = new WallClock(),
  opts: { dataDir?: string } = {},
) {
  const owned = opts.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'hv-tws-')) : null;
  const dataDir = opts.dataDir ?? owned!;
  const quiet = { debug: () => {}, info: () => {}, warn: () => {} };
  const inst = twsManifest.create({
    pluginId: 'tws',
    params: twsManifest.paramsSchema.parse({ port, clientId, ...FAST, ...params }),
    clock,
    log: quiet,
    random: new Sfc32(1),
    mode: 'paper',
    seed: 1,
    secret: (n) => (n === 'HV_TEST_TWS_ACCOUNT' ? TEST_ACCOUNT : undefined),
    instrument: () => undefined,
    market: { book: () => undefined, onDepth: () => () => {}, onTrade: () => () => {} },
    account: { id: null, currency: 'USD', startEquity: 1_000_000_000 },
    session: { date: '2026-01-02', timeZone: 'America/New_York', start: 0, end: 0 },
    dataDir,
  }) as { broker: TwsBrokerAdapter; feed: TwsMarketDataFeed; close: () => Promise<void> };
  const close = async (): Promise<void> => {
    await inst.close();
    if (owned !== null) rmSync(owned, { recursive: true, force: true });
  };
  const events: Recorded[] = [];
  for (const name of BROKER_EVENTS)
    inst.broker.on(name, (p: BrokerEvents[typeof name]) => events.push({ name, p: p as unknown as Record<string, unknown> }));
  for (const name of FEED_EVENTS) inst.feed.on(name, (p: unknown) => events.push({ name, p: p as Record<string, unknown> }));
  const of = (name: string): Record<string, unknown>[] => events.filter((e) => e.name === name).map((e) => e.p);
  /** The connection chain as "from→to" strings. */
  const chain = (): string[] => of('connection.changed').map((p) => `${String(p.from)}→${String(p.to)}`);
  return { ...inst, close, dataDir, events, of, chain, connection: inst.broker.connection };
}

/** Polls a condition on the event loop (network I/O is real); fails with `what` after `ms`. */
export async function until(pred: () => boolean, what = 'condition', ms = 4_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Lets loopback I/O happen (real time, never asserted on): a short sleep, then a few turns of the event loop. */
async function ioTurn(): Promise<void> {
  await sleep(5);
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * Drives a virtual clock for an adapter on real sockets, as the conformance kit does: let I/O settle, then fire the
 * next due timer, until `done()` holds (or, without `done`, until every timer up to `to` has fired). The adapter's
 * timers (ladder, heartbeat, deadlines) run on this clock, so time passes only here.
 */
export async function runClock(
  clock: VirtualClock,
  opts: { to: number; done?: () => boolean; what?: string; io?: () => Promise<void> },
): Promise<void> {
  // `io`: a better "I/O has settled" test where the venue can count its frames (socketsQuiet); @stoqey/ib paces its
  // sends in real time, so a request queued behind a burst may take longer than one short turn.
  const io = opts.io ?? ioTurn;
  for (let i = 0; i < 5_000; i++) {
    await io();
    if (opts.done?.() === true) return;
    const next = clock.nextTimerAt();
    if (next === null || next > opts.to) break;
    clock.advanceTo(next);
  }
  clock.advanceTo(opts.to);
  await io();
  if (opts.done !== undefined && !opts.done()) throw new Error(`clock ran to ${opts.to} without ${opts.what ?? 'the condition'}`);
}
