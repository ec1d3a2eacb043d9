import { defineRiskPolicy } from '../../sdk/define.js';
import { MaxOrdersDayPolicy } from './max-orders-day.policy.js';
import { maxOrdersDayParams, type MaxOrdersDayParams } from './params.js';

/** At most N orders per trading day. */
export default defineRiskPolicy<MaxOrdersDayParams>({
  id: 'max-orders-day',
  apiVersion: 1,
  description: 'At most N orders per trading day.',
  paramsSchema: maxOrdersDayParams,
  create: (context) => new MaxOrdersDayPolicy(context.params),
});
