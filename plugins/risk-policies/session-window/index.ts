import { defineRiskPolicy } from '../../sdk/define.js';
import { SessionWindowPolicy } from './session-window.policy.js';
import { sessionWindowParams, type SessionWindowParams } from './params.js';

/** Entries only inside the trading window(s), exchange time. */
export default defineRiskPolicy<SessionWindowParams>({
  id: 'session-window',
  apiVersion: 1,
  description: 'Entries only inside the trading window(s), exchange time.',
  paramsSchema: sessionWindowParams,
  create: (context) => new SessionWindowPolicy(context.params),
});
