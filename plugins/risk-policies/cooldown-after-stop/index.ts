import { defineRiskPolicy } from '../../sdk/define.js';
import { CooldownAfterStopPolicy } from './cooldown-after-stop.policy.js';
import { cooldownAfterStopParams, type CooldownAfterStopParams } from './params.js';

/** No entry in a symbol for a while after a stop-out there. */
export default defineRiskPolicy<CooldownAfterStopParams>({
  id: 'cooldown-after-stop',
  apiVersion: 1,
  description: 'No entry in a symbol for a while after a stop-out there.',
  paramsSchema: cooldownAfterStopParams,
  create: (context) => new CooldownAfterStopPolicy(context.params),
});
