import type { ActiveMemory } from '../learning/active-memory.js';
import { LearningLoop, learningEnabled } from '../learning/learning-loop.js';
import { SampleRecorder } from '../learning/sample-recorder.js';
import { OperatorControls, SymbolPauses } from '../operator/operator-controls.js';
import { withEntryBlocks } from '../risk/account-gate.js';
import { AutoTriggers } from '../risk/auto-triggers.js';
import { RiskContextView } from '../risk/risk-context.js';
import { RiskGate } from '../risk/risk-gate.js';
import { createTradingGate } from '../risk/trading-gate.js';
import { AccountTruth } from '../engine/account-truth.js';
import { DataEntitlements } from '../engine/data-entitlements.js';
import { JournalWriter } from '../engine/journal-writer.js';
import type { Kernel, KernelPorts } from '../engine/kernel.js';
import type { KernelParts } from '../engine/kernel-parts.js';
import { OrderManager } from '../engine/order-manager.js';
import type { SessionPlan } from '../engine/session-plan.js';
import { SessionRecovery } from '../engine/session-recovery.js';
import type { MemoryHolder } from '../engine/strategy-host.js';
import { StrategyRoster } from '../engine/strategy-roster.js';
import { TradeTracker } from '../engine/trade-tracker.js';

/**
 * The kernel object graph of one session, top to bottom in the order it is built (docs/decisions/0008-explicit-composition-root.md).
 * Constructors register nothing on the bus; the few listeners wired here are registered last, in a fixed order,
 * and everything else attaches when the session runs — so the bus-listener order, and the journal, stay stable.
 */
export function composeKernel(ports: KernelPorts, plan: SessionPlan, parts: KernelParts): Kernel {
  const { clock, broker, journal, memoryStore } = ports;
  const { loop, bus, ledger, router } = parts;
  const post = (task: () => void): void => loop.post(task);

  // Plain state the session's objects share.
  const tracker = new TradeTracker();
  const memory: MemoryHolder = { current: null };
  const pauses = new SymbolPauses();
  const strategies = new StrategyRoster(bus);
  const entitlements = new DataEntitlements();
  const journalWriter = new JournalWriter(journal, plan.run.sessionId, loop, clock, plan.secrets);

  // Late binding, the one genuine cycle of the graph: the risk gate flattens through the order manager when it
  // halts, the risk context counts the order manager's orders, and the order manager asks both before every order.
  // `orders` is assigned below, before anything can run: the gate and the context only call it from events.
  let orders!: OrderManager;

  const gate = new RiskGate(plan.plugins.risk, {
    stateChanged: (e) => {
      journalWriter.write('risk', 'risk.state-changed', { ...e });
      bus.emit('risk.state-changed', { ...e, at: clock.now() });
      recovery?.stateChanged(e.to, e.reason);
      // A HALT carried over a restart is restored before the broker is connected: it flattens once reconciled.
      if (e.to === 'HALT' && e.by !== 'restart') orders.flattenAll(`kill-switch: ${e.reason.code}`);
    },
    clearRefused: (e) => {
      journalWriter.write('risk', 'risk.clear-refused', { reasons: e.reasons });
      bus.emit('risk.clear-refused', { reasons: e.reasons, at: clock.now() });
    },
  });
  const account = new AccountTruth({
    broker,
    ledger,
    journal: journalWriter,
    gate,
    post,
    now: () => clock.now(),
    mode: plan.run.mode,
  });
  const risk = new RiskContextView({
    clock,
    ledger,
    tracker,
    state: () => gate.state,
    book: (s) => router.book(s),
    openOrderCount: () => orders.registry.workingOrderCount,
    ordersToday: () => orders.ordersSent,
    pausedSymbols: pauses.view,
    account,
  });
  const startGate = createTradingGate({
    gate,
    clock,
    journal: journalWriter,
    pausedSymbols: pauses.view,
    mode: plan.run.mode,
    brokerIsVenue: plan.safety.arming.venues.some((v) => v.path === 'broker'),
    whitelist: plan.safety.whitelist,
    window: plan.day.window,
    maxDataAgeMs: plan.safety.maxDataAgeMs,
    configuredAccount: plan.safety.arming.accountId,
    health: () => broker.health(),
    lastData: (symbol) => router.book(symbol)?.lastRecvTime || null,
  });
  const tradingGate = withEntryBlocks(startGate, [(i) => account.entryBlock(i), (i) => entitlements.entryBlock(i.symbol)], journalWriter);
  const triggers = new AutoTriggers(gate, clock, plan.safety.killSwitch);
  const recovery =
    plan.run.mode === 'replay'
      ? null
      : new SessionRecovery({
          sessionId: plan.run.sessionId,
          mode: plan.run.mode,
          timeZone: plan.day.window.timeZone,
          startEquity: plan.day.startEquity,
          plan: plan.recovery,
          journal,
          writer: journalWriter,
          clock,
          loop,
          bus,
          ledger,
          tracker,
          orders: () => orders,
          gate: () => gate,
          broker,
          memory,
          log: plan.log('engine'),
          ownerOf: (symbol) => strategies.ownerOf(symbol) ?? plan.plugins.strategies[0]?.instanceId,
        });
  orders = new OrderManager({
    broker,
    gate: tradingGate,
    risk,
    clock,
    bus,
    ledger,
    tracker,
    journal: journalWriter,
    sessionTag: plan.run.sessionTag,
    post,
    notify: (id, u) => strategies.notify(id, u),
    escalate: (to, reason) => {
      gate.escalate(to, reason, 'auto');
    },
    ...(recovery !== null ? { recovery } : {}),
  });
  const controls = new OperatorControls({
    post,
    journal: journalWriter,
    gate,
    pauses,
    flattenAll: (reason) => {
      orders.flattenAll(reason);
    },
    riskContext: () => risk,
    positions: () => ledger.positions(),
  });
  const samples = new SampleRecorder({
    sessionId: plan.run.sessionId,
    seed: plan.run.seed,
    clock,
    journal: journalWriter,
    bus,
    router,
    tracker,
    killSwitchEngaged: () => gate.state === 'HALT',
    syntheticWeight: plan.learning.syntheticWeight,
    forcedExitRCap: plan.learning.forcedExitRCap,
  });
  const learning = learningEnabled(plan.plugins.learners)
    ? new LearningLoop({
        sessionId: plan.run.sessionId,
        learners: plan.plugins.learners,
        config: plan.learning,
        seed: plan.run.seed,
        store: memoryStore,
        journal,
        samples,
        holder: memory as { current: ActiveMemory | null },
        write: (kind, type, data, keys) => journalWriter.write(kind, type, data, keys),
        post,
        canPromote: () => gate.state === 'RUNNING',
        learningUnstable: (reason) => {
          triggers.learningUnstable(reason);
        },
        // The daily stop (docs/lmp.md#lmp-8) is −1 % of equity.
        dailyLossLimit: Math.round(plan.day.startEquity * 0.01),
        now: () => clock.now(),
        warn: (m, f) => plan.log('learning').warn(m, f),
      })
    : null;

  // Listeners for the whole session, in this order. The learning loop's comes before the sample recorder attaches
  // (when the session runs), so the loop knows a trade's PnL when its sample arrives.
  if (learning !== null) bus.on('trade.closed', (t) => learning.onTradeClosed(t), 'learning');
  router.onMark(() => gate.monitor(risk));
  bus.on('plugin.error', (e) => journalWriter.write('event', 'plugin.error', { ...e }));

  return {
    ...ports,
    parts,
    journalWriter,
    gate,
    pauses,
    tracker,
    memory,
    account,
    entitlements,
    risk,
    triggers,
    recovery,
    orders,
    controls,
    samples,
    learning,
    strategies,
  };
}
