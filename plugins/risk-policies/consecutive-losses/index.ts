import { defineRiskPolicy } from '../../sdk/define.js';
import { ConsecutiveLossesPolicy } from './consecutive-losses.policy.js';
import { consecutiveLossesParams, type ConsecutiveLossesParams } from './params.js';

/** Ends the day after N losing trades in a row. */
export default defineRiskPolicy<ConsecutiveLossesParams>({
  id: 'consecutive-losses',
  apiVersion: 1,
  description: 'Ends the day after N losing trades in a row.',
  paramsSchema: consecutiveLossesParams,
  create: (context) => new ConsecutiveLossesPolicy(context.params),
});
