import { defineRiskPolicy } from '../../sdk/define.js';
import { MaxPositionPolicy } from './max-position.policy.js';
import { maxPositionParams, type MaxPositionParams } from './params.js';

/** Caps the position an entry leaves: shares and value. */
export default defineRiskPolicy<MaxPositionParams>({
  id: 'max-position',
  apiVersion: 1,
  description: 'Caps the position an entry leaves: shares and value.',
  paramsSchema: maxPositionParams,
  create: (context) => new MaxPositionPolicy(context.params),
});
