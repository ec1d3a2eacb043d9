import twsManifest from '../../../adapters/tws/index.js';
import type { TwsBrokerAdapter } from '../../../adapters/tws/orders/broker.adapter.js';
import type { TwsMarketDataFeed } from '../../../adapters/tws/market-data/market-data.feed.js';
import { WallClock } from '../../../adapters/system-clock/wall-clock.js';
import type { QuoteEvent } from '../../../core/domain/market.js';
import { Sfc32 } from '../../../core/domain/random.js';
import type { BrokerEventName, BrokerEvents } from '../../../ports/broker-adapter.js';
import type { FeedEventName, FeedEvents } from '../../../ports/market-data-feed.js';
import { type ValidationTarget, sharedAdapterParams } from './target.js';

/** The broker events the scenarios read, in arrival order. */
export const BROKER_EVENTS: readonly BrokerEventName[] = [
  'connection.changed',
  'order.submitted',
  'order.accepted',
  'order.filled',
  'commission.reported',
  'order.cancelled',
  'order.cancel-rejected',
  'order.rejected',
  'order.unknown',
  'order.adopted',
  'position.changed',
  'reconciliation.started',
  'reconciliation.completed',
  'broker.anomaly',
  'broker.error',
  'account.updated',
  'clock.skew',
];
const FEED_EVENTS: readonly FeedEventName[] = [
  'feed.subscribed',
  'feed.refused',
  'feed.failed',
  'feed.stale',
  'feed.resumed',
  'feed.suspect',
  'feed.interrupted',
  'feed.resubscribed',
];

export interface Recorded {
  name: string;
  p: Record<string, unknown>;
  at: number;
}

/** Harvester's TWS adapter (broker + feed, one connection) as production builds it, with everything it says recorded. */
export interface Venue {
  broker: TwsBrokerAdapter;
  feed: TwsMarketDataFeed;
  events: Recorded[];
  logs: { level: string; msg: string }[];
  clientId: number;
  /** Symbols whose quote line this venue holds. */
  quoteLines: Set<string>;
  close(): Promise<void>;
  of<K extends BrokerEventName>(name: K): BrokerEvents[K][];
  feedOf<K extends FeedEventName>(name: K): FeedEvents[K][];
}

export interface VenueOptions {
  /** Offset from the target's client id (0 = the suite's shared connection). */
  clientOffset: number;
  port?: number;
  account?: string;
  /** Adapter params over the validation defaults (e.g. lineBudget). */
  params?: Record<string, unknown>;
}

/** Builds the adapter through its manifest (the DI path `run` uses), pointed at the target or at a proxy in front. */
export function openVenue(t: ValidationTarget, o: VenueOptions): Venue {
  const logs: Venue['logs'] = [];
  const log = {
    debug: () => {},
    info: (m: string) => logs.push({ level: 'info', msg: m }),
    warn: (m: string) => logs.push({ level: 'warn', msg: m }),
  };
  const account = o.account ?? t.account;
  const clientId = t.clientId + o.clientOffset;
  const params = twsManifest.paramsSchema.parse({
    host: o.port === undefined ? t.host : '127.0.0.1',
    port: o.port ?? t.port,
    clientId,
    accountEnv: 'HV_VALIDATION_ACCOUNT',
    connectTimeoutMs: t.timing.waitMs,
    ...sharedAdapterParams(t),
    reconcileDeadlineMs: t.timing.waitMs,
    ...o.params,
  });
  const inst = twsManifest.create({
    pluginId: 'tws',
    params,
    clock: new WallClock(),
    log,
    random: new Sfc32(2),
    mode: 'paper',
    seed: 2,
    secret: (n) => (n === 'HV_VALIDATION_ACCOUNT' ? account : undefined),
    instrument: () => undefined,
    market: { book: () => undefined, onDepth: () => () => {}, onTrade: () => () => {} },
    // startEquity 0: an equity or buying power above 0 can only have come from the broker.
    account: { id: null, currency: 'USD', startEquity: 0 },
    session: { date: '2026-01-02', timeZone: 'America/New_York', start: 0, end: 0 },
    dataDir: t.dataDir,
  }) as { broker: TwsBrokerAdapter; feed: TwsMarketDataFeed; close: () => Promise<void> };
  const events: Recorded[] = [];
  for (const name of BROKER_EVENTS)
    inst.broker.on(name, (p: BrokerEvents[typeof name]) =>
      events.push({ name, p: p as unknown as Record<string, unknown>, at: Date.now() }),
    );
  for (const name of FEED_EVENTS)
    inst.feed.on(name, (p: unknown) => events.push({ name, p: p as Record<string, unknown>, at: Date.now() }));
  return {
    ...inst,
    events,
    logs,
    clientId,
    quoteLines: new Set(),
    of: (name) => events.filter((e) => e.name === name).map((e) => e.p) as never,
    feedOf: (name) => events.filter((e) => e.name === name).map((e) => e.p) as never,
  };
}

/** Polls until `pred` holds; throws `what` (the scenario's failure reason) after `ms`. */
export async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Subscribes the quote line of `symbol` (once per venue) and waits for a two-sided quote. */
export async function twoSidedQuote(v: Venue, symbol: string, ms: number): Promise<QuoteEvent> {
  let last: QuoteEvent | null = null;
  const off = v.feed.on('quote.updated', (q) => {
    if (q.symbol === symbol && q.bid > 0 && q.ask > 0) last = { ...q };
  });
  try {
    if (!v.quoteLines.has(symbol)) {
      const r = v.feed.subscribe(symbol, 'quote');
      if (!r.ok) throw new Error(`quote line for ${symbol} refused: ${r.code} ${r.reason}`);
      v.quoteLines.add(symbol);
    }
    await until(() => last !== null, ms, `a two-sided quote for ${symbol}`);
    return last!;
  } finally {
    off();
  }
}
