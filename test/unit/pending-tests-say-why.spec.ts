import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

// `npm test` prints no pending test that does not say why (issue "One shape for the house", acceptance). A pending test
// comes from a skip call or from a test without a body; this spec finds every one in the sources `npm test` runs and
// allows only the two that put the reason in the test's title: test/support/skip.ts (`skipBecause`) and the
// conformance kit's known gaps (plugins/conformance/suite.ts, titled `[known gap: …]`).

const repo = path.resolve(import.meta.dirname, '../..');
const SELF = path.relative(repo, import.meta.filename);
const ALLOWED = new Set(['test/support/skip.ts', 'plugins/conformance/suite.ts']);
/** Not run by `npm test` (see its glob in package.json): the opt-in live suite and the fixtures' own packages. */
const NOT_IN_NPM_TEST = ['test/live/', 'test/fixtures/'];

const SKIP_CALLS = [
  /\b(?:it|describe|context|specify)\.skip\b/,
  /\bx(?:it|describe|context|specify)\s*\(/,
  /\b(?:this|ctx|context)\.skip\s*\(/,
  /:\s*describe\.skip\b/,
];
/** `it('title')` with no function: mocha lists it as pending. */
const NO_BODY = /\b(?:it|specify)\(\s*(['"`])(?:(?!\1).)*\1\s*\)/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(repo, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.name === 'node_modules') continue;
    if (entry.isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) out.push(rel);
  }
  return out;
}

describe('pending tests say why', () => {
  it('every skip in the specs goes through skipBecause (or is a conformance known gap), and no test lacks a body', () => {
    const offenders: string[] = [];
    for (const file of [...sources('test'), ...sources('plugins')]) {
      if (file === SELF || ALLOWED.has(file) || NOT_IN_NPM_TEST.some((p) => file.startsWith(p))) continue;
      fs.readFileSync(path.join(repo, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (SKIP_CALLS.some((re) => re.test(line)) || NO_BODY.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders, 'use skipBecause(this, reason) from test/support/skip.ts').to.deep.equal([]);
  });

  it('skipBecause puts the reason into the title of each test it skips', async () => {
    const { skipBecause } = await import('../support/skip.js');
    const test = { type: 'test', title: 'reads the file' } as Mocha.Test;
    let skipped = false;
    const ctx = {
      test,
      skip: () => {
        skipped = true;
      },
    } as unknown as Mocha.Context;
    skipBecause(ctx, 'no file');
    expect([test.title, skipped]).to.deep.equal(['reads the file (skipped: no file)', true]);

    const a = { type: 'test', title: 'a' } as Mocha.Test;
    const b = { type: 'test', title: 'b' } as Mocha.Test;
    const inner = { tests: [b], suites: [] } as unknown as Mocha.Suite;
    const hook = { type: 'hook', title: '"before all" hook', parent: { tests: [a], suites: [inner] } } as unknown as Mocha.Hook;
    skipBecause({ test: hook, skip: () => undefined } as unknown as Mocha.Context, 'no server');
    expect([a.title, b.title]).to.deep.equal(['a (skipped: no server)', 'b (skipped: no server)']);
  });
});
