// Piscina worker entry: worker threads do not inherit the bin's tsx registration, so register it here (with the
// project's tsconfig, for the DI decorators) and hand each task to the TypeScript worker.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
const worker = await import('./sweep-worker.ts');
export default worker.default;
