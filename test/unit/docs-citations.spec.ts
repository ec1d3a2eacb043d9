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

/** A scratch tree with `docs` files and product `sources` (path → text). */
function scratch(docs: Record<string, string>, sources: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-cite-'));
  for (const [p, text] of Object.entries({ ...docs, ...sources })) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  }
  return dir;
}

const DOCS = {
  'docs/lmp.md': '# LMP <a id="lmp"></a>\n\n## LMP-4 Setup gates <a id="lmp-4"></a>\n\n## Feature snapshots\n',
  'docs/conformance-cards.md': '| <a id="feed-13"></a>FEED-13 | x |\n| <a id="brk-74"></a>BRK-74 (a) | y |\n',
};

describe('npm run docs:citations (every docs reference and card id in production source resolves to docs/)', function () {
  this.timeout(60_000);

  it('resolves every reference in the repository', () => {
    const r = citations(repo);
    expect(r.stdout, r.stdout).to.match(/^broken references: 0$/m);
    expect(r.status, r.stdout).to.equal(0);
  });

  it('accepts explicit anchors, heading slugs, a following #anchor of the same file, and card ids in code', () => {
    const dir = scratch(DOCS, {
      'strategies/x/a.ts': [
        '// the gates (docs/lmp.md#lmp-4, #feature-snapshots); whole page: docs/lmp.md',
        '/** Card FEED-13 (docs/conformance-cards.md#feed-13): rows beyond the book. */',
        "const id = 'BRK-74';",
        '',
      ].join('\n'),
    });
    try {
      const r = citations(dir);
      expect(r.stdout, r.stdout).to.match(/^broken references: 0$/m);
      expect(r.status, r.stdout).to.equal(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names every broken reference and exits 1', () => {
    const dir = scratch(DOCS, {
      'strategies/x/a.ts': [
        '// roadmap §5.4: the old numbering',
        '// see docs/lmp.md#lmp-9 and docs/gone.md#x',
        '// docs/lmp.md#lmp-4, #nowhere',
        '/** Card FEED-13: no docs file on the line. */',
        '/** FEED-99 (docs/conformance-cards.md#feed-13) is not a card. */',
        "const id = 'RISK-42';",
        'const x = 1; // trailing BRK-74 without a reference',
        '',
      ].join('\n'),
      'adapters/tws/b.ts': '// heartbeat (docs/lmp.md#heartbeat)\n',
      // tests may keep the old numbering and card ids in titles; what they name under docs/ must still exist
      'test/unit/t.spec.ts': "it('§6.2 snapshots, card FEED-13', () => {}); // docs/lmp.md#missing\n",
    });
    try {
      const r = citations(dir);
      expect(r.status, r.stdout).to.equal(1);
      expect(r.stdout).to.include('strategies/x/a.ts:1: a § citation');
      expect(r.stdout).to.include('strategies/x/a.ts:2: docs/lmp.md#lmp-9 (no anchor #lmp-9 in docs/lmp.md)');
      expect(r.stdout).to.include('strategies/x/a.ts:2: docs/gone.md#x (no file docs/gone.md)');
      expect(r.stdout).to.include('strategies/x/a.ts:3: docs/lmp.md#lmp-4, #nowhere (no anchor #nowhere in docs/lmp.md)');
      expect(r.stdout).to.include('strategies/x/a.ts:4: cites FEED-13 without a docs file and anchor on the line');
      expect(r.stdout).to.include('strategies/x/a.ts:5: FEED-99 is not a card the kit defines');
      expect(r.stdout).to.include('strategies/x/a.ts:6: RISK-42 is not a card the kit defines');
      expect(r.stdout).to.include('strategies/x/a.ts:7: cites BRK-74 without a docs file and anchor on the line');
      expect(r.stdout).to.include('adapters/tws/b.ts:1: docs/lmp.md#heartbeat (no anchor #heartbeat in docs/lmp.md)');
      expect(r.stdout).to.include('test/unit/t.spec.ts:1: docs/lmp.md#missing (no anchor #missing in docs/lmp.md)');
      expect(r.stdout).to.match(/^broken references: 10$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
