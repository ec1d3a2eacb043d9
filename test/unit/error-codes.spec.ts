import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, isErrorCode } from '../../core/domain/error-codes.js';

const ROOTS = ['core', 'ports', 'adapters', 'plugins', 'strategies', 'learners'];
const CATALOGUE = 'core/domain/error-codes.ts';

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (path.endsWith('.ts') && path !== CATALOGUE) out.push(path);
  }
  return out;
}

/** Every quoted `AREA.REASON` literal in production source, with the files it is in. */
function quotedCodes(): Map<string, string[]> {
  const areas = Object.keys(ErrorCodes).join('|');
  const literal = new RegExp(`['"\`]((?:${areas})\\.[A-Z][A-Z_]+)['"\`]`, 'g');
  const found = new Map<string, string[]>();
  for (const file of ROOTS.flatMap((r) => sources(r))) {
    for (const m of readFileSync(file, 'utf8').matchAll(literal)) found.set(m[1]!, [...(found.get(m[1]!) ?? []), file]);
  }
  return found;
}

describe('error and reason code catalogue', () => {
  const used = quotedCodes();

  it('every code production source quotes is in the catalogue', () => {
    const outside = [...used].filter(([code]) => !isErrorCode(code)).map(([code, files]) => `${code} (${files.join(', ')})`);
    expect(outside).to.deep.equal([]);
  });

  it('every catalogue code is used by production source', () => {
    const all = Object.entries(ErrorCodes).flatMap(([area, reasons]) => reasons.map((r) => `${area}.${r}`));
    expect(all.filter((code) => !used.has(code))).to.deep.equal([]);
  });
});
