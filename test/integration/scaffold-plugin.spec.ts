import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/harvester.js');

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('third-party strategy plugins', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-plugin-'));
    // What `npm install harvester` gives a plugin author: the package (and its toolchain) resolvable by name.
    fs.mkdirSync(path.join(dir, 'node_modules'));
    for (const name of ['tsx', 'mocha', 'typescript', '@types']) {
      fs.symlinkSync(path.join(repo, 'node_modules', name), path.join(dir, 'node_modules', name), 'dir');
    }
    fs.symlinkSync(repo, path.join(dir, 'node_modules', 'harvester'), 'dir');
  });
  // The symlinked checkout has no dist/ (npm pack builds it; package-install.spec.ts tests the installed package), so
  // the plugin's own tsc and mocha resolve `harvester/sdk` through the "harvester-source" condition, to the sources,
  // as bin/harvester.js does for every harvester process (bin/source-condition.js).
  const SOURCE = 'harvester-source';
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('`harvester init strategy` scaffolds a plugin that typechecks, passes its own spec and trades through `harvester run`', () => {
    const init = run(process.execPath, [bin, 'init', 'strategy', 'opening-drive', '--dir', dir], repo);
    expect(init.status, init.out).to.equal(0);
    const plugin = path.join(dir, 'opening-drive');
    for (const f of [
      'package.json',
      'index.ts',
      'params.ts',
      'opening-drive.strategy.ts',
      'test/opening-drive.spec.ts',
      'tsconfig.json',
      'README.md',
    ]) {
      expect(fs.existsSync(path.join(plugin, f)), f).to.equal(true);
    }
    const again = run(process.execPath, [bin, 'init', 'strategy', 'opening-drive', '--dir', dir], repo);
    expect(again.status).to.not.equal(0);

    const tsc = run(
      process.execPath,
      [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--customConditions', SOURCE],
      plugin,
    );
    expect(tsc.status, tsc.out).to.equal(0);
    const spec = run(
      process.execPath,
      ['--import', 'tsx', path.join(repo, 'node_modules/mocha/bin/mocha.js'), 'test/opening-drive.spec.ts'],
      plugin,
      { NODE_OPTIONS: `--conditions=${SOURCE}` },
    );
    expect(spec.status, spec.out).to.equal(0);
    expect(spec.out).to.match(/2 passing/);

    const config = path.join(dir, 'harvester.config.ts');
    fs.writeFileSync(
      config,
      `import { defineConfig } from 'harvester/sdk';
export default defineConfig({
  seed: 5,
  session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '10:00' },
  marketData: { use: 'replay', params: { generate: { symbol: 'HRVST' } } },
  broker: { use: 'simulated', params: {} },
  store: { use: 'typeorm', params: { file: '${path.join(dir, 'h.sqlite')}' } },
  strategies: [{ use: './opening-drive/index.ts', params: { symbol: 'HRVST', minImbalance: 0.3, cooldownSeconds: 60 } }],
  dataDir: '${path.join(dir, 'var')}',
});
`,
    );
    const session = run(process.execPath, [bin, 'run', '--json', '--config', config], dir);
    expect(session.status, session.out).to.equal(0);
    const summary = JSON.parse(
      session.out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{') && l.includes('"journalSha256"'))
        .at(-1)!,
    ) as { strategy: string; orders: number };
    expect(summary.strategy).to.equal('opening-drive');
    expect(summary.orders).to.be.greaterThan(0);
  });

  it('an ES-module config that imports `harvester/sdk` loads from a clone, which has no dist/', () => {
    // Without bin/source-condition.js the "import" condition would pick dist/plugins/sdk/index.js, absent in a clone.
    const esm = path.join(dir, 'esm');
    fs.mkdirSync(esm, { recursive: true });
    fs.writeFileSync(path.join(esm, 'package.json'), '{ "type": "module" }\n');
    const config = path.join(esm, 'harvester.config.ts');
    fs.writeFileSync(
      config,
      `import { defineConfig } from 'harvester/sdk';
export default defineConfig({
  session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '09:40' },
  marketData: { use: 'replay', params: { generate: { symbol: 'HRVST' } } },
  broker: { use: 'simulated', params: {} },
  store: { use: 'typeorm', params: { file: '${path.join(dir, 'e.sqlite')}' } },
  strategies: [{ use: 'lmp', params: { symbol: 'HRVST' } }],
  dataDir: '${path.join(dir, 'var')}',
});
`,
    );
    const check = run(process.execPath, [bin, 'config', 'check', '--config', config], esm);
    expect(check.out).to.not.match(/LOAD_FAILED|not defined by "exports"|Cannot find module/);
    expect(check.status, check.out).to.equal(0);
  });

  it('loads an independent example plugin by path from a config and trades with it', () => {
    const config = path.join(dir, 'fixture.config.ts');
    fs.writeFileSync(
      config,
      `export default {
  seed: 9,
  session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '10:00' },
  marketData: { use: 'replay', params: { generate: { symbol: 'HRVST' } } },
  broker: { use: 'simulated', params: {} },
  store: { use: 'typeorm', params: { file: '${path.join(dir, 'f.sqlite')}' } },
  strategies: [{ use: '${path.join(repo, 'test/fixtures/plugins/tape-burst/index.ts')}', params: { symbol: 'HRVST' } }],
  dataDir: '${path.join(dir, 'var')}',
};
`,
    );
    const session = run(process.execPath, [bin, 'run', '--json', '--config', config], dir);
    expect(session.status, session.out).to.equal(0);
    const summary = JSON.parse(
      session.out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{') && l.includes('"journalSha256"'))
        .at(-1)!,
    ) as { strategy: string; fills: number };
    expect(summary.strategy).to.equal('tape-burst');
    expect(summary.fills).to.be.greaterThan(0);
  });
});
