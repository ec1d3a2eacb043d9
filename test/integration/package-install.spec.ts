import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The package acceptance, done literally: `npm pack` this checkout, install the tarball into an empty outside project
// with production dependencies only, and import `harvester`, `harvester/sdk` and `harvester/conformance` there with
// plain Node (no tsx, no TypeScript): what a third party gets from `npm install harvester` (CONTRIBUTING.md, "The package").

const repo = path.resolve(import.meta.dirname, '../..');
const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');

/**
 * The environment for the child npm: this process's, less what a parent `npm test` exports about *this* package
 * (npm_package_*, npm_lifecycle_*, the repo's own npm_config_* such as build-from-source), which would otherwise leak
 * into the outside project's install. The cache and registry settings stay: they say where `npm ci` put the tarballs.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') || keep.has(k.toLowerCase())));
}

function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, env: npmEnv(), encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')} could not run: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tail(text: string, lines = 25): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

describe('the npm package, installed into an outside project with --omit=dev', function () {
  this.timeout(240_000);
  let tmp: string;
  let outside: string;
  let packed: { filename: string; files: { path: string }[] };

  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-pack-'));
    // prepack builds dist/ (tsconfig.build.json) and postpack removes it again, so the checkout keeps no stale build.
    const pack = run('npm', ['pack', '--json', '--pack-destination', tmp], repo);
    if (pack.status !== 0) throw new Error(`npm pack failed (exit ${pack.status}):\n${tail(pack.stderr)}\n${tail(pack.stdout)}`);
    packed = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as (typeof packed)[])[0]!;

    outside = path.join(tmp, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(
      path.join(outside, 'package.json'),
      `${JSON.stringify({ name: 'outside', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
    );
    // --prefer-offline: every tarball `npm ci` cached is taken from the cache without asking the registry; only what the
    // cache lacks (npm ci stores tarballs, not always the registry's version lists) is fetched, from the npm registry CI
    // reaches. --ignore-scripts: the only install script among the production dependencies is better-sqlite3's native
    // build (minutes of node-gyp on two cores, or a prebuilt binary from outside the npm registry), and none of the three
    // entry points loads it; the CLI's own use of it is covered by the clone's specs.
    const install = run(
      'npm',
      ['install', '--omit=dev', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', path.join(tmp, packed.filename)],
      outside,
      180_000,
    );
    if (install.status !== 0) {
      throw new Error(
        `npm install --omit=dev of the packed tarball failed (exit ${install.status}). It needs the npm cache that \`npm ci\` filled, ` +
          `or the npm registry for what that cache lacks (ENOTCACHED / ENOTFOUND below mean neither had it):\n${tail(install.stderr)}`,
      );
    }
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Runs an ES module snippet in the outside project with plain Node and returns what it printed as JSON. */
  function probe(code: string): unknown {
    const r = run(process.execPath, ['--input-type=module', '-e', code], outside, 60_000);
    expect(r.status, r.stderr).to.equal(0);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  }

  it('packs the product and its built entry points, and nothing of test/, bench/ or scripts/', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of [
      'bin/harvester.js',
      'bin/source-condition.js',
      'adapters/cli/main.ts',
      'tsconfig.json',
      'harvester.config.ts',
      'README.md',
    ]) {
      expect(files, f).to.include(f);
    }
    for (const entry of ['index', 'plugins/sdk/index', 'plugins/conformance/index']) {
      expect(files, `dist/${entry}.js`).to.include(`dist/${entry}.js`);
      expect(files, `dist/${entry}.d.ts`).to.include(`dist/${entry}.d.ts`);
    }
    expect(files.filter((f) => /^(test|bench|scripts|node_modules|var)\//.test(f) || f.endsWith('.spec.ts'))).to.deep.equal([]);
    expect(fs.existsSync(path.join(repo, 'dist')), 'postpack leaves no dist/ in the checkout').to.equal(false);
  });

  it("installs production dependencies and the kit's test-runner peer (chai), but no dev dependency and not the optional mocha", () => {
    const has = (name: string) => fs.existsSync(path.join(outside, 'node_modules', name, 'package.json'));
    expect(has('harvester')).to.equal(true);
    expect(has('zod')).to.equal(true);
    expect(has('chai'), 'chai is a peer dependency: npm installs it with --omit=dev').to.equal(true);
    expect(has('mocha'), 'mocha is an optional peer: only describe…Conformance needs its globals').to.equal(false);
    for (const dev of ['typescript', 'fast-check', 'dependency-cruiser', '@biomejs/biome']) expect(has(dev), dev).to.equal(false);
  });

  it('`harvester/sdk` loads in plain Node and exposes the plugin SDK, the ports and the domain primitives', () => {
    const got = probe(`const m = await import('harvester/sdk');
      const s = m.defineStrategy({ id: 'probe-one', apiVersion: m.PLUGIN_API_VERSION, description: 'p', paramsSchema: m.z.object({}), create: () => ({}) });
      console.log(JSON.stringify({ keys: Object.keys(m), kind: s.kind, price: m.toPrice(12.34), parsed: m.z.number().parse(3) }));`) as {
      keys: string[];
      kind: string;
      price: number;
      parsed: number;
    };
    expect(got.keys).to.include.members([
      'defineStrategy',
      'defineAdapter',
      'defineLearner',
      'defineRiskPolicy',
      'defineConfig',
      'env',
      'z',
      'createToken',
      'toPrice',
    ]);
    expect(got).to.deep.include({ kind: 'strategy', price: 123_400, parsed: 3 });
  });

  it('`harvester/conformance` loads in plain Node, with the suites, the card lists and the programmatic runner', () => {
    const got = probe(`const k = await import('harvester/conformance');
      console.log(JSON.stringify({ keys: Object.keys(k), kit: k.KIT_VERSION, brk: k.BROKER_CARDS.length, feed: k.FEED_CARDS.length }));`) as {
      keys: string[];
      kit: string;
      brk: number;
      feed: number;
    };
    expect(got.keys).to.include.members([
      'describeBrokerAdapterConformance',
      'describeMarketDataFeedConformance',
      'describeRiskPolicyConformance',
      'describeLearnerConformance',
      'describeMemoryStoreConformance',
      'runSuiteProgrammatically',
      'buildReport',
      'EventRecorder',
    ]);
    expect(got.kit).to.equal('1.0');
    expect(got.brk).to.be.greaterThan(0);
    expect(got.feed).to.be.greaterThan(0);
  });

  it('`harvester` loads in plain Node: the SDK plus the error base class and its codes', () => {
    const got = probe(`const h = await import('harvester'); const sdk = await import('harvester/sdk');
      const e = new h.HarvesterError('CONFIG.INVALID', 'x');
      console.log(JSON.stringify({ sdkShared: sdk.defineStrategy === h.defineStrategy, code: e.code, isError: e instanceof Error, codes: typeof h.ErrorCodes }));`);
    expect(got).to.deep.equal({ sdkShared: true, code: 'CONFIG.INVALID', isError: true, codes: 'object' });
  });

  it('its .d.ts files typecheck a strict outside project that has no @types of its own', () => {
    fs.writeFileSync(
      path.join(outside, 'check.ts'),
      `import { defineStrategy, z, type Strategy } from 'harvester/sdk';
import { runSuiteProgrammatically, type ConformanceReport } from 'harvester/conformance';
import { HarvesterError, type ErrorCode } from 'harvester';
export const s = defineStrategy({ id: 'x-y', apiVersion: 1, description: 'd', paramsSchema: z.object({ a: z.number() }), create: () => ({}) as unknown as Strategy });
export type Report = ConformanceReport;
export const code: ErrorCode = new HarvesterError('CONFIG.INVALID', 'x').code;
export const runner: typeof runSuiteProgrammatically = runSuiteProgrammatically;
`,
    );
    fs.writeFileSync(
      path.join(outside, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: [] },
        files: ['check.ts'],
      }),
    );
    const r = run(process.execPath, [tsc, '-p', 'tsconfig.json'], outside);
    expect(r.status, `${r.stdout}${r.stderr}`).to.equal(0);
  });
});
