import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');

function citations(root: string): { status: number | null; stdout: string } {
  const script = path.join(repo, 'scripts/docs-citations.ts');
  const env = { ...process.env, HARVESTER_DOCS_ROOT: root };
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: repo, encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout + r.stderr };
}

describe('npm run docs:citations (every § and card id in production source resolves to docs/)', function () {
  this.timeout(60_000);

  it('resolves every citation in the repository', () => {
    const r = citations(repo);
    expect(r.stdout, r.stdout).to.match(/unresolved 0$/m);
    expect(r.status, r.stdout).to.equal(0);
  });

  it('names a citation whose section has no docs target, and one whose anchor is gone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-cite-'));
    try {
      fs.mkdirSync(path.join(dir, 'docs'));
      fs.mkdirSync(path.join(dir, 'strategies/x'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'adapters/tws'), { recursive: true });
      const rows = [
        '| roadmap | §5.4 | `docs/lmp.md#lmp-4` | x |',
        '| IB | §2.3 | `docs/tws.md#gone` | y |',
        '| roadmap | §6.1 | `docs/tws.md#no-anchors` | z |', // a heading slug
      ];
      const map = `${rows.join('\n')}\n<a id="lmp-4"></a>\n`;
      fs.writeFileSync(path.join(dir, 'docs/lmp.md'), map);
      fs.writeFileSync(path.join(dir, 'docs/tws.md'), '# no anchors\n');
      fs.writeFileSync(path.join(dir, 'docs/conformance-cards.md'), '<a id="feed-13"></a>\n');
      const source = '// §5.4 fine, §5.5 unmapped, card FEED-13 fine, FEED-99 unknown, §6.1 by heading\n';
      fs.writeFileSync(path.join(dir, 'strategies/x/a.ts'), source);
      fs.writeFileSync(path.join(dir, 'adapters/tws/b.ts'), '// heartbeat (§2.3)\n');
      const r = citations(dir);
      expect(r.status).to.equal(1);
      expect(r.stdout).to.include('strategies/x/a.ts:1: roadmap §5.5 (not in the section map)');
      expect(r.stdout).to.include('strategies/x/a.ts:1: FEED-99');
      expect(r.stdout).to.include('adapters/tws/b.ts:1: IB §2.3 (no docs/tws.md#gone)');
      expect(r.stdout).to.match(/resolved 3, unresolved 3$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
