#!/usr/bin/env node
// Harvester is written in TypeScript and runs through tsx (esbuild), so `npx harvester` works right after
// `npm install` with no build step. harvester.config.ts and plugins given by path load the same way.
// Harvester's own tsconfig is named explicitly: run from another folder, tsx would otherwise pick up that
// folder's tsconfig (or none) and lose the decorator settings the DI container needs.
import { register as registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
// `harvester/sdk` imported by a config or a plugin resolves to these same sources (bin/source-condition.js says why).
registerHooks('./source-condition.js', import.meta.url);
await import('../adapters/cli/main.ts');
