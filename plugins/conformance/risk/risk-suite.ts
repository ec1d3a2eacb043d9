import { ManualClock } from '../../../core/engine/virtual-clock.js';
import type { RiskDecision } from '../../../ports/risk-policy.js';
import { InvariantViolation, type CardDef } from '../card.js';
import { EventRecorder, deepEqual, type Recorded } from '../recorder.js';
import { registerMochaSuite, type PortSuite } from '../suite.js';
import { deepFreeze } from '../learner/learner-samples.js';
import { DEFAULT_START } from '../broker/broker-suite.js';
import { decisionCards } from './risk-cards-decision.js';
import { runtimeCards } from './risk-cards-runtime.js';
import { CARD_KILL_SWITCH, CARD_LIMITS, riskContext } from './risk-fixtures.js';
import {
  RISK_EVENT_NAMES,
  type DeepPartialKillSwitch,
  type EngineRun,
  type KillSwitchSettings,
  type RiskEngineSession,
  type RiskRun,
  type RiskSuiteOptions,
  type RuntimeRun,
} from './risk-types.js';

export type {
  BrokerRequest,
  DeepPartialKillSwitch,
  EngineRun,
  GateFactory,
  RiskEngineContext,
  RiskEngineFactory,
  RiskEngineIntent,
  RiskEngineSession,
  RiskEngineSetup,
  KillSwitchSettings,
  RiskCapabilities,
  RiskRun,
  RiskRuntimeContext,
  RiskRuntimeHandle,
  RiskSignal,
  RiskSuiteOptions,
  RuntimeRun,
} from './risk-types.js';

/** Every RISK card, in id order (the closed registry of docs/conformance-kit.md#waivers). */
export const RISK_CARDS: readonly CardDef<RiskRun>[] = [
  ...decisionCards.filter((c) => c.id !== 'RISK-15'), // docs/conformance-cards.md#risk-15
  ...runtimeCards,
  ...decisionCards.filter((c) => c.id === 'RISK-15'), // docs/conformance-cards.md#risk-15
];

const RANK: Readonly<Record<string, number>> = { RUNNING: 0, SAFE_MODE: 1, HALT: 2 };

/** R4: every transition is an event forming one chain from RUNNING; automatic ones only escalate. */
export function runtimeMonitor(events: readonly Recorded[], finalState: string): string[] {
  const v: string[] = [];
  let state = 'RUNNING';
  for (const e of events.filter((x) => x.type === 'risk.state-changed')) {
    const { from, to, by, reason } = e.payload as { from: string; to: string; by: string; reason?: { code?: string } };
    if (from !== state) v.push(`R4 #${e.index}: transition from ${from}, but the state was ${state}`);
    if (by === 'auto' && !((RANK[to] ?? -1) > (RANK[from] ?? 99))) v.push(`R4 #${e.index}: automatic ${from}→${to} does not escalate`);
    if (typeof reason?.code !== 'string' || typeof by !== 'string') v.push(`R4 #${e.index}: a transition needs a reason code and by`);
    state = to;
  }
  if (state !== finalState) v.push(`R4: the subject is ${finalState}, but its transitions end in ${state} (a silent transition)`);
  return v;
}

function mergeKillSwitch(over: DeepPartialKillSwitch = {}): KillSwitchSettings {
  const base = CARD_KILL_SWITCH;
  return {
    reconnectLoop: { ...base.reconnectLoop, ...over.reconnectLoop },
    outage: { ...base.outage, ...over.outage },
    staleData: { ...base.staleData, ...over.staleData },
    rejects: { ...base.rejects, ...over.rejects },
  };
}

export function buildRiskSuite(name: string, options: RiskSuiteOptions): PortSuite<RiskRun> {
  const caps = options.capabilities;
  if (caps.ownsRuntimeState === true && options.runtime === undefined) {
    throw new Error('conformance: ownsRuntimeState is declared, but options.runtime is missing');
  }
  const execute = async (card: CardDef<RiskRun>): Promise<void> => {
    const policy = await options.create({ limits: CARD_LIMITS, card: card.id });
    const violations: string[] = [];
    const runtimes: RuntimeRun[] = [];
    const engines: EngineRun[] = [];
    // Every engine session is recorded from before its start (a carried-over HALT is a startup transition).
    const startEngine = async (session: RiskEngineSession): Promise<EngineRun> => {
      const rec = new EventRecorder().attach((e, l) => session.on(e, l), RISK_EVENT_NAMES);
      const er: EngineRun = { session, rec, restart: async () => startEngine(await session.restart()) };
      engines.push(er);
      await session.start();
      return er;
    };
    const run: RiskRun = {
      policy,
      caps,
      gate: options.gate,
      violations,
      has: (l) => caps.limits.includes(l),
      runtime: async (over) => {
        const clock = new ManualClock(DEFAULT_START);
        const subject = await options.runtime!({ limits: CARD_LIMITS, killSwitch: mergeKillSwitch(over), clock, card: card.id });
        const rt: RuntimeRun = { subject, clock, rec: new EventRecorder().attach((e, l) => subject.on(e, l), RISK_EVENT_NAMES) };
        runtimes.push(rt);
        return rt;
      },
      engine: async (setup, over) => {
        if (options.engine === undefined) throw new Error('conformance: this card needs options.engine');
        return startEngine(await options.engine({ limits: CARD_LIMITS, killSwitch: mergeKillSwitch(over), setup, card: card.id }));
      },
      evaluate: (intent, ctx = riskContext()) => {
        deepFreeze(intent);
        deepFreeze(ctx.positions);
        const before = JSON.stringify({ intent, positions: ctx.positions });
        let first: RiskDecision;
        try {
          first = policy.evaluate(intent, ctx);
        } catch (error) {
          violations.push(`R1: evaluate threw: ${(error as Error).message}`);
          throw new InvariantViolation(violations, []);
        }
        const second = policy.evaluate(intent, ctx);
        if (!deepEqual(first, second)) violations.push(`R3: two evaluations of ${intent.intentId} differ`);
        if (JSON.stringify({ intent, positions: ctx.positions }) !== before) violations.push(`R3: evaluate mutated its inputs`);
        if (first.action !== 'allow') {
          if (first.reasons.length === 0) violations.push(`R2: ${first.action} without a reason`);
          for (const x of first.reasons) {
            if (
              typeof x.code !== 'string' ||
              typeof x.limit !== 'string' ||
              !Number.isFinite(x.observed) ||
              !Number.isFinite(x.threshold)
            ) {
              violations.push(`R2: reason ${JSON.stringify(x)} lacks code, limit, observed or threshold`);
            }
          }
        }
        return first;
      },
    };
    try {
      await card.run!(run);
      for (const rt of runtimes) violations.push(...runtimeMonitor(rt.rec.events, rt.subject.state));
      for (const er of engines) violations.push(...runtimeMonitor(er.rec.events, er.session.state));
      if (violations.length > 0)
        throw new InvariantViolation(
          violations,
          [...runtimes, ...engines].flatMap((x) => x.rec.lines()),
        );
    } finally {
      for (const er of engines) {
        er.rec.detach();
        await er.session.dispose();
      }
      for (const rt of runtimes) {
        rt.rec.detach();
        rt.subject.dispose?.();
      }
    }
  };
  return {
    port: 'RiskPolicy',
    name,
    cards: RISK_CARDS,
    fixtures: { ...CARD_LIMITS, killSwitch: CARD_KILL_SWITCH },
    options,
    execute,
    env: {
      capabilities: { ...caps, gate: options.gate !== undefined, engine: options.engine !== undefined },
      driverFeatures: new Set(),
      isLive: false,
    },
  };
}

/**
 * Registers the RiskPolicy conformance suite (cards RISK, monitors R1–R4).
 *
 * @example
 * describeRiskPolicyConformance('acme-max-shares', {
 *   create: ({ limits }) => new AcmeMaxShares(limits.maxShares),
 *   capabilities: { limits: ['maxShares'] },
 * });
 */
export function describeRiskPolicyConformance(name: string, options: RiskSuiteOptions): void {
  registerMochaSuite(buildRiskSuite(name, options));
}
