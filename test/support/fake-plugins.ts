import { z } from 'zod';
import { defineAdapter, defineRiskPolicy } from '../../plugins/sdk/define.js';
import type { IBrokerAdapter } from '../../ports/broker-adapter.js';
import { ALLOW } from '../../ports/risk-policy.js';

/** Minimal adapter manifests for config tests; they are never started. */
export const fakeFeedAdapter = defineAdapter({
  id: 'fake-feed',
  apiVersion: 1,
  provides: ['market-data'],
  paramsSchema: z.object({ recording: z.string().min(1) }).strict(),
  create: () => ({}),
});

export const fakeBrokerAdapter = defineAdapter({
  id: 'fake-broker',
  apiVersion: 1,
  provides: ['broker'],
  paramsSchema: z.object({ latencyUs: z.number().int().nonnegative().default(0), account: z.string().optional() }).strict(),
  create: () => ({ broker: {} as IBrokerAdapter }),
});

export const fakeStoreAdapter = defineAdapter({
  id: 'fake-store',
  apiVersion: 1,
  provides: ['store'],
  paramsSchema: z.object({}).strict(),
  create: () => ({}),
});

export const allowAllPolicy = defineRiskPolicy({
  id: 'allow-all',
  apiVersion: 1,
  paramsSchema: z.object({}).strict(),
  create: () => ({ id: 'allow-all', evaluate: () => ALLOW }),
});
