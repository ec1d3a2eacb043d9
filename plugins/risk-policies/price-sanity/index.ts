import { defineRiskPolicy } from '../../sdk/define.js';
import { PriceSanityPolicy } from './price-sanity.policy.js';
import { priceSanityParams, type PriceSanityParams } from './params.js';

/** Entries need a fresh, sane quote and a price near it. */
export default defineRiskPolicy<PriceSanityParams>({
  id: 'price-sanity',
  apiVersion: 1,
  description: 'Entries need a fresh, sane quote and a price near it.',
  paramsSchema: priceSanityParams,
  create: (context) => new PriceSanityPolicy(context.params),
});
