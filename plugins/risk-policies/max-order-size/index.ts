import { defineRiskPolicy } from '../../sdk/define.js';
import { MaxOrderSizePolicy } from './max-order-size.policy.js';
import { maxOrderSizeParams, type MaxOrderSizeParams } from './params.js';

/** Caps one order by quantity and notional. */
export default defineRiskPolicy<MaxOrderSizeParams>({
  id: 'max-order-size',
  apiVersion: 1,
  description: 'Caps one order by quantity and notional.',
  paramsSchema: maxOrderSizeParams,
  create: (context) => new MaxOrderSizePolicy(context.params),
});
