import type { RiskPolicyManifest } from '../sdk/manifest.js';
import consecutiveLosses from './consecutive-losses/index.js';
import cooldownAfterStop from './cooldown-after-stop/index.js';
import dailyLoss from './daily-loss/index.js';
import maxOpenPositions from './max-open-positions/index.js';
import maxOrderSize from './max-order-size/index.js';
import maxOrdersDay from './max-orders-day/index.js';
import maxPosition from './max-position/index.js';
import maxReentries from './max-reentries/index.js';
import maxTradesDay from './max-trades-day/index.js';
import priceSanity from './price-sanity/index.js';
import riskPerTrade from './risk-per-trade/index.js';
import sessionWindow from './session-window/index.js';

export {
  consecutiveLosses,
  cooldownAfterStop,
  dailyLoss,
  maxOpenPositions,
  maxOrderSize,
  maxOrdersDay,
  maxPosition,
  maxReentries,
  maxTradesDay,
  priceSanity,
  riskPerTrade,
  sessionWindow,
};

/** Every built-in risk policy, for the CLI to register by id (config names them as strings). */
export const builtinRiskPolicies: readonly RiskPolicyManifest<any>[] = Object.freeze([
  riskPerTrade,
  maxPosition,
  dailyLoss,
  consecutiveLosses,
  maxTradesDay,
  maxReentries,
  cooldownAfterStop,
  maxOpenPositions,
  maxOrderSize,
  maxOrdersDay,
  sessionWindow,
  priceSanity,
]);
