import { defineRiskPolicy } from '../../sdk/define.js';
import { RiskPerTradePolicy } from './risk-per-trade.policy.js';
import { riskPerTradeParams, type RiskPerTradeParams } from './params.js';

/** Entry risk at the stop is at most r % of equity; entries need a valid stop. */
export default defineRiskPolicy<RiskPerTradeParams>({
  id: 'risk-per-trade',
  apiVersion: 1,
  description: 'Entry risk at the stop is at most r % of equity; entries need a valid stop.',
  paramsSchema: riskPerTradeParams,
  create: (context) => new RiskPerTradePolicy(context.params),
});
