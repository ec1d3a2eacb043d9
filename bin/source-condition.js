// A module-resolution hook that every Harvester process registers (bin/harvester.js and the sweep worker entry): it
// resolves `harvester`, `harvester/sdk` and `harvester/conformance` through the "harvester-source" export condition,
// i.e. to the TypeScript sources the CLI itself runs, not to dist/. A config or a plugin that imports `harvester/sdk`
// then shares one copy of each module with the host, and works in a clone, which has no dist/ (dist/ is built by
// `npm pack` for plain Node importers only; CONTRIBUTING.md, "The package"). Only ESM resolution passes through this
// hook: a config that tsx compiles to CommonJS (a folder without "type": "module") reaches the sources through the
// exports' last condition, "default".
const CONDITION = 'harvester-source';

export async function resolve(specifier, context, nextResolve) {
  if (specifier !== 'harvester' && !specifier.startsWith('harvester/')) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, CONDITION] });
}
