import net from 'node:net';
import { EventEmitter } from 'eventemitter3';
import type { MarketEvent } from '../../core/domain/market.js';
import { Sfc32 } from '../../core/domain/random.js';
import { toPrice } from '../../core/domain/units.js';
import { TouchMatcher, type FakeMatcher } from './fake-matcher.js';
import { MarketHub } from './market-hub.js';
import { wallClock, type FakeMarketSource, type FakeTwsClock } from './market-source.js';
import type { FakeContract, TwsMessages } from './messages.js';
import { OrderDesk } from './order-desk.js';
import type { ClientRequest, RequestedContract } from './requests.js';
import { ERROR_TEXT, type ScenarioName } from './scenarios.js';
import { TwsConnection, type ConnectionHost } from './tws-connection.js';
import { rawFrame, type Field, type Handshake } from './wire.js';
import { answerInfoRequest } from './info-requests.js';
import { HistoricalPacingLedger } from './historical.js';
import { SCENARIO_SKEW_MS, type Refusals } from './entitlements.js';

export interface FakeTwsOptions {
  /** 0 (default) = ephemeral. */
  port?: number;
  /** Loopback only: anything else is refused. */
  host?: '127.0.0.1' | '::1' | 'localhost';
  /** 100..193, default 193. */
  serverVersion?: number;
  accounts?: string[];
  scenario?: ScenarioName;
  seed?: number;
  market?: FakeMarketSource;
  /** Market pacing: event-time × speed; Infinity plays as fast as possible. Default 1. */
  speed?: number;
  /** When the market source starts playing; default on the first market-data subscription. */
  marketStart?: 'on-subscribe' | 'immediate' | 'manual';
  clock?: FakeTwsClock;
  matcher?: FakeMatcher;
  /** First NEXT_VALID_ID; default 1000 (far from small request ids, docs/tws-adapter.md#ids). */
  nextOrderId?: number;
  /** Known contracts; when given, other symbols get error 200. By default the market's symbols (see FakeMarketSource). */
  contracts?: Array<Partial<FakeContract> & { symbol: string }>;
  /** Starting cash per account in dollars; default 1,000,000. */
  startingCash?: number;
  /** TWS's clock offset (ms) in currentTime answers; default 0 (30 s in the `clock-skew` scenario). */
  clockSkewMs?: number;
}

export interface FrameEvent {
  connectionId: number;
  clientId: number | null;
  request: ClientRequest;
  tokens: readonly string[];
}

export interface FakeTwsEvents {
  frame: (e: FrameEvent) => void;
  connection: (e: { connectionId: number }) => void;
  disconnect: (e: { connectionId: number; clientId: number | null }) => void;
  malformed: (e: { connectionId: number; reason: string; tokens: readonly string[] | null }) => void;
}

/** Faults and scripted frames a test pushes at connected clients. */
export type Injection =
  | { kind: 'frame'; fields: readonly Field[] | ((m: TwsMessages) => readonly Field[]) }
  | { kind: 'raw'; bytes: Buffer }
  | { kind: 'error'; code: number; id?: number; text?: string }
  | { kind: 'close' }
  | { kind: 'silence'; on?: boolean }
  | { kind: 'garbage' }
  | { kind: 'oversized' }
  | { kind: 'fill'; orderId: number; quantity?: number; price?: number }
  | { kind: 'market'; event: MarketEvent };

export interface FakeTwsStats {
  connections: number;
  framesIn: number;
  framesOut: number;
  /** Client frames the server could not decode (too short, unknown id, bad handshake). */
  decodeErrors: number;
}

/**
 * A TWS that the unmodified `@stoqey/ib` client reaches over a real socket on loopback: handshake, order entry with
 * a matcher behind it, market data from a {@link FakeMarketSource}, account queries, and fault injection by scenario
 * or by {@link inject}.
 *
 * Invariants: listens on loopback only; `stop()` closes every socket and the listener and is idempotent; one live
 * connection per client id (a second one gets 326 and is closed).
 */
export class FakeTwsServer extends EventEmitter<FakeTwsEvents> implements ConnectionHost {
  readonly stats: FakeTwsStats = { connections: 0, framesIn: 0, framesOut: 0, decodeErrors: 0 };
  readonly desk: OrderDesk;
  readonly market: MarketHub;
  readonly clock: FakeTwsClock;
  readonly accounts: readonly string[];
  scenario: ScenarioName;
  /**
   * Request kinds the server swallows without answering (the frame is still emitted): e.g. `openOrders` withholds
   * OPEN_ORDER_END, `placeOrder` loses a placement, `currentTime` starves a heartbeat. Tests add and remove kinds.
   */
  readonly withheld = new Set<ClientRequest['kind']>();
  /** Seeded from `options.seed`: drives the random parts of faults (e.g. 10197 burst sizes). */
  readonly rng: Sfc32;
  /** Per-symbol market-data refusals (see entitlements.ts); tests change them at any time. */
  readonly refusals: Refusals = new Map();
  /** TWS's clock offset in currentTime answers (ms); tests change it at any time. */
  clockSkewMs: number;
  /** Historical requests of every connection, for TWS's pacing rules (IB counts them per TWS, not per client). */
  readonly historicalPacing = new HistoricalPacingLedger();
  private readonly connections = new Map<number, TwsConnection>();
  private readonly server: net.Server;
  private nextConnId = 1;
  private nextOrderId: number;
  private stopped = false;

  private constructor(readonly options: FakeTwsOptions) {
    super();
    const sv = options.serverVersion ?? 193;
    if (!Number.isInteger(sv) || sv < 100 || sv > 193) throw new RangeError(`serverVersion ${sv} is outside 100..193`);
    this.clock = options.clock ?? wallClock;
    this.scenario = options.scenario ?? 'normal';
    this.accounts = options.accounts ?? ['DU0000001'];
    this.nextOrderId = options.nextOrderId ?? 1000;
    this.rng = new Sfc32(options.seed ?? 1);
    this.clockSkewMs = options.clockSkewMs ?? (this.scenario === 'clock-skew' ? SCENARIO_SKEW_MS : 0);
    const matcher = options.matcher ?? new TouchMatcher({ partialFills: this.scenario === 'partial-fills' });
    this.market = new MarketHub(matcher, this.clock);
    this.desk = new OrderDesk({
      matcher,
      scenario: () => this.scenario,
      now: () => this.clock.nowMicros(),
      connectionsOf: (id) => this.live().filter((c) => c.clientId === id),
      startingCash: toPrice(options.startingCash ?? 1_000_000),
    });
    this.server = net.createServer((socket) => {
      const conn = new TwsConnection(this.nextConnId++, socket, this);
      this.connections.set(conn.id, conn);
      this.stats.connections++;
      this.emit('connection', { connectionId: conn.id });
    });
  }

  static async start(options: FakeTwsOptions = {}): Promise<FakeTwsServer> {
    const host = options.host ?? '127.0.0.1';
    if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
      throw new RangeError(`fake TWS listens on loopback only, not ${host}`);
    }
    const s = new FakeTwsServer(options);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(options.port ?? 0, host, () => resolve());
    });
    if (options.market && options.marketStart === 'immediate') s.playMarket();
    return s;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Closes every connection and the listener. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.market.stop();
    // destroy, not close(): a connection refused with 326 is half-closed and would hold server.close() open.
    for (const c of this.connections.values()) {
      c.closed = true;
      c.socket.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Starts the configured market source (no-op when none or already playing). */
  playMarket(): Promise<void> {
    if (!this.options.market) return Promise.resolve();
    return this.market.play(this.options.market, this.options.speed ?? 1);
  }

  /** Pushes one market event now, bypassing the source: the most deterministic way to drive a test. */
  publish(event: MarketEvent): void {
    this.market.publish(event);
  }

  /** Applies a fault or scripted frame to every ready connection, or to those of one client id. */
  inject(injection: Injection, target: { clientId?: number } = {}): void {
    if (injection.kind === 'fill') {
      this.desk.forceFill(injection.orderId, injection.quantity, injection.price === undefined ? undefined : toPrice(injection.price));
      return;
    }
    if (injection.kind === 'market') return this.publish(injection.event);
    for (const c of this.live()) {
      if (target.clientId !== undefined && c.clientId !== target.clientId) continue;
      switch (injection.kind) {
        case 'frame':
          c.send(typeof injection.fields === 'function' ? injection.fields(c.msgs) : injection.fields);
          break;
        case 'raw':
          c.sendRaw(injection.bytes);
          break;
        case 'error':
          c.send(
            c.msgs.error(
              injection.id ?? -1,
              injection.code,
              injection.text ?? ERROR_TEXT[injection.code] ?? `fake error ${injection.code}`,
            ),
          );
          break;
        case 'close':
          c.close();
          break;
        case 'silence':
          c.silent = injection.on ?? true;
          break;
        case 'garbage':
          sendGarbage(c);
          break;
        case 'oversized':
          c.sendRaw(rawFrame(0x7fffffff, 'stall'));
          break;
      }
    }
  }

  /** Connections whose socket is open. */
  live(): TwsConnection[] {
    return [...this.connections.values()].filter((c) => !c.closed);
  }

  // ---- ConnectionHost -------------------------------------------------------------------------------------------

  negotiate(_conn: TwsConnection, hs: Handshake): number | null {
    if (this.scenario === 'unsupported-version') return 200;
    const sv = this.options.serverVersion ?? 193;
    return sv >= hs.minVersion && sv <= hs.maxVersion ? sv : Math.min(hs.maxVersion, sv);
  }

  connectionTime(): string {
    const iso = new Date(Math.floor(this.clock.nowMicros() / 1000)).toISOString();
    return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 19)} UTC`;
  }

  onMalformed(conn: TwsConnection, reason: string, tokens: readonly string[] | null): void {
    this.stats.decodeErrors++;
    this.emit('malformed', { connectionId: conn.id, reason, tokens });
  }

  onClosed(conn: TwsConnection): void {
    this.stats.framesIn += conn.framesIn;
    this.stats.framesOut += conn.framesOut;
    this.connections.delete(conn.id);
    this.market.dropConnection(conn);
    this.emit('disconnect', { connectionId: conn.id, clientId: conn.clientId });
  }

  onRequest(conn: TwsConnection, request: ClientRequest, tokens: readonly string[]): void {
    this.emit('frame', { connectionId: conn.id, clientId: conn.clientId, request, tokens });
    if (conn.silent || this.withheld.has(request.kind)) return;
    if (request.kind === 'startApi') return this.startApi(conn, request.clientId);
    if (conn.ready && this.scenario === 'socket-close') return conn.close();
    const m = conn.msgs;
    switch (request.kind) {
      case 'reqIds':
        return conn.send(m.nextValidId(this.allocateOrderId()));
      case 'placeOrder': {
        // TWS with "Read-Only API" on answers every order message with 321 and nothing else: no openOrder, no status.
        if (this.scenario === 'read-only') return conn.send(m.error(request.order.orderId, 321, ERROR_TEXT[321]!));
        const contract = this.contractFor(request.order.contract);
        if (!contract) return conn.send(m.error(request.order.orderId, 200, ERROR_TEXT[200]!));
        this.nextOrderId = Math.max(this.nextOrderId, request.order.orderId + 1);
        return this.desk.place(conn, request.order, contract);
      }
      case 'cancelOrder':
        if (this.scenario === 'read-only') return conn.send(m.error(request.orderId, 321, ERROR_TEXT[321]!));
        return this.desk.cancel(conn, request.orderId);
      case 'globalCancel':
        if (this.scenario === 'read-only') return conn.send(m.error(-1, 321, ERROR_TEXT[321]!));
        return this.desk.globalCancel();
      case 'openOrders':
        if (request.scope === 'auto') return; // reqAutoOpenOrders only binds future orders; TWS sends no list
        return this.desk.openOrders(conn, request.scope === 'all');
      case 'executions':
        return this.desk.replayExecutions(conn, request.reqId, request);
      default:
        return answerInfoRequest(this, conn, request);
    }
  }

  /**
   * Resolves a requested contract: by symbol (or conId), strictly from `options.contracts` when given, else from
   * the symbols the market source lists (a synthetic market lists its one symbol); only a source that lists none
   * resolves any symbol.
   */
  contractFor(req: RequestedContract): FakeContract | null {
    const known: Array<Partial<FakeContract> & { symbol: string }> | undefined =
      this.options.contracts ?? this.options.market?.symbols?.map((symbol) => ({ symbol }));
    if (known) {
      const hit = known.find((c) => (req.symbol !== '' && c.symbol === req.symbol) || (req.conId !== 0 && c.conId === req.conId));
      return hit ? completeContract(hit) : null;
    }
    if (req.symbol === '') return null;
    return completeContract({ symbol: req.symbol, currency: req.currency || 'USD' });
  }

  private allocateOrderId(): number {
    return this.nextOrderId;
  }

  private startApi(conn: TwsConnection, rawClientId: string): void {
    const clientId = parseInt(rawClientId, 10);
    const taken = this.live().some((c) => c !== conn && c.clientId === clientId);
    if (this.scenario === 'client-id-in-use' || taken) {
      conn.send(conn.msgs.error(-1, 326, ERROR_TEXT[326]!));
      conn.socket.end();
      conn.closed = true;
      return;
    }
    conn.clientId = Number.isFinite(clientId) ? clientId : 0;
    if (this.scenario === 'no-next-valid-id') return;
    const m = conn.msgs;
    conn.send(m.managedAccounts(this.accounts));
    conn.send(m.nextValidId(this.nextOrderId));
    conn.ready = true;
    for (const code of [2104, 2106, 2158]) conn.send(m.error(-1, code, ERROR_TEXT[code]!));
    this.onReady(conn);
  }

  /** Scenario faults that fire once the client has released its queue. */
  private onReady(conn: TwsConnection): void {
    const m = conn.msgs;
    const codes: Partial<Record<ScenarioName, number[]>> = {
      'upstream-lost': [1100],
      'upstream-restored-data-lost': [1100, 1101],
      'upstream-restored-data-kept': [1100, 1102],
      'farm-flaps': [2103, 2104, 2105, 2106],
    };
    for (const code of codes[this.scenario] ?? []) conn.send(m.error(-1, code, ERROR_TEXT[code]!));
    if (this.scenario === 'garbage-frames') sendGarbage(conn);
    if (this.scenario === 'oversized-frame') conn.sendRaw(rawFrame(0x7fffffff, 'stall'));
    if (this.scenario === 'silent') conn.silent = true;
  }
}

/** Non-numeric id, unknown id 250, empty payload: each costs the client 505s, and the next frame decodes fine. */
function sendGarbage(c: TwsConnection): void {
  c.sendRaw(rawFrame(8, 'abc\0def\0'));
  c.sendRaw(rawFrame(4, '250\0'));
  c.sendRaw(rawFrame(1, '\0'));
}

export function completeContract(c: Partial<FakeContract> & { symbol: string }): FakeContract {
  let h = 2166136261;
  for (let i = 0; i < c.symbol.length; i++) h = Math.imul(h ^ c.symbol.charCodeAt(i), 16777619) >>> 0;
  return {
    conId: c.conId ?? 100_000 + (h % 900_000),
    symbol: c.symbol,
    secType: c.secType ?? 'STK',
    exchange: c.exchange ?? 'SMART',
    primaryExchange: c.primaryExchange ?? 'NASDAQ',
    currency: c.currency ?? 'USD',
    localSymbol: c.localSymbol ?? c.symbol,
    tradingClass: c.tradingClass ?? 'NMS',
    longName: c.longName ?? `${c.symbol} FAKE INC`,
    minTick: c.minTick ?? 0.01,
    timeZoneId: c.timeZoneId ?? 'US/Eastern',
  };
}
