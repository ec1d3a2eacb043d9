import { defineRiskPolicy } from '../../sdk/define.js';
import { MaxOpenPositionsPolicy } from './max-open-positions.policy.js';
import { maxOpenPositionsParams, type MaxOpenPositionsParams } from './params.js';

/** At most N symbols held at once. */
export default defineRiskPolicy<MaxOpenPositionsParams>({
  id: 'max-open-positions',
  apiVersion: 1,
  description: 'At most N symbols held at once.',
  paramsSchema: maxOpenPositionsParams,
  create: (context) => new MaxOpenPositionsPolicy(context.params),
});
