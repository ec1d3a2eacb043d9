import { defineRiskPolicy } from '../../sdk/define.js';
import { DailyLossPolicy } from './daily-loss.policy.js';
import { dailyLossParams, type DailyLossParams } from './params.js';

/** Stops the day when net PnL reaches the daily loss limit. */
export default defineRiskPolicy<DailyLossParams>({
  id: 'daily-loss',
  apiVersion: 1,
  description: 'Stops the day when net PnL reaches the daily loss limit.',
  paramsSchema: dailyLossParams,
  create: (context) => new DailyLossPolicy(context.params),
});
