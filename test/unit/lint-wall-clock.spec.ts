import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

// The determinism rule (CONTRIBUTING.md, "The dependency rule") is enforced by `npm run lint`: biome.json applies
// lint/no-wall-clock.grit and a noRestrictedImports list to core/, ports/, strategies/ and learners/. These probes
// run the repository's own biome.json on scratch files in a temporary copy, so the rule is shown to bite where it
// must and to stay silent in the clock adapters, without writing into the work tree.

const repo = path.resolve(import.meta.dirname, '../..');
const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');

/** One forbidden read per line, so each diagnostic's line says which form was caught. */
const FORBIDDEN = [
  'export const a = Date.now();',
  'export const b = new Date();',
  'export const c = Date();',
  'export const d = Math.random();',
  'export const e = performance.now();',
  'export const f = process.hrtime();',
  'export const g = process.hrtime.bigint();',
  'export const h = crypto.randomUUID();',
  'export const i = globalThis.Date.now();',
];
const ALLOWED = [
  "import { createHash } from 'node:crypto';",
  'export const iso = (us: number): string => new Date(us / 1000).toISOString();',
  "export const sha = createHash('sha256');",
];
const RESTRICTED_IMPORTS = [
  "import { randomUUID } from 'node:crypto';",
  "import { performance } from 'node:perf_hooks';",
  'export const u = [randomUUID, performance];',
];

const DETERMINISTIC = ['core/probe.ts', 'ports/probe.ts', 'strategies/probe/index.ts', 'learners/probe/index.ts'];
const CLOCK_ADAPTER = 'adapters/system-clock/probe.ts';

interface Diagnostic {
  file: string;
  line: number;
  title: string;
}

/** Runs `biome lint` with the repository's config over a scratch tree; returns the exit status and its diagnostics. */
function lintScratch(files: Record<string, string>): { status: number | null; diagnostics: Diagnostic[]; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-lint-'));
  try {
    fs.copyFileSync(path.join(repo, 'biome.json'), path.join(dir, 'biome.json'));
    fs.cpSync(path.join(repo, 'lint'), path.join(dir, 'lint'), { recursive: true });
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), `${text}\n`);
    }
    // The scratch tree is no git checkout: the config's vcs ignore-file lookup would fail, so it is switched off here.
    const r = spawnSync(process.execPath, [biome, 'lint', '--vcs-enabled=false', '--reporter=github', '--max-diagnostics=none', '.'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const output = `${r.stdout}\n${r.stderr}`;
    const diagnostics: Diagnostic[] = [];
    for (const m of r.stdout.matchAll(/^::error title=([^,]+),file=([^,]+),line=(\d+),/gm)) {
      diagnostics.push({ title: m[1] ?? '', file: path.relative(dir, m[2] ?? ''), line: Number(m[3]) });
    }
    return { status: r.status, diagnostics, output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('lint: no wall clock or global randomness in deterministic code (biome.json)', function () {
  this.timeout(60_000);

  const files: Record<string, string> = {};
  for (const f of DETERMINISTIC) files[f] = FORBIDDEN.join('\n');
  files[CLOCK_ADAPTER] = FORBIDDEN.join('\n');
  files['core/allowed.ts'] = ALLOWED.join('\n');
  files['core/imports.ts'] = RESTRICTED_IMPORTS.join('\n');
  files['adapters/system-clock/imports.ts'] = RESTRICTED_IMPORTS.join('\n');
  let run: ReturnType<typeof lintScratch>;
  before(() => {
    run = lintScratch(files);
  });
  // Biome reports files in parallel: order by line before comparing.
  const linesOf = (file: string): number[] =>
    run.diagnostics
      .filter((d) => d.file === file)
      .map((d) => d.line)
      .sort((x, y) => x - y);

  it('fails the lint run when deterministic code reads the clock', () => {
    expect(run.status, run.output).to.equal(1);
  });

  for (const file of DETERMINISTIC) {
    it(`flags every forbidden read in ${file.split('/')[0]}/`, () => {
      const expected = FORBIDDEN.map((_, i) => i + 1);
      expect(linesOf(file), run.output).to.deep.equal(expected);
      expect(run.diagnostics.filter((d) => d.file === file).every((d) => d.title === 'plugin')).to.equal(true);
    });
  }

  it('flags importing randomUUID from node:crypto and anything from node:perf_hooks in core/', () => {
    const hits = run.diagnostics.filter((d) => d.file === 'core/imports.ts');
    expect(linesOf('core/imports.ts'), run.output).to.deep.equal([1, 2]);
    expect(hits.every((d) => d.title === 'lint/style/noRestrictedImports')).to.equal(true);
  });

  it('lets the clock adapter read the wall clock (the same text passes under adapters/system-clock/)', () => {
    expect(linesOf(CLOCK_ADAPTER), run.output).to.deep.equal([]);
    expect(linesOf('adapters/system-clock/imports.ts'), run.output).to.deep.equal([]);
  });

  it('allows formatting a given instant with new Date(x) and hashing with node:crypto in core/', () => {
    expect(linesOf('core/allowed.ts'), run.output).to.deep.equal([]);
  });

  it('passes a scratch tree that holds only the clock adapter', () => {
    const clean = lintScratch({ [CLOCK_ADAPTER]: FORBIDDEN.join('\n'), 'core/allowed.ts': ALLOWED.join('\n') });
    expect(clean.status, clean.output).to.equal(0);
    expect(clean.diagnostics).to.deep.equal([]);
  });
});
