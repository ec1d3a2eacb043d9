import { EventEmitter } from 'eventemitter3';
import { z } from 'zod';
import { resolveConfig } from '../../../core/config/resolve-config.js';
import { createHarvester, type HarvesterRuntime } from '../../../core/di/container.js';
import type { DepthEvent } from '../../../core/domain/market.js';
import type { OrderRequest, SubmitReceipt } from '../../../core/domain/orders.js';
import { ManualClock } from '../../../core/engine/virtual-clock.js';
import type { SessionResult } from '../../../core/engine/session-engine.js';
import noneLearner from '../../../learners/none/index.js';
import { defineAdapter, defineStrategy } from '../../../plugins/sdk/define.js';
import * as builtins from '../../../plugins/risk-policies/index.js';
import type { VirtualClock } from '../../../ports/clock.js';
import type { PlaybackSummary } from '../../../ports/market-data-feed.js';
import type { StrategyContext } from '../../../ports/strategy.js';
import { MemoryJournal } from '../../support/memory-journal.js';
import { InMemoryMemoryStore } from '../../support/memory-store.js';
import { RecordingBroker } from '../../support/recording-broker.js';
import { ScriptedFeed } from '../../support/scripted-feed.js';
import type {
  BrokerRequest,
  KillSwitchSettings,
  RiskEngineContext,
  RiskEngineFactory,
  RiskEngineIntent,
  RiskEngineSession,
  RiskSignal,
} from '../../../plugins/conformance/index.js';

// Harvester's own engine for the RISK engine cards (RISK-13): the real composition root (createHarvester) on an
// in-test feed the card holds open, a recording broker double that outlives restarts (it stands for the venue), and
// one MemoryJournal shared by every session, in mode sim-live so that a journaled HALT carries over a restart.

const DATE = '2026-03-10';
const TZ = 'America/New_York';
/** 10:00 New York on DATE (EDT, UTC−4): inside the cards' trading window. */
const TEN_NY = Date.UTC(2026, 2, 10, 14, 0) * 1000;
/** The first session starts at the window's opening, 09:30 New York (its journal row dates the trading day). */
const OPEN_NY = Date.UTC(2026, 2, 10, 13, 30) * 1000;
const BID = 123_400;
/** The venue's round trip (1 ms). */
const VENUE_LATENCY_US = 1_000;
const SETUP_SETTLE_US = 10_000;
const ASK = 123_500;

/** The kill-switch settings of a card in Harvester's config shape. */
export function killSwitchConfig(k: KillSwitchSettings): Record<string, unknown> {
  return {
    reconnectLoop: k.reconnectLoop,
    staleData: k.staleData,
    rejects: k.rejects,
    outage: {
      timeoutMs: k.outage.timeoutMs,
      action: k.outage.action,
      immediateSafeMode: k.outage.safeModeOnDegraded,
      quietWindows: k.outage.quietWindows,
      timeZone: TZ,
    },
  };
}

interface RawRequest {
  op: BrokerRequest['op'];
  coid: string;
  order?: OrderRequest;
  sessionId: string;
  loopSeq: number;
}

/**
 * The venue double: records every request with the session and loop input that sent it; after its round trip it
 * acknowledges every order, fills market orders (a Connected venue) and confirms cancels of resting (limit) orders.
 */
class VenueDouble extends RecordingBroker {
  readonly log: RawRequest[] = [];
  readonly resting = new Map<string, OrderRequest>();
  /** Which session and loop input is sending (set by the current session). */
  current: { sessionId: string; seq: () => number; clock: VirtualClock } = { sessionId: '', seq: () => 0, clock: new ManualClock(0) };
  private exec = 0;

  private record(op: BrokerRequest['op'], coid: string, order?: OrderRequest): void {
    this.log.push({ op, coid, ...(order ? { order } : {}), sessionId: this.current.sessionId, loopSeq: this.current.seq() });
  }

  override submit(order: OrderRequest): SubmitReceipt {
    this.record('submit', order.coid, order);
    this.later(() => {
      const at = this.current.clock.now();
      this.emit('order.accepted', {
        coid: order.coid,
        brokerOrderId: order.coid,
        permId: null,
        held: false,
        holdReason: null,
        synthetic: false,
        reconciled: false,
        at,
      });
      if (order.type !== 'market') return;
      const price = order.side === 'buy' ? ASK : BID;
      this.emit('order.filled', {
        coid: order.coid,
        execId: `v${++this.exec}`,
        symbol: order.symbol,
        side: order.side,
        qty: order.quantity,
        price,
        cumQty: order.quantity,
        leavesQty: 0,
        status: 'Filled',
        commission: 10_000,
        orderRef: order.orderRef,
        at,
      });
    });
    if (order.type !== 'market') this.resting.set(order.coid, order);
    return { coid: order.coid, status: 'sent' };
  }

  override submitBracket(): SubmitReceipt {
    throw new Error('the RISK-13 double takes no brackets (its setup sends none)');
  }

  override cancel(coid: string): void {
    this.record('cancel', coid);
    const o = this.resting.get(coid);
    if (o === undefined) return;
    this.resting.delete(coid);
    this.later(() =>
      this.emit('order.cancelled', { coid, filledQty: 0, cancelledQty: o.quantity, reason: 'requested', at: this.current.clock.now() }),
    );
  }

  /**
   * A venue answers after a round trip, never inside the call: an engine must not take a request it has not yet
   * seen answered (a pending cancel, a working close) for one it still has to send.
   */
  private later(answer: () => void): void {
    const clock = this.current.clock as VirtualClock;
    clock.setTimer(clock.now() + VENUE_LATENCY_US, answer, 'venue');
  }

  // The base double's modify takes no arguments; the port's first one is the coid.
  override modify(...args: unknown[]): void {
    this.record('modify', String(args[0]));
  }
}

/**
 * (No member named `then`: the container would take the feed for a promise.) A feed that plays one XYZ book at 10:00
 * New York, runs `onOpen` (the setup), and holds the session open until `stop`.
 */
class HeldFeed extends ScriptedFeed {
  override readonly id = 'held';

  constructor(
    clock: VirtualClock,
    private readonly at: number,
    private readonly onOpen: () => void,
    private readonly ready: () => void,
    private readonly stop: Promise<void>,
  ) {
    super([], clock);
  }

  /** The card's feed signals (stale, interrupted…), delivered as the feed's own events. */
  emit(event: string, payload: unknown): void {
    this.emitter.emit(event, payload);
  }

  protected override async play(): Promise<PlaybackSummary> {
    this.clock.advanceTo(this.at);
    const t = this.clock.now();
    const row = (side: 'bid' | 'ask', price: number, seq: number, end: boolean): DepthEvent => ({
      kind: 'depth',
      symbol: 'XYZ',
      side,
      position: -1,
      operation: 'update',
      price,
      size: 500,
      marketMaker: '',
      endOfBatch: end,
      seq,
      epoch: 1,
      recvTime: t,
      exchTime: t,
    });
    this.emitter.emit('depth.updated', row('bid', BID, 1, false));
    this.emitter.emit('depth.updated', row('ask', ASK, 2, true));
    this.onOpen();
    // Let the venue answer the setup before the card's stimulus.
    this.clock.advanceTo(t + SETUP_SETTLE_US);
    this.ready();
    await this.stop;
    return { events: 2, malformed: 0, firstTime: t, lastTime: t };
  }
}

interface Shared {
  journal: MemoryJournal;
  venue: VenueDouble;
  ctx: RiskEngineContext;
  setupCoids: Set<string>;
  resting: string[];
  sessions: number;
}

/** Who sent a request: the flatten procedure (by the `flatten.all` row of the same loop input), the setup, or a strategy. */
function origin(shared: Shared, q: RawRequest): string {
  const flatten = (shared.journal.rows.get(q.sessionId) ?? []).find((row) => row.type === 'flatten.all' && row.loopSeq === q.loopSeq);
  if (flatten !== undefined) {
    const reason = String((flatten.data as { reason?: unknown }).reason);
    return reason.startsWith('kill-switch') ? 'halt-flatten' : reason;
  }
  return q.op === 'submit' && shared.setupCoids.has(q.coid) ? 'setup' : 'strategy';
}

function session(shared: Shared, startAt: number, withSetup: boolean): RiskEngineSession {
  const n = ++shared.sessions;
  const sessionId = `risk13-${shared.ctx.card}-s${n}`;
  const out = new EventEmitter();
  let releaseStop!: () => void;
  const stop = new Promise<void>((resolve) => {
    releaseStop = resolve;
  });
  let runtime: HarvesterRuntime | null = null;
  let running: Promise<SessionResult> | null = null;
  let strategy: StrategyContext | null = null;
  let feed: HeldFeed | null = null;
  let ended = false;

  const post = (task: () => void): void => {
    if (runtime === null) throw new Error('session not started');
    runtime.parts.loop.post(task);
  };
  const submit = (i: Extract<RiskEngineIntent, { kind: 'entry' | 'exit' }> | Parameters<StrategyContext['submit']>[0]) =>
    strategy!.submit({ ...i, reason: 'kit' } as Parameters<StrategyContext['submit']>[0]);

  const end = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    releaseStop();
    try {
      if (running !== null) await running;
    } finally {
      await runtime?.close();
    }
  };

  return {
    get state() {
      return runtime?.engine.gate.state ?? 'RUNNING';
    },
    get resting() {
      return shared.resting;
    },
    get broker(): readonly BrokerRequest[] {
      return shared.venue.log.map((q) => ({
        op: q.op,
        coid: q.coid,
        origin: origin(shared, q),
        ...(q.order ? { symbol: q.order.symbol, side: q.order.side, type: q.order.type, quantity: q.order.quantity } : {}),
      }));
    },
    on(event, listener) {
      out.on(event, listener);
      return () => out.off(event, listener);
    },
    async start() {
      const clock = new ManualClock(startAt);
      let ready!: () => void;
      const isReady = new Promise<void>((resolve) => {
        ready = resolve;
      });
      const feedAdapter = defineAdapter({
        id: 'held',
        apiVersion: 1,
        provides: ['market-data'],
        paramsSchema: z.object({}),
        create: (c) => {
          feed = new HeldFeed(
            c.clock as VirtualClock,
            Math.max(TEN_NY, startAt),
            () => {
              if (withSetup) post(() => setup());
            },
            ready,
            stop,
          );
          return { feed };
        },
      });
      const brokerAdapter = defineAdapter({
        id: 'venue',
        apiVersion: 1,
        provides: ['broker'],
        paramsSchema: z.object({}),
        create: () => ({ broker: shared.venue }),
      });
      const storeAdapter = defineAdapter({
        id: 'memory',
        apiVersion: 1,
        provides: ['store'],
        paramsSchema: z.object({}),
        create: () => ({ journal: shared.journal, memory: new InMemoryMemoryStore() }),
      });
      const strat = defineStrategy({
        id: 'kit-probe',
        apiVersion: 1,
        paramsSchema: z.object({}),
        create: (c) => {
          strategy = c as StrategyContext;
          return { id: c.strategyId, subscriptions: () => [{ symbol: 'XYZ', streams: ['depth'] }] };
        },
      });
      const L = shared.ctx.limits;
      const resolved = await resolveConfig(
        {
          mode: 'sim-live',
          session: { date: DATE, timeZone: TZ, start: L.tradingWindow.start, end: L.tradingWindow.end },
          marketData: { use: 'held' },
          broker: { use: 'venue' },
          store: { use: 'memory' },
          // The card is about the gate's HALT, which answers before any policy; the chain is the card limits that
          // leave the setup (one 100-share fill, two resting 100-share entries) inside every limit.
          risk: [
            { use: builtins.dailyLoss.id, action: 'halt', params: { maxLossPct: L.dailyLossPct } },
            {
              use: builtins.maxPosition.id,
              action: 'reject',
              params: { maxShares: L.maxShares, maxPositionValue: L.maxPositionValue / 10_000 },
            },
          ],
          strategies: [{ use: 'kit-probe' }],
          killSwitch: killSwitchConfig(shared.ctx.killSwitch),
        },
        {
          builtins: [feedAdapter, brokerAdapter, storeAdapter, strat, noneLearner, ...builtins.builtinRiskPolicies],
          baseDir: '.',
          env: {},
        },
      );
      const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
      runtime = await createHarvester(resolved, { sessionId, wallStartedAt: `wall-${n}`, clock, log: quiet });
      const { bus, loop } = runtime.parts;
      shared.venue.current = { sessionId, seq: () => loop.seq, clock };
      // Subscribed before run(): a HALT restored at startup is a transition the kit must see.
      bus.on('risk.state-changed', (e) => out.emit('risk.state-changed', e));
      bus.on('risk.denied', (e) => out.emit('risk.denied', e));
      bus.on('risk.clear-refused', (e) => out.emit('risk.clear-refused', e));
      running = runtime.engine.run();
      // A session that ends (or fails) before its setup must fail the card, not hang it.
      await Promise.race([
        isReady,
        running.then(() => {
          throw new Error(`session ${sessionId} ended before its setup`);
        }),
      ]);
      if (withSetup) {
        const pos = runtime.parts.ledger.position(shared.ctx.setup.position.symbol)?.quantity ?? 0;
        if (pos !== shared.ctx.setup.position.quantity || shared.resting.some((c) => !shared.venue.resting.has(c))) {
          throw new Error(`setup not reached: position ${pos}, resting ${shared.resting.join(',')}`);
        }
      }
    },
    signal(...[event, payload]: RiskSignal) {
      const at = runtime!.clock.now();
      if (event.startsWith('feed.')) feed!.emit(event, payload);
      else shared.venue.emit(event as never, { ...payload, at } as never);
    },
    intent(i) {
      post(() => {
        if (i.kind !== 'modify') {
          submit(i);
          return;
        }
        // Harvester strategies modify by cancel-replace: the cancel is not an intent (no gate), the replacement is.
        const coid = shared.resting[i.order]!;
        const old = shared.venue.resting.get(coid);
        strategy!.cancel(coid);
        submit({
          intentId: i.intentId,
          symbol: 'XYZ',
          kind: 'entry',
          side: 'buy',
          type: 'limit',
          quantity: old?.quantity ?? 100,
          limitPrice: i.limitPrice,
        });
      });
    },
    async restart() {
      await end();
      return session(shared, runtime!.clock.now() + 1_000_000, false);
    },
    dispose: end,
  };

  /** The card's setup, sent by the strategy through the gate like any intent (the double fills market orders). */
  function setup(): void {
    const { position, restingEntries } = shared.ctx.setup;
    const sent = (r: ReturnType<typeof submit>): void => {
      if (r.status !== 'sent') throw new Error(`setup intent ${r.intentId} was ${r.status}`);
      for (const c of r.coids) shared.setupCoids.add(c);
    };
    sent(
      submit({
        intentId: 'setup-position',
        symbol: position.symbol,
        kind: 'entry',
        side: 'buy',
        type: 'market',
        quantity: position.quantity,
      }),
    );
    for (let k = 0; k < restingEntries; k++) {
      const r = submit({
        intentId: `setup-rest-${k}`,
        symbol: position.symbol,
        kind: 'entry',
        side: 'buy',
        type: 'limit',
        quantity: 100,
        limitPrice: BID - 1_000 * (k + 1),
      });
      sent(r);
      if (r.status === 'sent') shared.resting.push(...r.coids);
    }
  }
}

/** The RISK engine factory: a fresh venue double and journal per card; restarts share both. */
export const harvesterRiskEngine: RiskEngineFactory = (ctx) =>
  session({ journal: new MemoryJournal(), venue: new VenueDouble(), ctx, setupCoids: new Set(), resting: [], sessions: 0 }, OPEN_NY, true);
