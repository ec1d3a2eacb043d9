import {
  cardKey,
  cardTitle,
  knownGap,
  notRunResult,
  preflight,
  runCard,
  validateKnownGaps,
  validateWaivers,
  type ApplyEnv,
  type CardDef,
  type CardResult,
} from './card.js';
import { buildReport, notApplicableLines, writeReport, type ConformanceReport } from './report.js';
import type { ManualClock } from '../../core/engine/virtual-clock.js';
import type { Micros } from '../../core/domain/units.js';

/**
 * Lets the subject's real I/O (sockets, immediates) catch up: three event-loop turns, then the driver's own
 * `settle` (e.g. loopback traffic quiet). Shared by the suites whose subjects talk to a double.
 */
export async function flushIo(handle: { driver?: { settle?(): Promise<void> } }): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  if (handle.driver?.settle) await handle.driver.settle();
}

/**
 * Advances the kit's virtual clock by `us`, stopping at every timer due on the way so that the I/O each timer
 * starts (a heartbeat, a resubscribe) is flushed before the next one fires.
 */
export async function settleClock(clock: ManualClock, handle: { driver?: { settle?(): Promise<void> } }, us: Micros): Promise<void> {
  const target = clock.now() + us;
  await flushIo(handle);
  for (;;) {
    const next = clock.nextTimerAt();
    if (next === null || next > target) break;
    clock.advanceTo(next);
    await flushIo(handle);
  }
  clock.advanceTo(target);
  await flushIo(handle);
}

/** Options every port suite shares (docs/conformance-kit.md#suite-options). */
export interface CommonSuiteOptions {
  /** `{ 'CARD-ID': 'reason' }`; unknown ids and baseline cards fail the suite when it is defined. */
  waivers?: Readonly<Record<string, string>>;
  /**
   * `{ 'CARD-ID' or 'CARD-ID (v)': 'reason' }`: cards the subject is known to fail today. They still run; a failure is
   * reported as skipped with the reason, a pass fails the card (remove the declaration). Allowed on baseline cards,
   * but any known gap means the run makes no conformance claim.
   */
  knownGaps?: Readonly<Record<string, string>>;
  /** Where the JSON and Markdown reports go; default `conformance-report/`. `false` writes none. */
  reportDir?: string | false;
  /** The subject's version, for the report. */
  subjectVersion?: string;
  /** Print the one-line summary after the suite (default true). */
  printSummary?: boolean;
}

export interface PortSuite<R> {
  port: string;
  name: string;
  cards: readonly CardDef<R>[];
  env: ApplyEnv;
  fixtures: Readonly<Record<string, unknown>>;
  options: CommonSuiteOptions;
  /** Builds the subject, runs the card and its monitors, disposes. */
  execute: (card: CardDef<R>) => Promise<void>;
}

/** Checks done when a suite is defined: waivers, plus anything port-specific the caller throws for. */
export function validateSuite<R>(suite: PortSuite<R>): void {
  validateWaivers(suite.cards as readonly CardDef<unknown>[], suite.options.waivers ?? {});
  validateKnownGaps(suite.cards as readonly CardDef<unknown>[], suite.options.knownGaps ?? {});
  const ids = suite.cards.map(cardKey);
  if (new Set(ids).size !== ids.length) throw new Error(`conformance: duplicate card ids in ${suite.port}`);
}

/**
 * Registers one mocha `describe` with one `it` per card and variant that applies to the subject, in id order. A card
 * the subject's declarations gate out, a waived card and a card the kit has no scenario for are not tests: they go
 * into the kit's report with their reasons, printed once after the suite (so a pending test always means something).
 * A declared known gap is a test: it runs, and shows as pending with the gap in its title when it fails as declared.
 */
export function registerMochaSuite<R>(suite: PortSuite<R>): void {
  validateSuite(suite);
  const waivers = suite.options.waivers ?? {};
  const knownGaps = suite.options.knownGaps ?? {};
  const results: CardResult[] = [];
  const runnable: CardDef<R>[] = [];
  for (const card of suite.cards) {
    const pre = preflight(card as CardDef<unknown>, suite.env, waivers);
    if (pre === null) runnable.push(card);
    else results.push(notRunResult(card, pre));
  }
  const report = (): void => {
    const done = finish(suite, results);
    if (suite.options.printSummary === false) return;
    const notApplicable = notApplicableLines(done);
    console.log(`      ${done.summary}`);
    if (notApplicable.length > 0) {
      console.log(`      not applicable to ${suite.name} (${done.notApplicable.length} cards, not run as tests):`);
      for (const line of notApplicable) console.log(`        ${line}`);
    }
  };
  describe(`${suite.name} — ${suite.port} conformance (kit 1.0)`, function () {
    for (const card of runnable) {
      const gap = knownGap(card, knownGaps);
      it(`${cardTitle(card as CardDef<unknown>)}${gap !== null ? ` [known gap: ${gap}]` : ''}`, async function () {
        if (card.timeoutMs !== undefined) this.timeout(card.timeoutMs);
        const result = await runCard(card, suite.env, waivers, suite.execute, knownGaps);
        results.push(result);
        // Only a known gap that failed as declared is skipped here; its title carries the declared reason.
        if (result.status === 'skipped') this.skip();
        if (result.status === 'failed') {
          const detail =
            result.expected.length || result.recorded.length
              ? `\n    expected: ${result.expected.join(' → ')}\n    recorded: ${result.recorded.join('\n              ')}`
              : '';
          throw new Error(`${result.reason ?? 'failed'}${detail}`);
        }
      });
    }
    // Mocha runs no hook in a describe without tests: a subject to which no card applies is reported right away.
    if (runnable.length === 0) report();
    else after(report);
  });
}

/** Runs every card of a suite without mocha, in id order; used to prove that the kit fails broken subjects. */
export async function runSuiteProgrammatically<R>(suite: PortSuite<R>, only?: readonly string[]): Promise<ConformanceReport> {
  validateSuite(suite);
  const results: CardResult[] = [];
  for (const card of suite.cards) {
    if (only !== undefined && !only.includes(card.id) && !only.includes(cardKey(card))) continue;
    results.push(await runCard(card, suite.env, suite.options.waivers ?? {}, suite.execute, suite.options.knownGaps ?? {}));
  }
  return finish({ ...suite, options: { ...suite.options, reportDir: suite.options.reportDir ?? false } }, results);
}

function finish<R>(suite: PortSuite<R>, unordered: CardResult[]): ConformanceReport {
  // The report lists cards in the suite's id order, whether they ran or were reported without running.
  const position = new Map(suite.cards.map((c, i) => [cardKey(c), i]));
  const at = (r: CardResult): number => position.get(cardKey({ id: r.id, variant: r.variant ?? undefined })) ?? Number.MAX_SAFE_INTEGER;
  const results = [...unordered].sort((a, b) => at(a) - at(b));
  const report = buildReport({
    port: suite.port,
    name: suite.name,
    ...(suite.options.subjectVersion ? { subjectVersion: suite.options.subjectVersion } : {}),
    capabilities: suite.env.capabilities,
    driverFeatures: [...suite.env.driverFeatures],
    fixtures: suite.fixtures,
    registered: suite.cards.length,
    results,
  });
  const dir = suite.options.reportDir ?? 'conformance-report';
  if (dir !== false) writeReport(report, dir);
  return report;
}
