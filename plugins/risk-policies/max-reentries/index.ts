import { defineRiskPolicy } from '../../sdk/define.js';
import { MaxReentriesPolicy } from './max-reentries.policy.js';
import { maxReentriesParams, type MaxReentriesParams } from './params.js';

/** At most N re-entries per symbol per day. */
export default defineRiskPolicy<MaxReentriesParams>({
  id: 'max-reentries',
  apiVersion: 1,
  description: 'At most N re-entries per symbol per day.',
  paramsSchema: maxReentriesParams,
  create: (context) => new MaxReentriesPolicy(context.params),
});
