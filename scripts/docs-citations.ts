/**
 * `npm run docs:citations`: every `§N.M` and conformance card id cited in production source, and whether it
 * resolves to a section under docs/. Card ids resolve to docs/conformance-cards.md (generated from the kit); `§`
 * citations resolve through the section map in docs/lmp.md ("Section map"), which names for each cited document
 * (roadmap, IB, cards) and section the docs anchor that now explains it. Prints one line per unresolved citation
 * and a summary; exits 1 when any citation does not resolve. Reads files only; imports nothing from test/.
 *
 * Which document a `§` means is read from the comment: the nearest preceding "card(s) §" / "IB" /
 * "ib-adapter-behaviour" / "roadmap" / "seed" on the same line, else on the line before; without one, files under
 * adapters/tws/ cite the IB adapter reference and every other file the roadmap. A later `§` in a list ("IB §2.1,
 * §2.8") keeps the document of the one before it.
 */
import fs from 'node:fs';
import path from 'node:path';

// HARVESTER_DOCS_ROOT: another tree to check (the spec runs the script on a scratch tree to see it fail).
const repo = process.env.HARVESTER_DOCS_ROOT ?? path.resolve(import.meta.dirname, '..');
const PRODUCT_DIRS = ['core', 'ports', 'adapters', 'plugins', 'strategies', 'learners'];
const LINE = /§|BRK-|FEED-|RISK-|MEM-|LRN-/;
const CARD = /\b(BRK|FEED|RISK|MEM|LRN)-(\d{2})\b/g;
const SECTION = /§\s?(\d+(?:\.\d+)?)/g;
/** "card(s)" names the card reference only right before a `§` ("cards §3.2"); before an id ("card FEED-13") it does not. */
const KEYWORD = /\b(cards?(?=\s+\(?§)|IB|ib-adapter-behaviour(?:\.md)?|roadmap|Roadmap|seed)\b/g;

/** A comment line's leading ` * ` or `// `, dropped when a line is read as the continuation of the one before. */
const COMMENT_LEAD = /^\s*(?:\/\*\*?|\*|\/\/)\s*/;

type Doc = 'roadmap' | 'IB' | 'cards';

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(p));
    else if (entry.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

function docOf(word: string): Doc {
  if (word.startsWith('card')) return 'cards';
  if (word === 'IB' || word.startsWith('ib-adapter')) return 'IB';
  return 'roadmap';
}

function lastKeyword(text: string): Doc | null {
  let found: Doc | null = null;
  for (const m of text.matchAll(KEYWORD)) found = docOf(m[1]!);
  return found;
}

/** GitHub's heading anchor: inline HTML dropped, lower case, punctuation removed, spaces to hyphens. */
function slug(heading: string): string {
  return heading.replace(/<[^>]*>/g, '').trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Anchors of each docs file (`id="…"` and heading slugs), read once. */
const anchors = new Map<string, Set<string>>();
function hasAnchor(target: string): boolean {
  const [file, id] = target.split('#') as [string, string | undefined];
  const abs = path.join(repo, file);
  if (!fs.existsSync(abs)) return false;
  if (id === undefined) return true;
  if (!anchors.has(file)) {
    const text = fs.readFileSync(abs, 'utf8');
    const ids = [...text.matchAll(/id="([^"]+)"/g)].map((m) => m[1]!);
    anchors.set(file, new Set([...ids, ...[...text.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!))]));
  }
  return anchors.get(file)!.has(id);
}

/** `| roadmap | §5.4 | docs/lmp.md#lmp-4 | … |` rows of the section map. */
function sectionMap(): Map<string, string> {
  const map = new Map<string, string>();
  const text = fs.readFileSync(path.join(repo, 'docs/lmp.md'), 'utf8');
  for (const m of text.matchAll(/^\| (roadmap|IB|cards) \| §([\d.]+) \| `?([^\s|`]+)`? \|/gm)) map.set(`${m[1]} §${m[2]}`, m[3]!);
  return map;
}

const map = sectionMap();
let lines = 0;
let citations = 0;
let resolved = 0;
const linesResolved = new Set<string>();
const unresolved: string[] = [];
const perDoc: Record<Doc | 'card', number> = { roadmap: 0, IB: 0, cards: 0, card: 0 };

for (const dir of PRODUCT_DIRS) {
  for (const file of tsFiles(path.join(repo, dir))) {
    const rel = path.relative(repo, file);
    const src = fs.readFileSync(file, 'utf8').split('\n');
    const fileDefault: Doc = rel.startsWith('adapters/tws/') ? 'IB' : 'roadmap';
    src.forEach((text, i) => {
      if (!LINE.test(text)) return;
      lines++;
      const where = `${rel}:${i + 1}`;
      let lineOk = true;
      let any = false;
      for (const m of text.matchAll(CARD)) {
        any = true;
        citations++;
        perDoc.card++;
        const target = `docs/conformance-cards.md#${m[0].toLowerCase()}`;
        if (hasAnchor(target)) resolved++;
        else { lineOk = false; unresolved.push(`${where}: ${m[0]} (no ${target})`); }
      }
      let previous: Doc | null = null;
      let lastEnd = 0;
      for (const m of text.matchAll(SECTION)) {
        any = true;
        citations++;
        const before = text.slice(lastEnd, m.index);
        const continued = `${src[i - 1] ?? ''}\n${before.replace(COMMENT_LEAD, '')}§`;
        const doc: Doc = lastKeyword(`${before}§`) ?? previous ?? lastKeyword(continued) ?? fileDefault;
        previous = doc;
        lastEnd = m.index + m[0].length;
        perDoc[doc]++;
        const key = `${doc} §${m[1]}`;
        const target = map.get(key);
        if (target !== undefined && hasAnchor(target)) resolved++;
        else {
          lineOk = false;
          unresolved.push(`${where}: ${key} ${target === undefined ? '(not in the section map)' : `(no ${target})`}`);
        }
      }
      if (any && lineOk) linesResolved.add(where);
    });
  }
}

for (const u of unresolved) console.log(`unresolved ${u}`);
console.log(`lines citing § or a card id: ${lines}; every citation resolved on ${linesResolved.size} of them`);
const kinds = `roadmap § ${perDoc.roadmap}, IB § ${perDoc.IB}, cards § ${perDoc.cards}, card ids ${perDoc.card}`;
console.log(`citations: ${citations} (${kinds}); resolved ${resolved}, unresolved ${citations - resolved}`);
process.exitCode = unresolved.length === 0 ? 0 : 1;
