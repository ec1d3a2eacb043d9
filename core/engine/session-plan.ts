import type { Micros, Money } from '../domain/units.js';
import type { BreachAction, RiskPolicy } from '../../ports/risk-policy.js';
import type { Learner } from '../../ports/learner.js';
import type { LearningConfig } from '../learning/learning-config.js';
import type { StrategyLog } from '../../ports/strategy.js';
import type { StrategyManifest } from '../../plugins/sdk/manifest.js';
import type { Mode } from '../../plugins/sdk/contexts.js';
import type { AutoTriggerParams } from '../risk/auto-triggers.js';
import type { VenueUse } from '../risk/live-arming.js';
import type { RiskFloorReport } from '../config/risk-floor.js';
import type { RecoveryPlan } from './session-recovery.js';

/**
 * Everything a session needs that comes from the resolved config, with plugins already created or located, in
 * groups: which run this is, the plugins, the trading day, the safety settings, learning and restart recovery.
 * Built once by the composition root (core/di/container.ts) and never changed.
 */
export interface SessionPlan {
  run: {
    sessionId: string;
    /** Short tag for orderRefs. */
    sessionTag: string;
    mode: Mode;
    seed: number;
    wallStartedAt: string;
    /** Redacted, frozen resolved config stored with the session. */
    config: Readonly<Record<string, unknown>>;
  };
  plugins: {
    strategies: readonly { manifest: StrategyManifest<unknown>; instanceId: string; params: unknown }[];
    risk: readonly { pluginId: string; policy: RiskPolicy; action: BreachAction }[];
    /** The first of `learners` (the `learner:` shorthand). */
    learner: { id: string; instance: Learner };
    /** Every configured learner, in config order. */
    learners: readonly { id: string; instance: Learner; params?: Readonly<Record<string, unknown>> }[];
  };
  day: {
    window: { start: Micros; end: Micros; date: string; timeZone: string };
    startEquity: Money;
    topN: number;
    /** What an orderly stop (SIGINT/SIGTERM) does with open positions (README: default per mode). */
    onShutdown: 'flatten' | 'keep-protection';
  };
  safety: {
    killSwitch: AutoTriggerParams;
    maxDataAgeMs: number;
    /** Configured account (never logged) and how the run was armed, for the post-connect account check. */
    arming: { accountId: string | null; configArmed: boolean; armFlag: boolean; armEnv: string | undefined; venues: readonly VenueUse[] };
    /** What the risk floor added or accepted below it (journaled at start for sessions that can reach an account). */
    riskFloor: RiskFloorReport;
    /** Symbols entries may trade (config `instruments`) in sessions that can reach an account; null: any symbol. */
    whitelist: ReadonlySet<string> | null;
  };
  learning: LearningConfig;
  /** Restart recovery: adopted positions policy, the account key, and which earlier sessions still have a process. */
  recovery: RecoveryPlan;
  /** Resolved secret values (account id, env secrets): scrubbed from every journal row. */
  secrets: readonly string[];
  log(pluginId: string): StrategyLog;
}
