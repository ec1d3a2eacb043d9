import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { catalogueIds, renderCardCatalogue } from '../../plugins/conformance/catalogue.js';

const repo = path.resolve(import.meta.dirname, '../..');
const checkedIn = path.join(repo, 'docs/conformance-cards.md');
const PRODUCT_DIRS = ['core', 'ports', 'adapters', 'plugins', 'strategies', 'learners'];

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(p));
    else if (entry.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('docs/conformance-cards.md (the card catalogue)', function () {
  this.timeout(60_000);

  it('is what `npm run docs:cards` generates from the kit today', () => {
    // The command itself, not only the renderer: what a contributor runs is what is checked.
    const script = 'test/conformance/print-card-catalogue.ts';
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: repo, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(renderCardCatalogue());
    const stale = 'stale copy: run `npm run docs:cards` and commit docs/conformance-cards.md';
    expect(fs.readFileSync(checkedIn, 'utf8'), stale).to.equal(r.stdout);
  });

  it('lists every card id that production source cites', () => {
    const known = catalogueIds();
    const missing: string[] = [];
    for (const dir of PRODUCT_DIRS) {
      for (const file of tsFiles(path.join(repo, dir))) {
        for (const m of fs.readFileSync(file, 'utf8').matchAll(/\b(BRK|FEED|RISK|MEM|LRN)-(\d{2})\b/g)) {
          if (!known.has(m[0])) missing.push(`${path.relative(repo, file)}: ${m[0]}`);
        }
      }
    }
    expect(missing, 'card ids cited in source but defined nowhere in the kit').to.deep.equal([]);
  });
});
