// Piscina worker entry: worker threads do not inherit the bin's tsx registration, so register it here (with the
// project's tsconfig, for the DI decorators) and hand each task to the TypeScript worker.
import { register as registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
// A plugin the sweep loads by path resolves `harvester/sdk` to these sources, as in the bin (bin/source-condition.js).
registerHooks('../../../bin/source-condition.js', import.meta.url);
const worker = await import('./sweep-worker.ts');
export default worker.default;
