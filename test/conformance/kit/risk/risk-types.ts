import type { ManualClock } from '../../../../core/engine/virtual-clock.js';
import type { OrderIntent, RiskContext, RiskDecision, RiskPolicy, RiskReason, TradingState } from '../../../../ports/risk-policy.js';
import type { EventRecorder } from '../recorder.js';
import type { CommonSuiteOptions } from '../suite.js';
import type { CardLimits, RiskLimitName } from './risk-fixtures.js';

export interface RiskCapabilities {
  limits: readonly RiskLimitName[];
  actions?: readonly ('warn' | 'reject' | 'halt')[];
  /** Holds RUNNING / SAFE_MODE / HALT; the suite then needs `runtime` (cards RISK-11 to 14 and the transition parts). */
  ownsRuntimeState?: boolean;
}

/** A chain evaluator (the engine's risk gate), for the cards that exercise chains: RISK-01, RISK-10, RISK-15. */
export type GateFactory = (chain: readonly { pluginId: string; policy: RiskPolicy; action: 'warn' | 'reject' | 'halt' }[]) => {
  evaluate(intent: OrderIntent, ctx: RiskContext): RiskDecision;
};

/**
 * The kill-switch settings a runtime card configures (§7 and RISK-14). The kit states them per card, so that one
 * card's configuration (e.g. a quiet reset window) never has to agree with another's (SAFE_MODE on Degraded).
 */
export interface KillSwitchSettings {
  reconnectLoop: { count: number; windowMs: number };
  outage: {
    timeoutMs: number;
    action: 'SAFE_MODE' | 'HALT';
    /** RISK-11 (1): SAFE_MODE as soon as the broker leaves Connected. */
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
  /** Builds the policy configured with the card limits (§7); called once per card. */
  create: (ctx: { limits: CardLimits; card: string }) => RiskPolicy | Promise<RiskPolicy>;
  capabilities: RiskCapabilities;
  gate?: GateFactory;
  /** Required with `ownsRuntimeState`: a fresh runtime per card. */
  runtime?: (ctx: RiskRuntimeContext) => RiskRuntimeHandle | Promise<RiskRuntimeHandle>;
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
  readonly violations: string[];
}

export type DeepPartialKillSwitch = { [K in keyof KillSwitchSettings]?: Partial<KillSwitchSettings[K]> };

export const RISK_EVENT_NAMES = ['risk.state-changed', 'risk.denied', 'risk.clear-refused'] as const;
