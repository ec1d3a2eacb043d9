import { defineRiskPolicy } from '../../sdk/define.js';
import { MaxTradesDayPolicy } from './max-trades-day.policy.js';
import { maxTradesDayParams, type MaxTradesDayParams } from './params.js';

/** At most N entries per trading day. */
export default defineRiskPolicy<MaxTradesDayParams>({
  id: 'max-trades-day',
  apiVersion: 1,
  description: 'At most N entries per trading day.',
  paramsSchema: maxTradesDayParams,
  create: (context) => new MaxTradesDayPolicy(context.params),
});
