import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { env } from '../../core/config/env-ref.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { ConfigError, PluginError } from '../../core/errors/harvester-error.js';
import noneLearner from '../../learners/none/index.js';
import example from '../../strategies/example-imbalance-tick/index.js';
import { allowAllPolicy, fakeBrokerAdapter, fakeFeedAdapter, fakeStoreAdapter } from '../support/fake-plugins.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const builtins = [fakeFeedAdapter, fakeBrokerAdapter, fakeStoreAdapter, noneLearner, example, allowAllPolicy];

function base(): Record<string, unknown> {
  return {
    marketData: { use: 'fake-feed', params: { recording: 'x.hrec' } },
    broker: { use: 'fake-broker', params: {} },
    store: { use: 'fake-store', params: {} },
    strategies: [{ use: 'example-imbalance-tick', params: { symbol: 'ABC' } }],
  };
}

async function rejects(input: unknown, envVars: NodeJS.ProcessEnv = {}): Promise<ConfigError | PluginError> {
  try {
    await resolveConfig(input, { builtins, baseDir: here, env: envVars });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PluginError) return error;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('config resolution (two-phase zod validation)', () => {
  it('resolves a valid config, applying plugin defaults and freezing the result', async () => {
    const resolved = await resolveConfig(base(), { builtins, baseDir: here, env: {} });
    expect(resolved.strategies[0]!.instanceId).to.equal('example-imbalance-tick');
    expect((resolved.strategies[0]!.params as { quantity: number }).quantity).to.equal(100);
    expect(Object.isFrozen(resolved.strategies[0]!.params)).to.equal(true);
    expect(resolved.root.mode).to.equal('replay');
  });

  it('names the root path of a bad root value', async () => {
    const err = await rejects({ ...base(), mode: 'yolo' });
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).path).to.equal('mode');
    expect(err.message).to.contain('mode');
  });

  it('names the path and the plugin of bad plugin params', async () => {
    const input = base();
    input.strategies = [{ use: 'example-imbalance-tick', params: { symbol: 'ABC', quantity: -5 } }];
    const err = (await rejects(input)) as ConfigError;
    expect(err.path).to.equal('strategies[0].params.quantity');
    expect(err.pluginId).to.equal('example-imbalance-tick');
    expect(err.message).to.contain("plugin 'example-imbalance-tick'");
  });

  it('rejects an unknown plugin id and lists the known ones', async () => {
    const input = base();
    input.broker = { use: 'no-such-broker', params: {} };
    const err = await rejects(input);
    expect(err.code).to.equal('PLUGIN.UNKNOWN_ID');
    expect(err.message).to.contain('broker.use').and.to.contain('fake-broker');
  });

  it('rejects an adapter that does not provide the role', async () => {
    const input = base();
    input.broker = { use: 'fake-feed', params: { recording: 'x' } };
    const err = (await rejects(input)) as ConfigError;
    expect(err.path).to.equal('broker.use');
  });

  it('resolves env() references and redacts them; a missing variable names its path', async () => {
    const input = { ...base(), broker: { use: 'fake-broker', params: { account: env('HV_TEST_ACCOUNT') } } };
    const resolved = await resolveConfig(input, { builtins, baseDir: here, env: { HV_TEST_ACCOUNT: 'DU1234567' } });
    expect((resolved.broker.params as { account: string }).account).to.equal('DU1234567');
    expect(JSON.stringify(resolved.redacted)).to.not.contain('DU1234567');
    expect(JSON.stringify(resolved.redacted)).to.contain('env(HV_TEST_ACCOUNT)');
    const err = (await rejects(input, {})) as ConfigError;
    expect(err.code).to.equal('CONFIG.ENV_MISSING');
    expect(err.path).to.equal('broker.params.account');
  });

  it('loads a plugin by module path relative to the config', async () => {
    const input = base();
    input.strategies = [{ use: '../../strategies/example-imbalance-tick/index.ts', instanceId: 'by-path', params: { symbol: 'ABC' } }];
    const resolved = await resolveConfig(input, {
      builtins: builtins.filter((b) => b.id !== 'example-imbalance-tick'),
      baseDir: here,
      env: {},
    });
    expect(resolved.strategies[0]!.manifest.id).to.equal('example-imbalance-tick');
    expect(resolved.strategies[0]!.instanceId).to.equal('by-path');
  });

  it('refuses a duplicate plugin id and an API version mismatch, naming the plugin', async () => {
    const dup = await rejects({ ...base(), plugins: [{ ...example }] });
    expect(dup.code).to.equal('PLUGIN.DUPLICATE_ID');
    expect(dup.message).to.contain('example-imbalance-tick');
    const wrongVersion = { ...example, id: 'future-strategy', apiVersion: 2 };
    const err = await rejects({ ...base(), plugins: [wrongVersion] });
    expect(err.code).to.equal('PLUGIN.API_VERSION');
    expect(err.message).to.contain('future-strategy');
  });
});
