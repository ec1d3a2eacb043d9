import { expect } from 'chai';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { createDataSource, TypeormMemoryStore } from '../../adapters/persistence/index.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { createHarvester } from '../../core/di/container.js';
import { MEMORY_KIND, MEMORY_SCHEMA } from '../../core/learning/active-memory.js';
import { defineLearner } from '../../plugins/sdk/define.js';
import { StumpLearner } from '../support/stump-learner.js';

const repo = path.resolve(import.meta.dirname, '../..');
const stump = defineLearner({
  id: 'stump',
  apiVersion: 1,
  description: 'test stump',
  paramsSchema: z.object({}).strict(),
  create: () => new StumpLearner('dec.shelfSizeRatio'),
});

/**
 * Learning cannot trade (docs/learning-data.md#what-the-roadmap-asks-restated, "Acceptance"): whatever memory is in
 * force — any filter cut-off, thresholds and execution offsets in or far out of bounds — and with the loop building
 * and gating candidates during the session, every order the engine requests has an earlier risk approval of its
 * intent, and the learner has no door to the broker.
 */
describe('learning cannot trade (property, whole engine, planted market)', function () {
  this.timeout(600_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-learn-prop-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('every requested order follows a risk approval of its intent, under arbitrary memory', async () => {
    let run = 0;
    let totalOrders = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 10_000 }),
          minScore: fc.double({ min: 0, max: 1, noNaN: true }),
          cut: fc.double({ min: 0, max: 10, noNaN: true }),
          minImbalance: fc.double({ min: -5, max: 5, noNaN: true }),
          entryOffsetTicks: fc.integer({ min: -20, max: 20 }),
          stopBufferTicks: fc.integer({ min: -20, max: 20 }),
        }),
        async (m) => {
          const file = path.join(tmp, `p${run++}.sqlite`);
          const ds = await createDataSource({ driver: 'sqlite', file });
          const store = new TypeormMemoryStore(ds, { namespace: 'default', now: () => 0 });
          const names = ['dec.shelfSizeRatio'];
          const candidate = { learnerId: 'stump', formatVersion: 1, featureNames: names, trainedOn: 1, payload: { cut: m.cut, index: 0 } };
          const saved = await store.save({
            kind: MEMORY_KIND,
            schemaVersion: MEMORY_SCHEMA,
            featureNames: names,
            candidates: { stump: JSON.stringify(candidate) },
            filter: { learnerId: 'stump', minScore: m.minScore },
            sections: {
              thresholds: { minImbalance: m.minImbalance },
              execution: { entryOffsetTicks: m.entryOffsetTicks, stopBufferTicks: m.stopBufferTicks },
            },
            trainedOn: 1,
            trainedThrough: 'x',
            expectedR: 0,
          });
          if (!saved.ok) throw new Error(saved.reason);
          await store.promote(saved.value.version);
          await ds.destroy();
          const resolved = await resolveConfig(
            {
              mode: 'replay',
              seed: m.seed,
              session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '10:15' },
              instruments: [{ symbol: 'HRVST', tick: 0.01 }],
              marketData: { use: 'replay', params: { generate: { symbol: 'HRVST', signal: 'planted' } } },
              broker: { use: 'simulated', params: {} },
              store: { use: 'typeorm', params: { file } },
              learning: {
                learners: [{ use: stump }],
                everyTrades: 1,
                window: { min: 2, max: 50 },
                gate: { minHoldout: 5 },
                monitor: { minClosesBetweenPromotions: 0, maxAgeHours: 1e9 },
              },
              risk: [
                { use: 'max-position', action: 'reject', params: { maxShares: 2_000, maxPositionValue: 50_000 } },
                { use: 'daily-loss', action: 'halt', params: {} },
              ],
              strategies: [{ use: 'lmp', params: { symbol: 'HRVST', maxEntries: 8 } }],
              dataDir: path.join(repo, 'var'),
            },
            { builtins: await builtinPlugins(), baseDir: repo },
          );
          const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
          const runtime = await createHarvester(resolved, { sessionId: `p${run}`, wallStartedAt: 'x', log: quiet });
          await runtime.engine.run();
          const approved = new Set<string>();
          let orders = 0;
          const started = (await runtime.journal.entries(`p${run}`, { kind: 'event' })).find((e) => e.type === 'learning.started');
          expect(started?.data.version, 'the arbitrary memory was in force').to.equal(saved.value.version);
          for (const e of await runtime.journal.entries(`p${run}`)) {
            if (e.type === 'risk.approved') approved.add(String((e.data.intent as { intentId: string }).intentId));
            if (e.type === 'order.requested') {
              orders++;
              expect(e.data.intentId, 'orders name their intent').to.be.a('string').and.not.equal('');
              expect(
                approved.has(String(e.data.intentId)),
                `order ${e.coid} (${String(e.data.role)}) has an earlier risk approval`,
              ).to.equal(true);
            }
          }
          await runtime.close();
          totalOrders += orders;
        },
      ),
      { numRuns: 3, seed: 12 },
    );
    expect(totalOrders, 'the runs placed orders at all').to.be.greaterThan(0);
  });
});
