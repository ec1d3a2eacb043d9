/**
 * `npm run docs:cards`: prints the conformance card catalogue; `--write` also writes docs/conformance-cards.md.
 * A dev script under test/ rather than a `harvester` subcommand: the kit imports chai (a dev dependency) and no
 * production file may import from test/ (CONTRIBUTING.md, "The dependency rule").
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderCardCatalogue } from '../../plugins/conformance/catalogue.js';

export const CATALOGUE_PATH = path.resolve(import.meta.dirname, '../../docs/conformance-cards.md');

const text = renderCardCatalogue();
if (process.argv.includes('--write')) {
  fs.writeFileSync(CATALOGUE_PATH, text);
  process.stderr.write(`wrote ${path.relative(process.cwd(), CATALOGUE_PATH)}\n`);
} else {
  process.stdout.write(text);
}
