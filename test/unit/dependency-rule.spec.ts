import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const depcruise = path.join(repo, 'node_modules/.bin/depcruise');

function cruise(cwd: string, ...dirs: string[]): number {
  const r = spawnSync(depcruise, ['--config', path.join(repo, '.dependency-cruiser.cjs'), ...dirs], { cwd, encoding: 'utf8' });
  return r.status ?? -1;
}

describe('dependency rule (dependency-cruiser)', function () {
  this.timeout(60_000);

  it('fails on a core/ file that imports an adapter', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-deps-'));
    fs.mkdirSync(path.join(dir, 'core'));
    fs.mkdirSync(path.join(dir, 'adapters'));
    fs.writeFileSync(path.join(dir, 'adapters/thing.ts'), 'export const thing = 1;\n');
    fs.writeFileSync(path.join(dir, 'core/bad.ts'), "import { thing } from '../adapters/thing.js';\nexport const x = thing;\n");
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
    );
    expect(cruise(dir, 'core', 'adapters')).to.not.equal(0);
    fs.writeFileSync(path.join(dir, 'core/bad.ts'), 'export const x = 1;\n');
    expect(cruise(dir, 'core', 'adapters')).to.equal(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
