import type { ManualClock } from '../../../core/engine/virtual-clock.js';
import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy, RiskReason, TradingState } from '../../../ports/risk-policy.js';
import type { EventRecorder } from '../recorder.js';
import type { CommonSuiteOptions } from '../suite.js';
import type { CardLimits, RiskLimitName } from './risk-fixtures.js';

export interface RiskCapabilities {
  limits: readonly RiskLimitName[];
  actions?: readonly ('warn' | 'reject' | 'halt')[];
  /**
   * Holds RUNNING / SAFE_MODE / HALT; the suite then needs `runtime`
   * (cards RISK-11 to 14 and the transition parts, docs/conformance-cards.md#risk-11).
   */
  ownsRuntimeState?: boolean;
}

/**
 * A chain evaluator
 * (the engine's risk gate), for the cards that exercise chains: RISK-01, RISK-10, RISK-15 (docs/conformance-cards.md#risk-01).
 */
export type GateFactory = (chain: readonly { pluginId: string; policy: RiskPolicy; action: 'warn' | 'reject' | 'halt' }[]) => {
  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision;
};

/**
 * The kill-switch settings a runtime card configures (docs/conformance-kit.md#risk-limits and RISK-14, docs/conformance-cards.md#risk-14).
 * The kit states them per card, so that one card's configuration (e.g. a quiet reset window) never has to agree with another's (SAFE_MODE
 * on Degraded).
 */
export interface KillSwitchSettings {
  reconnectLoop: { count: number; windowMs: number };
  outage: {
    timeoutMs: number;
    action: 'SAFE_MODE' | 'HALT';
    /** RISK-11 (docs/conformance-cards.md#risk-11) (1): SAFE_MODE as soon as the broker leaves Connected. */
    safeModeOnDegraded: boolean;
    /** Scheduled broker resets (New York time): an outage starting inside one counts only once the window ends. */
    quietWindows: readonly { start: string; end: string }[];
  };
  staleData: { staleMs: number; killMs: number };
  rejects: { count: number; windowMs: number };
}

/** The inputs a kill switch listens to, as the engine's bus delivers them (payloads as in the kernel event map). */
export type RiskSignal =
  | ['connection.changed', { from: string; to: string; reason: string; at: number }]
  | ['order.rejected', { coid: string; origin: 'adapter' | 'broker'; code: string; reason: string; at: number }]
  | ['broker.error', { code: number; harvesterCode: string; message: string; severity: 'info' | 'warn' | 'error' | 'fatal'; at: number }]
  | ['feed.stale', { symbol: string; stream: 'quote' | 'depth' | 'tape'; silentFor: number; escalated: boolean }]
  | ['feed.resumed', { symbol: string; stream: 'quote' | 'depth' | 'tape' }];

/**
 * A subject that owns the runtime state (ownsRuntimeState): Harvester's risk gate with its automatic triggers, or a
 * third party's equivalent. Events: `risk.state-changed{from, to, reason, by}`, `risk.denied{intentId, action,
 * reasons}`, `risk.clear-refused{reasons}`.
 */
export interface RiskRuntimeHandle {
  readonly state: TradingState;
  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision;
  /** Runtime monitoring, as after a price update, a fill or a trade close. */
  monitor(ctx: RiskContext): void;
  clear(operatorId: string, note: string, ctx: RiskContext): { ok: boolean; reasons?: readonly RiskReason[] };
  halt(operatorId: string, note: string): void;
  signal(...signal: RiskSignal): void;
  on(event: string, listener: (payload: unknown) => void): () => void;
  dispose?(): void;
}

export interface RiskRuntimeContext {
  readonly limits: CardLimits;
  readonly killSwitch: KillSwitchSettings;
  /** Every window and timeout of the subject must run on this clock; the card advances it. */
  readonly clock: ManualClock;
  readonly card: string;
}

export interface RiskSuiteOptions extends CommonSuiteOptions {
  /** Builds the policy configured with the card limits (docs/conformance-kit.md#risk-limits); called once per card. */
  create: (ctx: { limits: CardLimits; card: string }) => RiskPolicy | Promise<RiskPolicy>;
  capabilities: RiskCapabilities;
  gate?: GateFactory;
  /** Required with `ownsRuntimeState`: a fresh runtime per card. */
  runtime?: (ctx: RiskRuntimeContext) => RiskRuntimeHandle | Promise<RiskRuntimeHandle>;
  /**
   * The whole engine around the subject, with a recording broker double (cards RISK-13, docs/conformance-cards.md#risk-13): a fresh, not
   * yet started session per call. Without it, the engine cards skip naming this option.
   */
  engine?: RiskEngineFactory;
}

/**
 * What an engine card asks the session to hold before its stimulus (docs/conformance-kit.md#risk-limits RISK-13 Setup,
 * docs/conformance-cards.md#risk-13).
 */
export interface RiskEngineSetup {
  /** The strategy's open position: long `quantity` shares of `symbol` (filled before the stimulus). */
  readonly position: { readonly symbol: string; readonly quantity: number };
  /** How many entry orders of the strategy rest at the broker double (acknowledged, unfilled) before the stimulus. */
  readonly restingEntries: number;
}

export interface RiskEngineContext {
  readonly limits: CardLimits;
  readonly killSwitch: KillSwitchSettings;
  readonly setup: RiskEngineSetup;
  readonly card: string;
}

/**
 * A strategy intent as the card states it. `modify` changes the price of one of the setup's resting entry orders
 * (`order` is an index into `RiskEngineSession.resting`); an engine without a native modify routes it the way its
 * strategies would (e.g. cancel-replace), so a denial reaches the kit as `risk.denied` all the same.
 */
export type RiskEngineIntent =
  | {
      readonly kind: 'entry' | 'exit';
      readonly intentId: string;
      readonly symbol: string;
      readonly side: 'buy' | 'sell';
      readonly quantity: number;
      readonly type: 'market' | 'limit';
      readonly limitPrice?: number;
    }
  | { readonly kind: 'modify'; readonly intentId: string; readonly order: number; readonly limitPrice: number };

/**
 * One request that reached the broker double. `origin` says who sent it: 'setup' (the card's setup), 'strategy'
 * (an intent the risk chain allowed), 'halt-flatten' (the flatten procedure on entering HALT), or any other
 * implementation-defined word (e.g. 'session-end'); the card counts every request, whatever its origin.
 */
export interface BrokerRequest {
  readonly op: 'submit' | 'cancel' | 'modify';
  readonly coid: string;
  readonly origin: string;
  readonly symbol?: string;
  readonly side?: 'buy' | 'sell';
  readonly type?: string;
  readonly quantity?: number;
}

/**
 * One engine session on a recording broker double. Events (`on`): `risk.state-changed{from, to, reason, by}` and
 * `risk.denied{intentId, action, reasons}`, from the session's start on (the kit attaches before `start`).
 */
export interface RiskEngineSession {
  readonly state: TradingState;
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** Starts the session and brings it to the setup; resolves once the position is held and the entries rest. */
  start(): Promise<void>;
  /** Client order ids of the setup's resting entry orders, in submission order. */
  readonly resting: readonly string[];
  /** Every request the broker double received, in order, across restarts (the double outlives the session). */
  readonly broker: readonly BrokerRequest[];
  /** A kill-switch input, delivered as the engine receives it (broker or feed event). */
  signal(...signal: RiskSignal): void;
  /** The strategy emits this intent, from inside the engine (as from a strategy callback). */
  intent(intent: RiskEngineIntent): void;
  /** Ends this session the way a process stop does, and returns the next session on the same journal, not started. */
  restart(): Promise<RiskEngineSession>;
  dispose(): Promise<void>;
}

export type RiskEngineFactory = (ctx: RiskEngineContext) => RiskEngineSession | Promise<RiskEngineSession>;

/** An engine session under test, with its recorder. */
export interface EngineRun {
  readonly session: RiskEngineSession;
  readonly rec: EventRecorder;
  /** The session after a restart, started, recorded and monitored like this one. */
  restart(): Promise<EngineRun>;
}

/** A runtime under test, with its recorder and clock. */
export interface RuntimeRun {
  readonly subject: RiskRuntimeHandle;
  readonly rec: EventRecorder;
  readonly clock: ManualClock;
}

export interface RiskRun {
  readonly policy: RiskPolicy;
  readonly caps: RiskCapabilities;
  readonly gate: GateFactory | undefined;
  has(limit: RiskLimitName): boolean;
  /** Evaluates with R1–R3 checks: no throw, reasons on denials, deterministic, inputs untouched. */
  evaluate(intent: OrderIntent, ctx?: RiskContext): RiskDecision;
  /** A fresh runtime (ownsRuntimeState), configured with the card defaults overridden by `killSwitch`. */
  runtime(killSwitch?: DeepPartialKillSwitch): Promise<RuntimeRun>;
  /** A fresh engine session (options.engine), started and brought to `setup`, with its recorder attached first. */
  engine(setup: RiskEngineSetup, killSwitch?: DeepPartialKillSwitch): Promise<EngineRun>;
  readonly violations: string[];
}

export type DeepPartialKillSwitch = { [K in keyof KillSwitchSettings]?: Partial<KillSwitchSettings[K]> };

export const RISK_EVENT_NAMES = ['risk.state-changed', 'risk.denied', 'risk.clear-refused'] as const;
