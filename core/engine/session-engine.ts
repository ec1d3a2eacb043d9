import type { VirtualClock } from '../../ports/clock.js';
import type { SessionSummary } from '../../ports/journal.js';
import type { PlaybackOptions } from '../../ports/market-data-feed.js';
import type { Strategy } from '../../ports/strategy.js';
import { HarvesterError } from '../errors/harvester-error.js';
import { checkLiveArming } from '../risk/live-arming.js';
import { scrub } from '../config/redact.js';
import { createStrategy } from './strategy-host.js';
import { wireFeed } from './feed-wiring.js';
import { endOfDayReport } from './end-of-day.js';
import type { SessionPlan } from './session-plan.js';
import type { Kernel } from './kernel.js';

export interface SessionResult extends SessionSummary {
  sessionId: string;
  journalSha256: string;
  riskState: string;
}

/** How an orderly stop (SIGINT/SIGTERM) leaves open positions; see SessionPlan.onShutdown. */
export type ShutdownPolicy = 'flatten' | 'keep-protection';

const SETTLE_US = 5_000_000;

/**
 * Session lifecycle: startup (journal, connect, subscribe, load memory, start strategies) → steady state (events
 * one at a time through the loop) → shutdown (stop strategies, cancel and flatten, settle, final flush).
 */
export class SessionEngine {
  // The kernel's objects, exposed for the CLI, the dashboard and tests; the engine never replaces them.
  readonly tracker: Kernel['tracker'];
  readonly memory: Kernel['memory'];
  readonly pauses: Kernel['pauses'];
  readonly gate: Kernel['gate'];
  readonly orders: Kernel['orders'];
  readonly journalWriter: Kernel['journalWriter'];
  readonly controls: Kernel['controls'];
  readonly samples: Kernel['samples'];
  readonly triggers: Kernel['triggers'];
  readonly learning: Kernel['learning'];
  readonly account: Kernel['account'];
  readonly entitlements: Kernel['entitlements'];
  readonly recovery: Kernel['recovery'];
  readonly parts: Kernel['parts'];
  private readonly clock: Kernel['clock'];
  private readonly feed: Kernel['feed'];
  private readonly broker: Kernel['broker'];
  private readonly journal: Kernel['journal'];
  private readonly memoryStore: Kernel['memoryStore'];
  private readonly risk: Kernel['risk'];
  private readonly roster: Kernel['strategies'];
  private fills = 0;

  /** `kernel` comes whole from the composition root (core/di/compose-kernel.ts); the engine builds none of it. */
  constructor(
    readonly plan: SessionPlan,
    kernel: Kernel,
  ) {
    this.clock = kernel.clock;
    this.feed = kernel.feed;
    this.broker = kernel.broker;
    this.journal = kernel.journal;
    this.memoryStore = kernel.memoryStore;
    this.parts = kernel.parts;
    this.tracker = kernel.tracker;
    this.memory = kernel.memory;
    this.pauses = kernel.pauses;
    this.gate = kernel.gate;
    this.orders = kernel.orders;
    this.journalWriter = kernel.journalWriter;
    this.controls = kernel.controls;
    this.samples = kernel.samples;
    this.triggers = kernel.triggers;
    this.learning = kernel.learning;
    this.account = kernel.account;
    this.entitlements = kernel.entitlements;
    this.recovery = kernel.recovery;
    this.risk = kernel.risk;
    this.roster = kernel.strategies;
    // The session summary's fill count.
    this.parts.bus.on('order.filled', () => {
      this.fills++;
    });
  }

  /** The running strategies, in start order. */
  get strategies(): readonly Strategy[] {
    return this.roster.all;
  }

  /** Everything journaled so far is durable when this resolves (operator commands are answered after it). */
  flushJournal(): Promise<void> {
    return this.journal.flush();
  }

  /** Paused symbols, for the narrator and the dashboard. */
  get pausedSymbols(): ReadonlySet<string> {
    return this.pauses.view;
  }

  get riskContext(): Kernel['risk'] {
    return this.risk;
  }

  async run(options: PlaybackOptions = {}): Promise<SessionResult> {
    const { plan, parts, clock } = this;
    const detachBroker = this.orders.attach();
    const detachAccount = this.account.attach();
    const detachEntitlements = this.entitlements.attach((failed, passed) => {
      const off = [parts.bus.on('feed.entitlement', failed, 'account-truth'), parts.bus.on('feed.entitlement-ok', passed, 'account-truth')];
      return () => {
        for (const d of off) d();
      };
    });
    const detachTriggers = this.triggers.attach((event, listener) => parts.bus.on(event, listener as never, 'kill-switch'));
    await this.journal.openSession({
      sessionId: plan.run.sessionId,
      mode: plan.run.mode,
      strategy: plan.plugins.strategies.map((s) => s.manifest.id).join(','),
      learner: plan.plugins.learner.id,
      seed: plan.run.seed,
      config: plan.run.config,
      startedAt: clock.now(),
      wallStartedAt: plan.run.wallStartedAt,
    });
    parts.bus.emit('session.started', { sessionId: plan.run.sessionId, mode: plan.run.mode, at: clock.now() });
    let status: SessionSummary['status'] = 'completed';
    let failure: unknown = null;
    const detachFeed = wireFeed(this.feed, parts, this.journalWriter);
    const detachSamples = this.samples.attach();
    const detachCheckpoints = this.recovery?.attach() ?? (() => {});
    try {
      // Trading stays blocked until restore and the broker's reconciliation have both completed: no strategy runs
      // before both (the TWS adapter's connect() returns once its first reconciliation is complete).
      await this.recovery?.restore();
      this.journalRiskFloor();
      this.checkArming(undefined);
      await this.broker.connect();
      this.checkArming(this.broker.health().account);
      if (this.recovery !== null) {
        this.parts.loop.post(() => this.recovery?.reconciled());
        await this.journal.flush();
      }
      await this.feed.connect();
      if (this.learning !== null) await this.learning.start();
      else {
        const latest = await this.memoryStore.loadLatest();
        this.memory.current = latest === null ? null : { version: latest.meta.version, content: latest.content };
      }
      this.startStrategies();
      for (const s of this.strategies) if (s.start) await s.start();
      await this.steadyState(options);
    } catch (error) {
      status = 'failed';
      failure = error;
    }
    const stopped = options.signal?.aborted === true && status === 'completed';
    await this.shutdown(stopped ? this.plan.day.onShutdown : 'flatten', stopped);
    if (stopped) status = 'stopped';
    else if (this.gate.state === 'HALT' && status === 'completed') status = 'halted';
    this.recovery?.finish();
    detachCheckpoints();
    detachFeed();
    detachSamples();
    detachTriggers();
    detachBroker();
    detachAccount();
    detachEntitlements();
    const summary: SessionSummary = {
      events: parts.router.events,
      orders: this.orders.ordersSent,
      fills: this.fills,
      trades: this.tracker.closedToday,
      netPnl: parts.ledger.dailyPnl(),
      endedAt: clock.now(),
      status,
    };
    await this.journal.closeSession(plan.run.sessionId, summary);
    parts.bus.emit('session.ended', { sessionId: plan.run.sessionId, status, at: clock.now() });
    const journalSha256 = await this.journal.digest(plan.run.sessionId);
    if (failure !== null)
      // A failure that already carries a stable code (an account the venue refused, a broker that never
      // connected) keeps it, so the CLI's message and exit say what went wrong; anything else is a broken invariant.
      throw new HarvesterError(
        failure instanceof HarvesterError ? failure.code : 'ENGINE.INVARIANT',
        scrub(`session ${plan.run.sessionId} failed: ${(failure as Error).message ?? String(failure)}`, plan.secrets),
        { cause: failure },
      );
    return { ...summary, sessionId: plan.run.sessionId, journalSha256, riskState: this.gate.state };
  }

  /**
   * Live never trades by accident: before anything connects (connected === undefined) the config and the arming
   * captured at start must allow the session; once connected, the venue's account must match config and the mode.
   * A refusal halts, is journaled (without the account id) and fails the session, so the run exits non-zero.
   */
  private checkArming(connected: string | null | undefined): void {
    const { arming } = this.plan.safety;
    const { mode } = this.plan.run;
    const verdict = checkLiveArming({
      mode,
      configArmed: arming.configArmed,
      armFlag: arming.armFlag,
      armEnv: arming.armEnv,
      configuredAccount: arming.accountId,
      venues: arming.venues,
      ...(connected === undefined ? {} : { connectedAccount: connected }),
    });
    if (!verdict.ok) {
      this.journalWriter.write('risk', 'arming.refused', {
        code: verdict.code,
        message: verdict.message,
        stage: connected === undefined ? 'before-connect' : 'after-connect',
      });
      this.gate.escalate(
        'HALT',
        { code: 'RISK.BROKER_NOT_READY', limit: 'live-arming', observed: 0, threshold: 1, message: verdict.message },
        'auto',
      );
      throw new HarvesterError(verdict.code, verdict.message);
    }
  }

  /** A session that can reach an account journals its risk floor: what was added and any live override. */
  private journalRiskFloor(): void {
    const floor = this.plan.safety.riskFloor;
    if (!floor.applies) return;
    this.journalWriter.write('risk', 'risk.floor', { added: floor.added, below: floor.below, override: floor.override });
    if (floor.override !== null)
      this.journalWriter.write('risk', 'risk.floor-override', { policies: floor.below.map((b) => b.policy), reason: floor.override });
  }

  private startStrategies(): void {
    const { plan, parts, clock } = this;
    for (const s of plan.plugins.strategies) {
      const strategy = createStrategy(s.manifest, s.instanceId, s.params, {
        clock,
        router: parts.router,
        ledger: parts.ledger,
        orders: this.orders,
        journal: this.journalWriter,
        memory: this.memory,
        log: plan.log,
        seed: plan.run.seed,
        equity: () => this.account.equity(),
        onTrigger: (id, record) => this.samples.onTrigger(id, record),
      });
      this.roster.add(strategy);
      parts.bus.on(
        'trade.closed',
        (t) => {
          if (t.strategyId === strategy.id) strategy.onTradeClosed?.(t);
        },
        strategy.id,
      );
      for (const sub of strategy.subscriptions()) {
        parts.router.addSymbol(sub.symbol, sub.levels ?? 10);
        parts.router.route(strategy, sub.symbol);
        for (const stream of sub.streams) {
          const result = this.feed.subscribe(sub.symbol, stream, { levels: sub.levels ?? 10 });
          if (!result.ok)
            this.journalWriter.write('event', 'feed.refused', { symbol: sub.symbol, stream, code: result.code, reason: result.reason });
        }
      }
    }
  }

  private async steadyState(options: PlaybackOptions): Promise<void> {
    if (this.feed.playback !== undefined) {
      await this.feed.playback.run(options);
      return;
    }
    // Live feeds: run until the session window closes or the caller aborts.
    await new Promise<void>((resolve) => {
      if (options.signal?.aborted === true) return resolve();
      const handle = this.clock.setTimer(this.plan.day.window.end, resolve, 'session-end');
      options.signal?.addEventListener(
        'abort',
        () => {
          this.clock.cancelTimer(handle);
          resolve();
        },
        { once: true },
      );
    });
  }

  /**
   * Stop strategies, then either flatten (session end, failures, and an orderly stop with `onShutdown: 'flatten'`) or,
   * for an orderly stop with `keep-protection`, cancel only the working entries and leave the protective stops and
   * targets of open positions working at the broker. No new entry is accepted from the first moment of a stop.
   */
  private async shutdown(policy: ShutdownPolicy, stopping: boolean): Promise<void> {
    if (stopping) {
      this.pauses.pause('*');
      this.journalWriter.write('risk', 'session.stopping', { onShutdown: policy });
    }
    for (const s of this.strategies) {
      try {
        if (s.stop) await s.stop();
      } catch (error) {
        this.parts.bus.reportListenerError(s.id, 'stop', error);
      }
    }
    this.samples.beginSessionEnd();
    this.parts.loop.post(() => {
      if (policy === 'flatten') this.orders.flattenAll('session-end');
      else this.orders.cancelEntries();
    });
    if (this.clock.kind === 'virtual') (this.clock as VirtualClock).advanceTo(this.clock.now() + SETTLE_US);
    else await new Promise((r) => setTimeout(r, 2000));
    this.samples.finish();
    await this.learning?.flush();
    await this.endOfDay();
    await this.journal.flush();
    try {
      await this.broker.disconnect();
      await this.feed.disconnect();
    } catch (error) {
      this.journalWriter.write('event', 'shutdown.error', { message: (error as Error).message });
    }
  }

  /**
   * End-of-day reconciliation while the venue is still connected: the journal's executions and commissions against
   * the venue's own record by exec id, and the ledger's positions against the broker's; one journaled row, whose
   * discrepancies the alert rules raise as critical.
   */
  private async endOfDay(): Promise<void> {
    try {
      this.journalWriter.durable();
      const fills = await this.journal.entries(this.plan.run.sessionId, { kind: 'fill' });
      const report = endOfDayReport(fills, this.broker.executions?.() ?? null, this.parts.ledger.positions(), this.broker.positions());
      this.journalWriter.write('risk', 'reconciliation.end-of-day', { ...report });
    } catch (error) {
      this.journalWriter.write('event', 'shutdown.error', { step: 'end-of-day reconciliation', message: (error as Error).message });
    }
  }
}
