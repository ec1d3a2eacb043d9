import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { ConfigError, PluginError } from '../../core/errors/harvester-error.js';
import { buildMemory } from '../../core/learning/memory-builder.js';
import noneLearner from '../../learners/none/index.js';
import metaLabel from '../../learners/meta-label/index.js';
import thresholdTuner from '../../learners/threshold-tuner/index.js';
import execMemory from '../../learners/exec-memory/index.js';
import { MetaLabelLearner } from '../../learners/meta-label/meta-label.learner.js';
import { metaLabelParams } from '../../learners/meta-label/index.js';
import { ExecMemoryLearner } from '../../learners/exec-memory/exec-memory.learner.js';
import { execMemoryParams } from '../../learners/exec-memory/index.js';
import example from '../../strategies/example-imbalance-tick/index.js';
import { KIT_SAMPLES, shuffled } from '../../plugins/conformance/learner/learner-samples.js';
import { allowAllPolicy, fakeBrokerAdapter, fakeFeedAdapter, fakeStoreAdapter } from '../support/fake-plugins.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const builtins = [
  fakeFeedAdapter,
  fakeBrokerAdapter,
  fakeStoreAdapter,
  noneLearner,
  metaLabel,
  thresholdTuner,
  execMemory,
  example,
  allowAllPolicy,
];
const base = (): Record<string, unknown> => ({
  marketData: { use: 'fake-feed', params: { recording: 'x.hrec' } },
  broker: { use: 'fake-broker', params: {} },
  store: { use: 'fake-store', params: {} },
  strategies: [{ use: 'example-imbalance-tick', params: { symbol: 'ABC' } }],
});

describe('learning: { learners, everyTrades, window, gate, monitor } in the root config', function () {
  it('defaults: the learner shorthand is the one learner; cadence 5, window 50–200, synthetic weight 0.5', async () => {
    const r = await resolveConfig(
      { ...base(), learner: { use: 'meta-label', params: { minSamples: 40 } } },
      { builtins, baseDir: here, env: {} },
    );
    expect(r.learners.map((l) => l.manifest.id)).to.deep.equal(['meta-label']);
    expect((r.learners[0]!.params as { minSamples: number }).minSamples).to.equal(40);
    expect(r.root.learning).to.deep.include({ everyTrades: 5, window: { min: 50, max: 200 }, syntheticWeight: 0.5 });
  });

  it('a list of learners, each validated by its own schema and named by path', async () => {
    const r = await resolveConfig(
      { ...base(), learning: { learners: [{ use: 'meta-label' }, { use: 'exec-memory', params: { minBucket: 4 } }], everyTrades: 10 } },
      { builtins, baseDir: here, env: {} },
    );
    expect(r.learners.map((l) => l.manifest.id)).to.deep.equal(['meta-label', 'exec-memory']);
    expect(r.learner.manifest.id, 'the first one stands for `learner`').to.equal('meta-label');
    const bad = await resolveConfig(
      { ...base(), learning: { learners: [{ use: 'meta-label', params: { l2: -1 } }] } },
      { builtins, baseDir: here, env: {} },
    ).catch((e: unknown) => e);
    expect(bad).to.be.instanceOf(ConfigError);
    expect((bad as ConfigError).message).to.match(
      /learning\.learners\[0\]\.params\.l2 .*meta-label|meta-label[\s\S]*learning\.learners\[0\]\.params\.l2/,
    );
    const twice = await resolveConfig(
      { ...base(), learning: { learners: [{ use: 'meta-label' }, { use: 'meta-label' }] } },
      { builtins, baseDir: here, env: {} },
    ).catch((e: unknown) => e);
    expect((twice as ConfigError).message).to.match(/listed twice/);
    const unknown = await resolveConfig(
      { ...base(), learning: { learners: [{ use: 'no-such-learner' }] } },
      { builtins, baseDir: here, env: {} },
    ).catch((e: unknown) => e);
    expect(unknown).to.be.instanceOf(PluginError);
    const window = await resolveConfig(
      { ...base(), learning: { window: { min: 300, max: 200 } } },
      { builtins, baseDir: here, env: {} },
    ).catch((e: unknown) => e);
    expect((window as ConfigError).message).to.match(/learning\.window\.min/);
  });
});

describe('buildMemory — one content from every learner, deterministic', function () {
  const learners = [
    { id: 'meta-label', params: {}, instance: new MetaLabelLearner(metaLabelParams.parse({})) },
    { id: 'exec-memory', params: {}, instance: new ExecMemoryLearner(execMemoryParams.parse({})) },
  ];
  it('the same samples in any order and the same seed give byte-identical content', () => {
    const a = buildMemory(learners, KIT_SAMPLES, 7);
    const b = buildMemory(learners, shuffled(KIT_SAMPLES, 3), 7);
    expect(a.ok && b.ok).to.equal(true);
    expect(JSON.stringify(b.ok && b.content)).to.equal(JSON.stringify(a.ok && a.content));
    if (a.ok) {
      expect(a.content.samples.count).to.equal(KIT_SAMPLES.length);
      // The take/skip model acts through `filter`, the others through sections.
      expect(Object.keys(a.content.sections)).to.deep.equal(['execution']);
      expect(a.content.candidates).to.have.keys(['meta-label', 'exec-memory']);
    }
  });
  it('records a refusing learner with its code, and gives no memory when all refuse', () => {
    const few = buildMemory(learners, KIT_SAMPLES.slice(0, 25), 7);
    expect(few.ok).to.equal(true);
    if (few.ok) expect(few.content.learners.map((l) => l.refused ?? 'built')).to.deep.equal(['LEARNER.TOO_FEW_SAMPLES', 'built']);
    const none = buildMemory(learners, KIT_SAMPLES.slice(0, 5), 7);
    expect(none.ok ? 'memory' : none.code).to.equal('LEARNER.TOO_FEW_SAMPLES');
  });
});
