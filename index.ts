/**
 * `harvester`, the package's root entry point: the public contract and nothing of the kernel's insides.
 *
 * - the ports (`ports/`): the interfaces an adapter, a strategy, a learner or a risk policy implements;
 * - the domain primitives (`core/domain/`): integer prices and quantities, orders, the book view, seeded randomness;
 * - the plugin SDK (`defineStrategy`, `defineAdapter`, `defineConfig`, `z`, `env`…), the same as `harvester/sdk`;
 * - the one error base class and its stable codes (`HarvesterError`, `ErrorCodes`), so that a caller can tell errors
 *   apart by code.
 *
 * The session engine, the DI container and the adapters are not exported: a session is started with the
 * `harvester` command (bin/harvester.js), configured by harvester.config.ts. The conformance kit is `harvester/conformance`.
 */
export * from './plugins/sdk/index.js';
export * from './core/errors/index.js';
