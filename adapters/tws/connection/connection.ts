import { EventName, IBApi } from '@stoqey/ib';
import { BurstWindow } from '../../../core/domain/burst-window.js';
import type { ErrorCode } from '../../../core/errors/error-codes.js';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import { ruleFor } from '../errors/error-table.js';
import { ReconnectPolicy } from './reconnect-policy.js';
import { DEFAULT_RESET_WINDOWS } from './reset-windows.js';
import { TwsConnectionState } from './connection-state.js';
import type { CodeRoute, SyncTrigger, SyncVerdict, TwsConnectionOptions } from './connection.types.js';
import { dialUntilDeadline } from './dial.js';
import type { FrameFault, FrameGuardStats, TwsFrameGuard } from './frame-guard.js';
import { TwsHeartbeat } from './heartbeat.js';
import { TwsSocket } from './socket.js';
import { TwsRequestRegistry, type CallSpec } from './request-registry.js';
import { TwsTimers } from './timers.js';
import { TwsWindowWatch } from './window-watch.js';
import { installFrameGuard } from './wire-seam.js';

export type {
  CodeRoute,
  ConnectionEvents,
  ConnectionNotice,
  FrameReport,
  LinkUp,
  SyncTrigger,
  SyncVerdict,
  TwsConnectionOptions,
} from './connection.types.js';

/**
 * One socket per client id, and the state machine over it (TwsConnectionState). Owns the request registry, the id
 * allocator, the heartbeat, the reconnect ladder and the reset-window escalation. Trading readiness is delegated to one
 * sync handler (the broker's reconciliation): the state reaches Connected only after it says 'ok', at connect, after a
 * reconnect and after 1101/1102.
 */
export class TwsConnection extends TwsConnectionState {
  readonly ib: IBApi;
  /** Every timer of the connection, on the injected Clock (real and unref'd with the WallClock). */
  readonly timers: TwsTimers;
  readonly registry: TwsRequestRegistry;
  private readonly link: TwsSocket;
  private readonly heartbeat: TwsHeartbeat;
  private readonly policy: ReconnectPolicy;
  private sync: ((trigger: SyncTrigger) => Promise<SyncVerdict>) | null = null;
  private connecting: Promise<void> | null = null;
  private cancelRetry: (() => void) | null = null;
  private readonly windowWatch: TwsWindowWatch;
  private attemptInFlight = false;
  private quietNoticed = false;
  private upstreamDown = false;
  private userClosed = false;
  private disposed = false;
  private readonly frames: TwsFrameGuard;
  private readonly badFrames: BurstWindow;
  private framesNoticed = false;

  constructor(private readonly o: TwsConnectionOptions) {
    super();
    this.timers = new TwsTimers(o.clock);
    this.ib = new IBApi({ host: o.host, port: o.port });
    this.registry = new TwsRequestRegistry(o.clock, this.timers);
    this.windowWatch = new TwsWindowWatch(this.timers, o.resetRetryMs ?? 60_000);
    this.link = new TwsSocket(this.ib, o.clientId, this.timers);
    // Every inbound byte is checked before @stoqey/ib decodes it (connection/frame-guard.ts); the seam is in connection/wire-seam.ts.
    this.frames = installFrameGuard(this.ib, { dropped: (fault, detail, fatal) => this.onBadFrame(fault, detail, fatal) });
    this.badFrames = new BurstWindow(o.badFrameLimit ?? 5, (o.badFrameWindowMs ?? 10_000) * 1_000);
    this.link.beforeOpen = () => {
      this.frames.reset();
      this.framesNoticed = false;
    };
    this.policy = new ReconnectPolicy({
      backoffMs: o.backoffMs,
      maxAttempts: o.maxReconnectAttempts ?? 10,
      jitter: o.jitter,
      resetWindows: o.resetWindows ?? DEFAULT_RESET_WINDOWS,
      resetRetryMs: o.resetRetryMs ?? 60_000,
    });
    const probe = {
      intervalMs: o.heartbeatIntervalMs ?? 10_000,
      timeoutMs: o.heartbeatTimeoutMs ?? 5_000,
      maxMisses: o.heartbeatMisses ?? 2,
    };
    this.heartbeat = new TwsHeartbeat(probe, this.timers, {
      probe: () =>
        this.registry.call<number>({
          type: 'current-time',
          origin: 'heartbeat',
          deadlineMs: probe.timeoutMs,
          send: () => this.ib.reqCurrentTime(),
        }),
      beat: (serverSeconds) => {
        this.lastHeartbeatAt = o.clock.now();
        this.clockSkewUs = serverSeconds * 1_000_000 - this.lastHeartbeatAt;
        this.emit('heartbeat', this.clockSkewUs);
      },
      dead: (misses) => this.linkLost(`heartbeat: ${misses} probes unanswered`),
    });
    this.ib.on(EventName.currentTime, (t: number) => {
      this.registry.completeType('current-time', t);
    });
    this.ib.on(EventName.error, (err: Error, code: number, reqId: number) =>
      this.onCode(code ?? -1, reqId ?? -1, err?.message ?? String(err)),
    );
    this.ib.on(EventName.info, (message: string, code: number) => this.onCode(code, -1, message));
    this.link.onClosed = () => this.onSocketClosed();
  }

  get accounts(): string[] {
    return this.link.accounts;
  }

  /** Inbound frames passed to and dropped before the client library, since construction. */
  get frameStats(): Readonly<FrameGuardStats> {
    return this.frames.stats;
  }

  /** True while a handshaken socket is open: requests may be sent. */
  get linkUp(): boolean {
    return this.link.up;
  }

  /** The one place that decides when trading may resume; the broker registers its reconciliation here. */
  setSyncHandler(handler: (trigger: SyncTrigger) => Promise<SyncVerdict>): void {
    this.sync = handler;
  }

  /** Resolves once the link is up and the sync handler said 'ok'; rejects with a HarvesterError otherwise. */
  connect(): Promise<void> {
    if (this.disposed) return Promise.reject(new HarvesterError('BROKER.DISPOSED', 'connection disposed'));
    if (this.connecting !== null) return this.connecting;
    if (this.state !== 'Disconnected') return Promise.resolve();
    this.userClosed = false;
    this.policy.reset();
    this.move('Connecting', 'requested');
    this.connecting = this.firstConnect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  disconnect(reason = 'requested'): void {
    this.userClosed = true;
    this.stopActivity('BROKER.NOT_CONNECTED', 'disconnect requested');
    this.link.close();
    if (this.state !== 'Disconnected') this.move('Disconnected', reason);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disconnect('disposed');
    this.disposed = true;
    this.registry.dispose();
    this.timers.dispose();
  }

  /**
   * A registered one-shot request (historical data, contract details…): it gets an id from the one allocator, a
   * deadline, and its IB errors. Refused at once while the link is down: @stoqey/ib would queue the call and send it
   * on the next link, long after its caller stopped waiting.
   */
  call<T>(spec: Omit<CallSpec, 'id'> & { withId?: boolean }): Promise<T> {
    if (!this.link.up)
      return Promise.reject(new HarvesterError('BROKER.NOT_CONNECTED', `${spec.type} request refused: TWS link is ${this.state}`));
    const { withId, ...rest } = spec;
    return this.registry.call<T>(withId === false ? rest : { ...rest, id: this.allocateId() });
  }

  /** One monotonic allocator for order ids and request ids, so an error's id is never ambiguous (docs/tws-adapter.md#ids). */
  allocateId(): number {
    return this.link.allocateId();
  }

  /** An order id seen from TWS (adopted orders): later ids must exceed it or TWS answers 103. */
  observeOrderId(id: number): void {
    this.link.observeId(id);
  }

  // ---- connect, sync, reconnect ----

  private async firstConnect(): Promise<void> {
    try {
      await this.link.closeAndWait(); // a disconnect() just before: let that socket report closed first
      await dialUntilDeadline({
        link: this.link,
        clock: this.o.clock,
        deadlineMs: this.o.connectTimeoutMs,
        nextDelayMs: () => this.policy.backoff(),
        wait: (ms) => this.waitRetry(ms),
        cancelled: () => this.userClosed || this.disposed || this.state !== 'Connecting',
      });
    } catch (e) {
      await this.link.closeAndWait();
      if (this.state === 'Connecting') this.move('Disconnected', (e as HarvesterError).code ?? 'failed');
      throw e;
    }
    this.emit('restored', 'connect');
    const verdict = await this.runSync('connect');
    if (verdict !== 'ok' || this.state !== 'Connecting') {
      const error =
        verdict instanceof HarvesterError
          ? verdict
          : new HarvesterError(
              this.userClosed ? 'BROKER.NOT_CONNECTED' : 'BROKER.RECONCILE_FAILED',
              this.userClosed ? 'disconnected while connecting' : 'initial reconciliation did not complete',
            );
      await this.link.closeAndWait();
      this.stopActivity('BROKER.NOT_CONNECTED', error.message);
      if (this.state === 'Connecting') this.move('Disconnected', error.code);
      throw error;
    }
    this.ready('ready');
  }

  private ready(reason: string): void {
    this.policy.reset();
    this.move('Connected', reason);
    this.heartbeat.start();
    if (this.upstreamDown) this.enterDegraded('upstream-lost (reported during sync)');
  }

  private async runSync(trigger: SyncTrigger): Promise<SyncVerdict> {
    const gen = this.link.generation;
    const attempts = this.o.syncAttempts ?? 3;
    for (let i = 0; i < attempts; i++) {
      if (!this.link.up || this.link.generation !== gen || this.userClosed) return 'retry';
      const verdict = this.sync === null ? 'ok' : await this.sync(trigger).catch((): SyncVerdict => 'retry');
      if (!this.link.up || this.link.generation !== gen || this.userClosed) return 'retry';
      if (verdict !== 'retry') return verdict;
      if (i + 1 < attempts) await this.timers.sleep(this.o.syncRetryMs ?? 1_000, 'tws sync retry');
    }
    return 'retry';
  }

  /** The link is dead or unusable: Reconnecting, force the socket closed, then the ladder. */
  private linkLost(reason: string): void {
    if (this.state !== 'Connected' && this.state !== 'Degraded') return;
    this.clearWatch();
    this.upstreamDown = false;
    this.policy.reset();
    this.quietNoticed = false;
    this.move('Reconnecting', reason);
    this.emit('interrupted', reason);
    this.heartbeat.stop();
    this.registry.failAll('BROKER.NOT_CONNECTED', reason);
    if (this.link.socketOpen)
      this.link.close(); // onSocketClosed schedules the ladder
    else this.scheduleReconnect();
  }

  private onSocketClosed(): void {
    this.heartbeat.stop();
    this.registry.failAll('BROKER.NOT_CONNECTED', 'socket closed');
    if (this.userClosed || this.disposed || this.link.handshaking) return;
    if (this.state === 'Connected' || this.state === 'Degraded') this.linkLost('socket closed');
    else if (this.state === 'Reconnecting') this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.cancelRetry !== null || this.attemptInFlight || this.userClosed || this.disposed || this.state !== 'Reconnecting') return;
    const d = this.policy.next(this.o.clock.now());
    if (d.kind === 'escalate') return this.escalate(d.code, d.reason, 502);
    if (d.quiet && !this.quietNoticed) {
      this.quietNoticed = true; // once per outage: a nightly reset is routine, not an alarm
      this.notice(
        502,
        'BROKER.NOT_CONNECTED',
        'warn',
        `disconnected inside IB reset window (${d.window?.window.label ?? 'scheduled'}): retrying every ${d.delayMs} ms`,
      );
    }
    this.cancelRetry = this.timers.after(
      d.delayMs,
      () => {
        this.cancelRetry = null;
        void this.attempt();
      },
      'tws reconnect',
    );
  }

  /** A first-connect backoff step; `stopActivity` (disconnect, dispose) ends it early so connect() settles at once. */
  private waitRetry(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = this.timers.after(
        ms,
        () => {
          this.cancelRetry = null;
          resolve();
        },
        'tws connect backoff',
      );
      this.cancelRetry = () => {
        cancel();
        resolve();
      };
    });
  }

  private async attempt(): Promise<void> {
    if (this.state !== 'Reconnecting' || this.userClosed) return;
    this.attemptInFlight = true;
    try {
      await this.link.closeAndWait();
      await this.link.open(this.o.connectTimeoutMs);
    } catch {
      this.attemptInFlight = false;
      await this.link.closeAndWait();
      this.scheduleReconnect();
      return;
    }
    this.attemptInFlight = false;
    const gen = this.link.generation;
    this.reconnects++;
    this.emit('restored', 'reconnect');
    const verdict = await this.runSync('reconnect');
    if (this.link.generation !== gen || this.state !== 'Reconnecting') return; // superseded by a newer link
    if (verdict === 'ok') return this.ready('reconciled');
    if (verdict instanceof HarvesterError) return this.escalate(verdict.code, verdict.message, 502);
    await this.link.closeAndWait(); // reconciliation never completed on this link: try a fresh one
    this.scheduleReconnect();
  }

  // ---- inbound frames ----

  /**
   * A frame was dropped before decoding. One is noise (reported once per link); a lost framing, or a burst of
   * badFrameLimit within badFrameWindowMs, means the link cannot be trusted: it is treated as broken, so it
   * reconnects and the kill switch's reconnect and outage rules apply as for any lost link.
   */
  private onBadFrame(fault: FrameFault, detail: string, fatal: boolean): void {
    const broken = fatal || this.badFrames.hit(this.o.clock.now());
    if (!this.framesNoticed || broken) {
      this.framesNoticed = true;
      this.emit('frames', { fault, detail, dropped: this.frames.stats.dropped, broken });
    }
    if (!broken) return;
    this.frames.abandon();
    const reason = `malformed inbound frames (${fault}: ${detail})`;
    this.notice(505, 'DATA.MALFORMED_LINE', 'error', `${reason}: the TWS link is treated as broken and reconnects`);
    if (this.state === 'Connected' || this.state === 'Degraded') this.linkLost(reason);
    else this.link.close(); // during a handshake or sync: that attempt fails and the ladder goes on
  }

  // ---- IB codes ----

  private onCode(code: number, reqId: number, message: string): void {
    const route: CodeRoute = reqId >= 0 ? this.registry.route(reqId, code, message) : 'system';
    const rule = ruleFor(code);
    if (route === 'system' && rule.action === 'connectivity') this.onConnectivity(code);
    this.emit('code', code, reqId, message, route);
    // The code's own broker.error is already fatal: halting adds no second notice.
    if (rule.action === 'hard-fail' && rule.halt === true && route === 'system')
      this.escalate(rule.harvesterCode, `IB ${code}: ${message}`, code, false);
  }

  private onConnectivity(code: number): void {
    if (code === 1100 || code === 2110) {
      if (this.upstreamDown) return; // IB repeats 1100 many times during a reset: act on the edge only
      this.upstreamDown = true;
      if (this.state === 'Connected') this.enterDegraded(`upstream-lost (IB ${code})`);
    } else if (code === 1101 || code === 1102) {
      const wasDown = this.upstreamDown || this.state === 'Degraded';
      this.upstreamDown = false;
      if (!wasDown || this.state !== 'Degraded') return;
      this.clearWatch();
      // 1101: TWS dropped our market-data requests; 1102: they survived. Both delayed execution reports: reconcile.
      this.emit('restored', code === 1101 ? 'data-lost' : 'data-kept');
      void this.restoreSync();
    } else if (code === 1300) this.linkLost('IB 1300: socket port reset');
  }

  private enterDegraded(reason: string): void {
    this.policy.reset();
    const hit = this.policy.window(this.o.clock.now());
    this.move('Degraded', reason);
    if (hit !== null)
      this.notice(
        1100,
        'BROKER.NOT_CONNECTED',
        'warn',
        `IB upstream lost inside reset window (${hit.window.label ?? 'scheduled'}): expected, waiting`,
      );
    this.windowWatch.start(
      () => this.state === 'Degraded',
      () => this.policy.overrun(this.o.clock.now()),
      () => this.escalate('BROKER.RESET_WINDOW_OVERRUN', 'IB upstream still lost after the reset window ended', 1100),
    );
  }

  private async restoreSync(): Promise<void> {
    const gen = this.link.generation;
    const verdict = await this.runSync('restored');
    if (this.link.generation !== gen || this.state !== 'Degraded') return;
    if (verdict === 'ok') {
      this.move('Connected', 'reconciled');
      if (this.upstreamDown) this.enterDegraded('upstream-lost again during reconciliation');
    } else if (verdict instanceof HarvesterError) this.escalate(verdict.code, verdict.message, 1101);
    else this.linkLost('reconciliation after restore did not complete');
  }

  /** Give up: a fatal notice for the kill switch, then Halting → Disconnected. */
  private escalate(harvesterCode: ErrorCode, reason: string, ibCode: number, announce = true): void {
    if (this.state === 'Disconnected' || this.state === 'Halting') return;
    if (announce) this.notice(ibCode, harvesterCode, 'fatal', reason);
    this.userClosed = true;
    this.stopActivity(harvesterCode, reason);
    this.move('Halting', reason);
    this.link.close();
    this.move('Disconnected', reason);
  }

  private stopActivity(code: ErrorCode, reason: string): void {
    this.heartbeat.stop();
    this.cancelRetry?.();
    this.cancelRetry = null;
    this.clearWatch();
    this.registry.failAll(code, reason);
  }

  private clearWatch(): void {
    this.windowWatch.stop();
  }
}
