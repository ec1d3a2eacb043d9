import { defineStrategy } from '../../plugins/sdk/define.js';
import { LmpStrategy } from './lmp.strategy.js';
import { lmpParams } from './params.js';

export { LmpStrategy } from './lmp.strategy.js';
export { lmpParams, compileParams, type LmpParams, type LmpParamsInput } from './params.js';
export { FEATURE_NAMES, featureNames } from './features.js';
export { SNAPSHOT_LABELS } from './snapshots.js';

/** LOB Momentum Pullback (docs/lmp.md#lmp): L2 imbalance + tape + support shelf, pullback entry as a bracket. */
export default defineStrategy({
  id: 'lmp',
  apiVersion: 1,
  description: 'LOB Momentum Pullback: enter a pullback to a persistent L2 shelf after an impulse, tape recovered; bracket exits.',
  paramsSchema: lmpParams,
  create: (context) => new LmpStrategy(context),
});
