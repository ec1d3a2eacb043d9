#!/usr/bin/env node
// Harvester is written in TypeScript and runs through tsx (esbuild), so `npx harvester` works right after
// `npm install` with no build step. harvester.config.ts and plugins given by path load the same way.
import { register } from 'tsx/esm/api';

register();
await import('../adapters/cli/main.ts');
