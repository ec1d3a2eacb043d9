import { defineStrategy } from '../../plugins/sdk/define.js';
import { ImbalanceTickStrategy } from './imbalance-tick.strategy.js';
import { imbalanceTickParams } from './params.js';

export default defineStrategy({
  id: 'example-imbalance-tick',
  apiVersion: 1,
  description: 'EXAMPLE: top-N book imbalance entry with a bracket; a minimal plugin to read, not to trade.',
  paramsSchema: imbalanceTickParams,
  create: (context) => new ImbalanceTickStrategy(context),
});
