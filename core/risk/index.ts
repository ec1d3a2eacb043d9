export { RiskGate, type RiskChainEntry, type RiskGateHooks, type RiskStateChange, type HoldCondition } from './risk-gate.js';
export {
  AutoTriggers,
  autoTriggerParams,
  PACING_CODES,
  LINE_BUDGET_CODES,
  type AutoTriggerParams,
  type Subscribe,
  type TriggerEvents,
  type EscalationTarget,
} from './auto-triggers.js';
export { checkStartGates, type StartGateInput, type StartGateResult, type RunMode } from './start-gates.js';
export {
  checkLiveArming,
  isPaperAccount,
  microLaunchRiskProfile,
  type LiveArmingInput,
  type LiveArmingResult,
  type RiskSelectionInput,
} from './live-arming.js';
export { describeRisk, type RiskSelectionLike } from './describe-risk.js';
export { staticRiskContext, EMPTY_SNAPSHOT, type RiskSnapshot } from './static-risk-context.js';
export { createTradingGate } from './trading-gate.js';
export { withEntryBlocks } from './account-gate.js';
export { RiskContextView } from './risk-context.js';
