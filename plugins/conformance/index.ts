/**
 * Harvester's contract conformance kit (`harvester/conformance`): one mocha suite per port, written as the
 * scenario cards of conformance-cards.md, with invariant monitors over every recorded event.
 */
export { KIT_VERSION, NOT_IMPLEMENTED, requires, type ApplyEnv, type CardDef, type CardResult, type CardStatus } from './card.js';
export { EventRecorder, expectCount, expectNone, expectSequence, either, is, step, type Recorded } from './recorder.js';
export { buildReport, reportMarkdown, writeReport, type ConformanceReport } from './report.js';
export { KNOWN_GAP_PREFIX } from './card.js';
export { registerMochaSuite, runSuiteProgrammatically, validateSuite, type CommonSuiteOptions, type PortSuite } from './suite.js';
export { BROKER_CARDS, DEFAULT_START, buildBrokerSuite, describeBrokerAdapterConformance } from './broker/broker-suite.js';
export type {
  BrokerCapabilities,
  BrokerCapabilityShort,
  BrokerCreateContext,
  BrokerDriver,
  BrokerDriverFeature,
  BrokerFixtures,
  BrokerRun,
  BrokerSubjectHandle,
  BrokerSuiteOptions,
  BrokerTimeouts,
} from './broker/broker-types.js';
export { brokerMonitor, positionMonitor } from './broker/broker-monitor.js';
export {
  LEARNER_CARDS,
  buildLearnerSuite,
  describeLearnerConformance,
  type LearnerCapabilities,
  type LearnerRun,
  type LearnerSuiteOptions,
} from './learner/learner-suite.js';
export { KIT_FEATURE_BOUNDS, KIT_FEATURE_NAMES, KIT_SAMPLES, KIT_VECTORS } from './learner/learner-samples.js';
export {
  MEMORY_CARDS,
  buildMemorySuite,
  canonicalJson,
  describeMemoryStoreConformance,
  sha256Canonical,
  type MemoryCapabilities,
  type MemoryCreateContext,
  type MemoryDriver,
  type MemoryRun,
  type MemorySubjectHandle,
  type MemorySuiteOptions,
} from './memory/memory-suite.js';
export {
  RISK_CARDS,
  buildRiskSuite,
  describeRiskPolicyConformance,
  runtimeMonitor,
  type BrokerRequest,
  type EngineRun,
  type GateFactory,
  type KillSwitchSettings,
  type RiskCapabilities,
  type RiskEngineContext,
  type RiskEngineFactory,
  type RiskEngineIntent,
  type RiskEngineSession,
  type RiskEngineSetup,
  type RiskRun,
  type RiskRuntimeContext,
  type RiskRuntimeHandle,
  type RiskSignal,
  type RiskSuiteOptions,
  type RuntimeRun,
} from './risk/risk-suite.js';
export {
  CARD_KILL_SWITCH,
  CARD_LIMITS,
  entry,
  exit,
  long,
  ny,
  riskContext,
  type CardLimits,
  type RiskLimitName,
} from './risk/risk-fixtures.js';
export { FEED_CARDS, buildFeedSuite, describeMarketDataFeedConformance } from './feed/feed-suite.js';
export { RowBookModel, feedMonitor } from './feed/feed-monitor.js';
export type {
  DepthRow,
  FeedBudgets,
  FeedCapabilities,
  FeedCreateContext,
  FeedDriver,
  FeedDriverFeature,
  FeedFixtures,
  FeedRun,
  FeedSubjectHandle,
  FeedSuiteOptions,
  FeedTimeouts,
  PrintSpec,
} from './feed/feed-types.js';
