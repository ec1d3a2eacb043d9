import type { Clock, VirtualClock } from '../../ports/clock.js';
import type { IBrokerAdapter } from '../../ports/broker-adapter.js';
import type { Journal, SessionSummary } from '../../ports/journal.js';
import type { MarketDataFeed, PlaybackOptions } from '../../ports/market-data-feed.js';
import type { MemoryStore } from '../../ports/memory-store.js';
import type { Strategy, StrategyOrderUpdate } from '../../ports/strategy.js';
import { HarvesterError } from '../errors/harvester-error.js';
import { RiskGate } from '../risk/risk-gate.js';
import { JournalWriter } from './journal-writer.js';
import type { SessionPlan } from './session-plan.js';
import type { KernelParts } from './kernel-parts.js';
import { OrderManager } from './order-manager.js';
import { createTradingGate } from '../risk/trading-gate.js';
import { AutoTriggers } from '../risk/auto-triggers.js';
import { checkLiveArming } from '../risk/live-arming.js';
import { scrub } from '../config/redact.js';
import { SessionRecovery } from './session-recovery.js';
import { RiskContextView } from '../risk/risk-context.js';
import { createStrategy, type MemoryHolder } from './strategy-host.js';
import { TradeTracker } from './trade-tracker.js';
import { wireFeed } from './feed-wiring.js';
import { OperatorControls, SymbolPauses } from '../operator/operator-controls.js';
import { endOfDayReport } from './end-of-day.js';
import { LearningLoop, learningEnabled } from '../learning/learning-loop.js';
import type { ActiveMemory } from '../learning/active-memory.js';
import { AccountTruth } from './account-truth.js';
import { DataEntitlements } from './data-entitlements.js';
import { withEntryBlocks } from '../risk/account-gate.js';
import { SampleRecorder } from '../learning/sample-recorder.js';

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
  readonly tracker = new TradeTracker();
  readonly memory: MemoryHolder = { current: null };
  readonly strategies: Strategy[] = [];
  /** Operator and shutdown pauses of entries; read by the trading gate and the risk context. */
  readonly pauses = new SymbolPauses();
  readonly gate: RiskGate;
  readonly orders: OrderManager;
  readonly journalWriter: JournalWriter;
  readonly controls: OperatorControls;
  /** Training samples of every trigger (core/learning): real trades and ghost brackets. */
  readonly samples: SampleRecorder;
  private readonly risk: RiskContextView;
  private fills = 0;
  readonly triggers: AutoTriggers;
  /** The learning loop (core/learning), when a learner other than `none` is configured. */
  readonly learning: LearningLoop | null;
  /** Broker equity, ledger-vs-broker positions, clock skew; and the feed's data checks (docs/tws-account-and-reconciliation.md). */
  readonly account: AccountTruth;
  readonly entitlements = new DataEntitlements();
  /** Restart recovery and checkpoints; null in replay (replays never carry state). */
  readonly recovery: SessionRecovery | null;

  constructor(
    private readonly clock: Clock,
    private readonly feed: MarketDataFeed,
    private readonly broker: IBrokerAdapter,
    private readonly journal: Journal,
    private readonly memoryStore: MemoryStore,
    readonly plan: SessionPlan,
    readonly parts: KernelParts,
  ) {
    const { loop, bus, ledger, router } = parts;
    this.journalWriter = new JournalWriter(journal, plan.run.sessionId, loop, clock, plan.secrets);
    this.gate = new RiskGate(plan.plugins.risk, {
      stateChanged: (e) => {
        this.journalWriter.write('risk', 'risk.state-changed', { ...e });
        bus.emit('risk.state-changed', { ...e, at: clock.now() });
        this.recovery?.stateChanged(e.to, e.reason);
        // A HALT carried over a restart is restored before the broker is connected: it flattens once reconciled.
        if (e.to === 'HALT' && e.by !== 'restart') this.orders.flattenAll(`kill-switch: ${e.reason.code}`);
      },
      clearRefused: (e) => {
        this.journalWriter.write('risk', 'risk.clear-refused', { reasons: e.reasons });
        bus.emit('risk.clear-refused', { reasons: e.reasons, at: clock.now() });
      },
    });
    this.account = new AccountTruth({
      broker,
      ledger,
      journal: this.journalWriter,
      gate: this.gate,
      post: (t) => loop.post(t),
      now: () => clock.now(),
      mode: plan.run.mode,
    });
    this.risk = new RiskContextView({
      clock,
      ledger,
      tracker: this.tracker,
      state: () => this.gate.state,
      book: (s) => router.book(s),
      openOrderCount: () => this.orders.registry.workingOrderCount,
      ordersToday: () => this.orders.ordersSent,
      pausedSymbols: this.pauses.view,
      account: this.account,
    });
    const startGate = createTradingGate({
      gate: this.gate,
      clock,
      journal: this.journalWriter,
      pausedSymbols: this.pauses.view,
      mode: plan.run.mode,
      brokerIsVenue: plan.safety.arming.venues.some((v) => v.path === 'broker'),
      whitelist: plan.safety.whitelist,
      window: plan.day.window,
      maxDataAgeMs: plan.safety.maxDataAgeMs,
      configuredAccount: plan.safety.arming.accountId,
      health: () => broker.health(),
      lastData: (symbol) => router.book(symbol)?.lastRecvTime || null,
    });
    const tradingGate = withEntryBlocks(
      startGate,
      [(i) => this.account.entryBlock(i), (i) => this.entitlements.entryBlock(i.symbol)],
      this.journalWriter,
    );
    this.triggers = new AutoTriggers(this.gate, clock, plan.safety.killSwitch);
    this.recovery =
      plan.run.mode === 'replay'
        ? null
        : new SessionRecovery({
            sessionId: plan.run.sessionId,
            mode: plan.run.mode,
            timeZone: plan.day.window.timeZone,
            startEquity: plan.day.startEquity,
            plan: plan.recovery,
            journal,
            writer: this.journalWriter,
            clock,
            loop,
            bus,
            ledger,
            tracker: this.tracker,
            orders: () => this.orders,
            gate: () => this.gate,
            broker,
            memory: this.memory,
            log: plan.log('engine'),
            ownerOf: (symbol) =>
              this.strategies.find((st) => st.subscriptions().some((sub) => sub.symbol === symbol))?.id ??
              plan.plugins.strategies[0]?.instanceId,
          });
    this.orders = new OrderManager({
      broker,
      gate: tradingGate,
      risk: this.risk,
      clock,
      bus,
      ledger,
      tracker: this.tracker,
      journal: this.journalWriter,
      sessionTag: plan.run.sessionTag,
      post: (t) => loop.post(t),
      notify: (id, u) => this.notify(id, u),
      escalate: (to, reason) => {
        this.gate.escalate(to, reason, 'auto');
      },
      ...(this.recovery !== null ? { recovery: this.recovery } : {}),
    });
    this.controls = new OperatorControls({
      post: (t) => loop.post(t),
      journal: this.journalWriter,
      gate: this.gate,
      pauses: this.pauses,
      flattenAll: (reason) => {
        this.orders.flattenAll(reason);
      },
      riskContext: () => this.risk,
      positions: () => ledger.positions(),
    });
    this.samples = new SampleRecorder({
      sessionId: plan.run.sessionId,
      seed: plan.run.seed,
      clock,
      journal: this.journalWriter,
      bus,
      router,
      tracker: this.tracker,
      killSwitchEngaged: () => this.gate.state === 'HALT',
      syntheticWeight: plan.learning.syntheticWeight,
      forcedExitRCap: plan.learning.forcedExitRCap,
    });
    this.learning = learningEnabled(plan.plugins.learners)
      ? new LearningLoop({
          sessionId: plan.run.sessionId,
          learners: plan.plugins.learners,
          config: plan.learning,
          seed: plan.run.seed,
          store: memoryStore,
          journal,
          samples: this.samples,
          holder: this.memory as { current: ActiveMemory | null },
          write: (kind, type, data, keys) => this.journalWriter.write(kind, type, data, keys),
          post: (task) => loop.post(task),
          canPromote: () => this.gate.state === 'RUNNING',
          learningUnstable: (reason) => {
            this.triggers.learningUnstable(reason);
          },
          // The daily stop (docs/lmp.md#lmp-8) is −1 % of equity.
          dailyLossLimit: Math.round(plan.day.startEquity * 0.01),
          now: () => clock.now(),
          warn: (m, f) => plan.log('learning').warn(m, f),
        })
      : null;
    // Registered before the recorder attaches (in run), so the loop knows a trade's PnL when its sample arrives.
    if (this.learning !== null) bus.on('trade.closed', (t) => this.learning!.onTradeClosed(t), 'learning');
    router.onMark(() => this.gate.monitor(this.risk));
    bus.on('order.filled', () => {
      this.fills++;
    });
    bus.on('plugin.error', (e) => this.journalWriter.write('event', 'plugin.error', { ...e }));
  }

  /** Everything journaled so far is durable when this resolves (operator commands are answered after it). */
  flushJournal(): Promise<void> {
    return this.journal.flush();
  }

  /** Paused symbols, for the narrator and the dashboard. */
  get pausedSymbols(): ReadonlySet<string> {
    return this.pauses.view;
  }

  get riskContext(): RiskContextView {
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
      throw new HarvesterError(
        'ENGINE.INVARIANT',
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
      this.strategies.push(strategy);
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

  private notify(strategyId: string, update: StrategyOrderUpdate): void {
    const s = this.strategies.find((x) => x.id === strategyId);
    if (s?.onOrder === undefined) return;
    try {
      s.onOrder(update);
    } catch (error) {
      this.parts.bus.reportListenerError(strategyId, 'onOrder', error);
    }
  }
}
