import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KIT_VERSION, KNOWN_GAP_PREFIX, cardKey, type CardResult, type CardStatus } from './card.js';

export interface ConformanceReport {
  kit: string;
  port: string;
  name: string;
  subjectVersion: string | null;
  capabilities: Readonly<Record<string, unknown>>;
  driverFeatures: readonly string[];
  fixtures: Readonly<Record<string, unknown>>;
  partial: boolean;
  counts: Record<CardStatus, number>;
  /** Skipped cards that are declared known gaps (they ran and failed). */
  knownGaps: number;
  /**
   * The cards that did not run because the subject's declared capabilities or driver features gate them out (or the
   * kit has no scenario for them), each with the reason. They are not mocha tests: this list is where they are reported.
   */
  notApplicable: NotApplicableCard[];
  cards: CardResult[];
  summary: string;
}

export interface NotApplicableCard {
  /** `BRK-41 (a)` (docs/conformance-cards.md#brk-41): the id and, for a variant, its letter. */
  card: string;
  title: string;
  reason: string;
}

export function buildReport(args: {
  port: string;
  name: string;
  subjectVersion?: string;
  capabilities: Readonly<Record<string, unknown>>;
  driverFeatures: readonly string[];
  fixtures: Readonly<Record<string, unknown>>;
  registered: number;
  results: CardResult[];
}): ConformanceReport {
  const counts: Record<CardStatus, number> = { passed: 0, failed: 0, skipped: 0, waived: 0, 'not-applicable': 0 };
  for (const r of args.results) counts[r.status]++;
  const partial = args.results.length < args.registered;
  const knownGaps = args.results.filter((r) => r.status === 'skipped' && (r.reason ?? '').startsWith(KNOWN_GAP_PREFIX)).length;
  const reasons = args.results.filter((r) => r.status === 'waived').map((r) => `${r.id}: ${r.reason}`);
  const gaps = knownGaps > 0 ? ` (${knownGaps} of them known gaps)` : '';
  const waived = `${counts.waived} waived${reasons.length ? ` (${reasons.join('; ')})` : ''}`;
  const tally = `${counts.passed} passed, ${counts.skipped} skipped${gaps}, ${waived}, ${counts['not-applicable']} not applicable, ${counts.failed} failed`;
  const notApplicable = args.results
    .filter((r) => r.status === 'not-applicable')
    .map((r) => ({ card: cardKey({ id: r.id, variant: r.variant ?? undefined }), title: r.title, reason: r.reason ?? '' }));
  const summary = partial
    ? `partial run: no conformance claim (${args.results.length} of ${args.registered} cards ran: ${tally})`
    : counts.failed === 0 && knownGaps > 0
      ? `${args.name} has known gaps against the ${args.port} kit ${KIT_VERSION}: no conformance claim (${tally})`
      : counts.failed === 0
        ? `${args.name} conforms to the ${args.port} kit ${KIT_VERSION}: ${tally}`
        : `${args.name} does not conform to the ${args.port} kit ${KIT_VERSION}: ${tally}`;
  return {
    kit: KIT_VERSION,
    port: args.port,
    name: args.name,
    subjectVersion: args.subjectVersion ?? null,
    capabilities: args.capabilities,
    driverFeatures: args.driverFeatures,
    fixtures: args.fixtures,
    partial,
    counts,
    knownGaps,
    notApplicable,
    cards: args.results,
    summary,
  };
}

export function reportMarkdown(report: ConformanceReport): string {
  const lines = [
    `# ${report.name} — ${report.port} conformance (kit ${report.kit})`,
    '',
    report.summary,
    '',
    `Capabilities: \`${JSON.stringify(report.capabilities)}\``,
    `Driver features: ${report.driverFeatures.join(', ') || 'none'}`,
    '',
    '| Card | Status | Reason | ms |',
    '|---|---|---|---|',
  ];
  for (const c of report.cards) {
    const id = c.variant === null ? c.id : `${c.id} (${c.variant})`;
    lines.push(
      `| ${id} ${c.title} | ${c.status} | ${(c.reason ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')} | ${c.durationMs.toFixed(0)} |`,
    );
  }
  const notApplicable = notApplicableLines(report);
  if (notApplicable.length > 0)
    lines.push('', `## Not applicable (${report.notApplicable.length} cards, not run)`, '', ...notApplicable.map((l) => `- ${l}`));
  for (const c of report.cards.filter((x) => x.status === 'failed' && (x.expected.length || x.recorded.length))) {
    lines.push('', `## ${c.id}${c.variant ? ` (${c.variant})` : ''} expected vs recorded`, '', '| Expected | Recorded |', '|---|---|');
    const n = Math.max(c.expected.length, c.recorded.length);
    for (let i = 0; i < n; i++)
      lines.push(`| ${(c.expected[i] ?? '').replace(/\|/g, '\\|')} | ${(c.recorded[i] ?? '').replace(/\|/g, '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The not-applicable cards grouped by reason, one line per reason (`requires supportsBrackets; declared false: BRK-40, docs/conformance-cards.md#brk-40,
 * BRK-41 (a)`, docs/conformance-cards.md#brk-41), so a suite prints them once, in a few lines, instead of one pending test each.
 */
export function notApplicableLines(report: ConformanceReport): string[] {
  const byReason = new Map<string, string[]>();
  for (const c of report.notApplicable) byReason.set(c.reason, [...(byReason.get(c.reason) ?? []), c.card]);
  return [...byReason].map(([reason, cards]) => `${reason}: ${cards.join(', ')}`);
}

/** Writes `conformance-<port>-<name>.json` and its Markdown twin; returns the JSON path. */
export function writeReport(report: ConformanceReport, reportDir: string): string {
  mkdirSync(reportDir, { recursive: true });
  const base = `conformance-${report.port}-${report.name}`.replace(/[^A-Za-z0-9._-]+/g, '-');
  const json = join(reportDir, `${base}.json`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(reportDir, `${base}.md`), reportMarkdown(report));
  return json;
}
