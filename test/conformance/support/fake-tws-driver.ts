import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twsManifest from '../../../adapters/tws/index.js';
import type { TwsBrokerAdapter } from '../../../adapters/tws/orders/broker.adapter.js';
import type { TwsMarketDataFeed } from '../../../adapters/tws/market-data/market-data.feed.js';
import { Sfc32 } from '../../../core/domain/random.js';
import { fromPrice } from '../../../core/domain/units.js';
import type { Clock } from '../../../ports/clock.js';
import { FakeTwsServer, StepClock } from '../../../adapters/fake-tws/index.js';
import type { BrokerDriver, DepthRow, FeedDriver, PrintSpec } from '../../../plugins/conformance/index.js';
import { holdFrame, twsFaultFeatures } from './fake-tws-faults.js';

export const KIT_ACCOUNT = 'DU0000001';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Socket round trips are not on the kit's clock: after every stimulus the kit waits until loopback traffic has
 * stopped (no frame in or out, no market event, over two short intervals). The first, longer wait covers the client's
 * own outbound queue (@stoqey/ib paces its sends), which the server cannot see. It waits on real time but asserts
 * nothing about it; the bound only keeps a wedged socket from hanging the card.
 */
export async function socketsQuiet(server: FakeTwsServer): Promise<void> {
  const traffic = (): number => server.market.eventsPublished + server.live().reduce((n, c) => n + c.framesIn + c.framesOut, 0);
  await sleep(25);
  let last = -1;
  for (let stable = 0, i = 0; stable < 2 && i < 100; i++) {
    await sleep(8);
    for (let k = 0; k < 3; k++) await new Promise<void>((resolve) => setImmediate(resolve));
    const now = traffic();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
}

export interface TwsRig {
  server: FakeTwsServer;
  /** The managed-accounts list the fake announces (the driver's authFail edits it). */
  accounts: string[];
  broker: TwsBrokerAdapter;
  feed: TwsMarketDataFeed;
  /** The adapter's data directory (its id journal); a restart reuses it, as a new process on the same host would. */
  dataDir: string;
  close: () => Promise<void>;
}

/**
 * A fresh fake TWS on an ephemeral loopback port and the TWS adapter (through its manifest) on the kit's clock.
 * `venue.contracts`: the symbols the fake resolves (others get 200, as from a real TWS); default: every symbol.
 * `venue.server`: reuse a running fake (a restart: the venue outlives the adapter); `venue.dataDir`: reuse the previous
 * adapter's data directory (its id journal); by default a fresh temporary one, removed on close. `venue.params`:
 * adapter parameters over the rig's fast defaults (e.g. the production ladder).
 */
export async function startTwsRig(
  clock: Clock,
  startEquity: number,
  budgets = { lines: 100, depth: 3 },
  venue: {
    contracts?: readonly string[];
    server?: FakeTwsServer;
    accounts?: string[];
    dataDir?: string;
    params?: Record<string, unknown>;
  } = {},
): Promise<TwsRig> {
  const dataDir = venue.dataDir ?? mkdtempSync(join(tmpdir(), 'hv-tws-kit-'));
  const accounts = venue.accounts ?? [KIT_ACCOUNT];
  const server =
    venue.server ??
    (await FakeTwsServer.start({
      // The venue's cash is the account's: the adapter's snapshot is TWS's account summary.
      clock: new StepClock(),
      accounts,
      startingCash: startEquity / 10_000,
      ...(venue.contracts !== undefined ? { contracts: venue.contracts.map((symbol) => ({ symbol })) } : {}),
    }));
  const inst = twsManifest.create({
    pluginId: 'tws',
    params: twsManifest.paramsSchema.parse({
      port: server.port,
      clientId: 31,
      connectTimeoutMs: 2_000,
      backoffMs: [50, 100, 200],
      reconcileDeadlineMs: 500,
      syncRetryMs: 50,
      accountEnv: 'HV_KIT_TWS_ACCOUNT',
      lineBudget: budgets.lines,
      depthBudget: budgets.depth,
      ...venue.params,
    }),
    clock,
    log: { debug: () => {}, info: () => {}, warn: () => {} },
    random: new Sfc32(1),
    mode: 'paper',
    seed: 1,
    secret: (n) => (n === 'HV_KIT_TWS_ACCOUNT' ? KIT_ACCOUNT : undefined),
    instrument: () => undefined,
    market: { book: () => undefined, onDepth: () => () => {}, onTrade: () => () => {} },
    account: { id: null, currency: 'USD', startEquity },
    session: { date: '2026-03-10', timeZone: 'America/New_York', start: 0, end: 0 },
    dataDir,
  }) as { broker: TwsBrokerAdapter; feed: TwsMarketDataFeed; close: () => Promise<void> };
  return {
    server,
    accounts,
    broker: inst.broker,
    feed: inst.feed,
    dataDir,
    close: async () => {
      await inst.close().catch(() => undefined);
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function quoteEvent(symbol: string, bid: number, bidSize: number, ask: number, askSize: number, t: number) {
  return { kind: 'quote' as const, symbol, bid, bidSize, ask, askSize, flags: 0, seq: 0, epoch: 1, recvTime: t, exchTime: t };
}

/** The broker double: the fake TWS's own desk and matcher, driven through its public API. */
export function twsBrokerDriver(rig: TwsRig, clock: Clock): BrokerDriver {
  const { server, broker } = rig;
  // Order messages as the venue got them, stamped with the kit's clock (BRK-08 checks the cancel's slot and the budget).
  const received: { kind: 'place' | 'cancel' | 'modify'; coid: string; at: number }[] = [];
  const traffic: number[] = [];
  const placed = new Set<number>();
  // coid ↔ TWS order id as the adapter reported them (filled orders leave openOrders(), their ids stay here).
  const ids = new Map<string, number>();
  broker.on('order.accepted', (a) => ids.set(a.coid, Number(a.brokerOrderId)));
  const idOf = (coid: string): number | undefined => {
    const open = broker.openOrders().find((x) => x.coid === coid)?.brokerOrderId;
    return open != null ? Number(open) : ids.get(coid);
  };
  const coidOf = (orderId: number): string =>
    broker.openOrders().find((o) => o.brokerOrderId === String(orderId))?.coid ??
    [...ids].find(([, id]) => id === orderId)?.[0] ??
    String(orderId);
  const attempts: { at: number; identity: string }[] = [];
  const faults = twsFaultFeatures(rig, idOf);
  server.on('frame', (f) => {
    const r = f.request;
    traffic.push(clock.now());
    if (r.kind === 'startApi') attempts.push({ at: clock.now(), identity: String(r.clientId) });
    if (r.kind === 'placeOrder') {
      received.push({ kind: placed.has(r.order.orderId) ? 'modify' : 'place', coid: coidOf(r.order.orderId), at: clock.now() });
      placed.add(r.order.orderId);
    } else if (r.kind === 'cancelOrder') received.push({ kind: 'cancel', coid: coidOf(r.orderId), at: clock.now() });
  });
  return {
    quote: (symbol, bid, bidSize, ask, askSize) => server.publish(quoteEvent(symbol, bid, bidSize, ask, askSize, clock.now())),
    fill: (coid, o) => {
      const order = broker.openOrders().find((x) => x.coid === coid);
      if (order === undefined) return;
      if (faults.fill(Number(order.brokerOrderId), o?.qty, o?.price)) return;
      server.inject({
        kind: 'fill',
        orderId: Number(order.brokerOrderId),
        ...(o?.qty !== undefined ? { quantity: o.qty } : {}),
        ...(o?.price !== undefined ? { price: fromPrice(o.price) } : {}),
      });
    },
    // The venue refuses the next placement as TWS does (201 with the reason, then Cancelled, never an ack): the desk
    // never sees that frame, and the refusal is written instead.
    reject: (o) => {
      const once = (f: { connectionId: number; request: { kind: string; order?: { orderId: number } } }): void => {
        if (f.request.kind !== 'placeOrder' || f.request.order === undefined) return;
        if (o.coid !== undefined && idOf(o.coid) !== f.request.order.orderId) return; // a chosen bracket leg
        server.off('frame', once);
        const conn = server.live().find((c) => c.id === f.connectionId);
        if (conn === undefined) return;
        const orderId = f.request.order.orderId;
        holdFrame(server, conn, () => {
          conn.send(conn.msgs.error(orderId, o.venueCode ?? 201, `Order rejected - reason:${o.reason}`));
          conn.send(
            conn.msgs.orderStatus({
              orderId,
              status: 'Cancelled',
              filled: 0,
              remaining: 0,
              avgFillPrice: 0,
              permId: 0,
              parentId: 0,
              lastFillPrice: 0,
              clientId: conn.clientId ?? 0,
              whyHeld: '',
            }),
          );
        });
      };
      server.on('frame', once);
    },
    received: () => received,
    traffic: () => traffic,
    connectAttempts: () => attempts,
    settle: () => socketsQuiet(server),
    ...faults.features,
  };
}

const ibSide = (price: number): number => (price === -1 ? -10_000 : price);

/** The feed's source double: market events published by the fake TWS, and raw IB depth rows on the subscription. */
export function twsFeedDriver(rig: TwsRig, clock: Clock): FeedDriver {
  const { server } = rig;
  const depthSubs = (symbol: string) => server.market.subs.filter((s) => s.kind === 'depth' && s.symbol === symbol);
  const OPS = { insert: 0, update: 1, delete: 2 } as const;
  const send = (symbol: string, rows: readonly DepthRow[]): void => {
    for (const s of depthSubs(symbol)) {
      for (const r of rows)
        s.conn.send(s.conn.msgs.depth(s.reqId, r.position, OPS[r.operation], r.side === 'bid' ? 1 : 0, fromPrice(r.price), r.size));
    }
  };
  return {
    // The kit marks a missing side −1 as IB does; the hub turns Price units into TWS decimals, so IB's −1 is −10 000.
    // A subscription the kit has just made may still be in the client's outbound queue: let it reach the fake first
    // (real time only, the kit's clock stands still), as a source that quotes "now" would see it.
    quote: async (symbol, bid, bidSize, ask, askSize) => {
      if (rig.feed.usage().lines.used > 0 && !server.market.subs.some((s) => s.kind === 'l1' && s.symbol === symbol))
        await socketsQuiet(server);
      server.publish(quoteEvent(symbol, ibSide(bid), bidSize, ibSide(ask), askSize, clock.now()));
    },
    depthRows: async (symbol, rows, options) => {
      const at = options?.splitAt ?? rows.length;
      send(symbol, rows.slice(0, at));
      if (at < rows.length) {
        await socketsQuiet(server);
        send(symbol, rows.slice(at));
      }
    },
    prints: (symbol, prints: readonly PrintSpec[]) => {
      for (const p of prints) {
        const t = clock.now();
        server.publish({
          kind: 'trade',
          symbol,
          price: p.price,
          size: p.size,
          aggressor: 'unknown',
          aggressorSource: 'venue',
          seq: 0,
          epoch: 1,
          recvTime: t,
          exchTime: t,
        });
      }
    },
    // TWS 317 resets a depth book, 316 halts it; both are addressed to the depth request.
    bookReset: (symbol, kind) => {
      for (const s of depthSubs(symbol))
        s.conn.send(
          s.conn.msgs.error(
            s.reqId,
            kind === 'reset' ? 317 : 316,
            kind === 'reset' ? 'Market depth data has been RESET' : 'Market depth data HALTED',
          ),
        );
    },
    socketDrop: () => server.inject({ kind: 'close' }),
    upstreamLoss: (phase) => server.inject({ kind: 'error', code: phase === 'lost' ? 1100 : 1102 }),
    settle: () => socketsQuiet(server),
  };
}
