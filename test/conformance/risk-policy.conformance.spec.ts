import { EventEmitter } from 'eventemitter3';
import { autoTriggerParams, AutoTriggers, RiskGate, type RiskChainEntry } from '../../core/risk/index.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { Sfc32 } from '../../core/domain/random.js';
import * as builtins from '../../plugins/risk-policies/index.js';
import type { RiskPolicyManifest } from '../../plugins/sdk/manifest.js';
import type { RiskPolicy } from '../../ports/risk-policy.js';
import { harvesterRiskEngine } from './support/risk-engine.js';
import {
  CARD_LIMITS,
  describeRiskPolicyConformance,
  type GateFactory,
  type RiskLimitName,
  type RiskRuntimeContext,
  type RiskRuntimeHandle,
} from '../../plugins/conformance/index.js';

// The RISK cards against every built-in risk policy (each declaring the card limits it implements,
// docs/conformance-kit.md#risk-limits), and against Harvester's risk gate running the full built-in chain with its
// automatic triggers (ownsRuntimeState), and the engine around that gate (options.engine, RISK-13).

const L = CARD_LIMITS;
const REPORT_DIR = 'var/conformance-report';

interface Declared {
  manifest: RiskPolicyManifest<any>;
  params: Record<string, unknown>;
  limits: RiskLimitName[];
  /** The violation action the card limits configure for this limit (docs/conformance-kit.md#risk-limits). */
  action: 'reject' | 'halt';
}

/** Each built-in policy with the card limits as its params; policies outside them declare none (docs/conformance-kit.md#risk-limits). */
const POLICIES: readonly Declared[] = [
  { manifest: builtins.dailyLoss, params: { maxLossPct: L.dailyLossPct }, limits: ['dailyLoss'], action: 'halt' },
  { manifest: builtins.consecutiveLosses, params: { max: L.consecutiveLosses }, limits: ['consecutiveLosses'], action: 'halt' },
  { manifest: builtins.maxOpenPositions, params: { max: L.maxOpenPositions }, limits: ['maxOpenPositions'], action: 'reject' },
  { manifest: builtins.maxTradesDay, params: { max: L.maxTradesPerDay }, limits: ['maxTradesPerDay'], action: 'reject' },
  { manifest: builtins.riskPerTrade, params: { riskPct: L.riskPerTradePct }, limits: ['riskPerTrade'], action: 'reject' },
  // maxPositionValue is in dollars in params: 50,000,000 Money units = $5,000.
  {
    manifest: builtins.maxPosition,
    params: { maxShares: L.maxShares, maxPositionValue: L.maxPositionValue / 10_000 },
    limits: ['maxShares', 'maxPositionValue'],
    action: 'reject',
  },
  { manifest: builtins.maxReentries, params: { max: L.maxReentriesPerSymbol }, limits: ['maxReentriesPerSymbol'], action: 'reject' },
  { manifest: builtins.cooldownAfterStop, params: { seconds: L.cooldownAfterStopSec }, limits: ['cooldownAfterStop'], action: 'reject' },
  {
    manifest: builtins.sessionWindow,
    params: { start: L.tradingWindow.start, end: L.tradingWindow.end, timeZone: L.tradingWindow.timeZone },
    limits: ['tradingWindow'],
    action: 'reject',
  },
  { manifest: builtins.priceSanity, params: { maxQuoteAgeMs: L.staleAfterMs }, limits: ['dataFreshness'], action: 'reject' },
  { manifest: builtins.maxOrderSize, params: { maxQuantity: 1_000 }, limits: [], action: 'reject' },
  { manifest: builtins.maxOrdersDay, params: { max: 20 }, limits: [], action: 'reject' },
];

function instantiate(d: Declared): RiskPolicy {
  const m = d.manifest;
  return m.create({
    pluginId: m.id,
    params: m.paramsSchema.parse(d.params),
    clock: new ManualClock(0),
    log: { debug() {}, info() {}, warn() {} },
    random: new Sfc32(7),
    mode: 'replay',
    seed: 7,
  });
}

function fullChain(): RiskChainEntry[] {
  return POLICIES.map((d) => ({ pluginId: d.manifest.id, policy: instantiate(d), action: d.action }));
}

/** The engine's gate with its default policy-error handling (fail closed, halt). */
const gate: GateFactory = (chain) => new RiskGate(chain, { stateChanged: () => undefined });

/** The gate with its automatic triggers, wired to a private bus the kit signals on, as the engine wires them. */
function gateRuntime(ctx: RiskRuntimeContext): RiskRuntimeHandle {
  const out = new EventEmitter();
  const bus = new EventEmitter();
  const g = new RiskGate(fullChain(), {
    stateChanged: (e) => out.emit('risk.state-changed', { ...e, at: ctx.clock.now() }),
    denied: (e) => out.emit('risk.denied', e),
    clearRefused: (e) => out.emit('risk.clear-refused', e),
  });
  const k = ctx.killSwitch;
  const triggers = new AutoTriggers(
    g,
    ctx.clock,
    autoTriggerParams.parse({
      reconnectLoop: k.reconnectLoop,
      staleData: k.staleData,
      rejects: k.rejects,
      outage: {
        timeoutMs: k.outage.timeoutMs,
        action: k.outage.action,
        immediateSafeMode: k.outage.safeModeOnDegraded,
        quietWindows: k.outage.quietWindows,
        timeZone: 'America/New_York',
      },
    }),
  );
  const detach = triggers.attach((event, listener) => {
    bus.on(event, listener as (...a: unknown[]) => void);
    return () => bus.off(event, listener as (...a: unknown[]) => void);
  });
  return {
    get state() {
      return g.state;
    },
    evaluate: (intent, c) => g.evaluate(intent, c),
    monitor: (c) => g.monitor(c),
    clear: (op, note, c) => g.clear(op, note, c),
    halt: (op, note) => g.halt(op, note),
    signal: (event, payload) => {
      bus.emit(event, payload);
    },
    on: (event, listener) => {
      out.on(event, listener);
      return () => out.off(event, listener);
    },
    dispose: detach,
  };
}

for (const d of POLICIES) {
  describeRiskPolicyConformance(d.manifest.id, {
    create: () => instantiate(d),
    capabilities: { limits: d.limits, actions: ['warn', 'reject', 'halt'] },
    gate,
    reportDir: REPORT_DIR,
  });
}

/** The whole built-in chain as one decision (a fresh gate per evaluation, so RUNNING), plus the stateful runtime. */
describeRiskPolicyConformance('risk-gate', {
  create: () => {
    const chain = fullChain();
    return { id: 'risk-gate', evaluate: (intent, c) => new RiskGate(chain, { stateChanged: () => undefined }).evaluate(intent, c) };
  },
  capabilities: { limits: POLICIES.flatMap((d) => d.limits), actions: ['warn', 'reject', 'halt'], ownsRuntimeState: true },
  gate,
  runtime: gateRuntime,
  // The whole engine around the gate (RISK-13): flatten on HALT, denials after it, the HALT carried over a restart.
  engine: harvesterRiskEngine,
  reportDir: REPORT_DIR,
});
