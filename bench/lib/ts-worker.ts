import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript module: the worker registers tsx itself, since it inherits neither
 * `node --import tsx` nor a parent's register() (the same boot as adapters/persistence/pg-commit-sink.ts).
 */
export function tsWorker(entry: URL, workerData: unknown): Worker {
  const tsx = pathToFileURL(
    path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  ).href;
  const tsconfig = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
  const boot = `import(${JSON.stringify(tsx)})
    .then((m) => { m.register({ tsconfig: ${JSON.stringify(tsconfig)} }); return import(${JSON.stringify(entry.href)}); })
    .catch((e) => { console.error(e); process.exit(1); });`;
  return new Worker(boot, { eval: true, execArgv: [], workerData });
}
