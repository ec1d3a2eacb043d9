/**
 * The card model shared by every port suite. A card is one scenario (one mocha `it`): it knows its id, title,
 * whether it is baseline, when it applies, and how to run against a fresh subject. The runner here is independent
 * of mocha so that a suite can also be run programmatically (the kit's own "the kit can fail" spec does that).
 */
export const KIT_VERSION = '1.0';

/**
 * `not-applicable`: the subject's declarations gate the card out (or the kit has no scenario for it); such a card is
 * not a mocha test, only a line of the report. `skipped`: a declared known gap that ran and failed as declared.
 */
export type CardStatus = 'passed' | 'failed' | 'skipped' | 'waived' | 'not-applicable';

/** What a card's `applies` sees: the declared flags, driver features and live mode of the suite. */
export interface ApplyEnv {
  readonly capabilities: Readonly<Record<string, unknown>>;
  readonly driverFeatures: ReadonlySet<string>;
  readonly isLive: boolean;
}

/** Returns null when the card applies, or the skip reason naming the flag or feature and its declared value. */
export type AppliesFn = (env: ApplyEnv) => string | null;

export interface CardDef<R> {
  /** Card id, e.g. `BRK-10` (docs/conformance-cards.md#brk-10); variants share the id. */
  readonly id: string;
  /** Variant letter, e.g. `a`; absent for single-variant cards. */
  readonly variant?: string;
  readonly title: string;
  /** A baseline card applies to every implementation and cannot be waived. */
  readonly baseline: boolean;
  readonly applies?: AppliesFn;
  /** Real-time limit of the mocha test, for cards that drive hundreds of socket round trips (BRK-08, docs/conformance-cards.md#brk-08). */
  readonly timeoutMs?: number;
  /** The scenario. Throws (chai assertion) on a mismatch. Absent: the kit has no scenario for this card yet. */
  readonly run?: (run: R) => Promise<void>;
}

export interface CardResult {
  id: string;
  variant: string | null;
  title: string;
  status: CardStatus;
  reason: string | null;
  violations: string[];
  durationMs: number;
  expected: string[];
  recorded: string[];
}

/** Thrown by sequence checks so that the report can show expected and recorded side by side. */
export class SequenceMismatch extends Error {
  constructor(
    message: string,
    readonly expected: string[],
    readonly recorded: string[],
  ) {
    super(message);
    this.name = 'SequenceMismatch';
  }
}

/** Thrown by the runner when monitors found invariant violations on a card whose own sequence matched. */
export class InvariantViolation extends Error {
  constructor(
    readonly violations: string[],
    readonly recorded: string[],
  ) {
    super(`invariant violations:\n  ${violations.join('\n  ')}`);
    this.name = 'InvariantViolation';
  }
}

export function cardKey(card: { id: string; variant?: string | undefined }): string {
  return card.variant === undefined ? card.id : `${card.id} (${card.variant})`;
}

export function cardTitle(card: CardDef<unknown>): string {
  return `${cardKey(card)} ${card.title}`;
}

export const NOT_IMPLEMENTED = 'kit: no scenario for this card in this kit build';

/** Helpers for `applies`. */
export const requires = {
  flag(name: string): AppliesFn {
    return (env) => (env.capabilities[name] === true ? null : `requires ${name}; declared ${String(env.capabilities[name] ?? false)}`);
  },
  flagFalse(name: string): AppliesFn {
    return (env) => (env.capabilities[name] === true ? `applies when ${name} is false; declared true` : null);
  },
  feature(...names: string[]): AppliesFn {
    return (env) => {
      const missing = names.filter((n) => !env.driverFeatures.has(n));
      return missing.length === 0 ? null : `requires driver feature ${missing.join(', ')}; not provided`;
    };
  },
  all(...fns: AppliesFn[]): AppliesFn {
    return (env) => {
      for (const fn of fns) {
        const r = fn(env);
        if (r !== null) return r;
      }
      return null;
    };
  },
  notLive: ((env) => (env.isLive ? 'requires a scripted venue; isLive declared true' : null)) as AppliesFn,
};

/** What preflight decided for a card that will not run. */
export interface NotRun {
  status: 'not-applicable' | 'waived';
  reason: string;
}

/** Decides a card's fate before running it: not applicable (with the reason), waived, or run (null). */
export function preflight(card: CardDef<unknown>, env: ApplyEnv, waivers: Readonly<Record<string, string>>): NotRun | null {
  const waiver = waivers[card.id];
  if (waiver !== undefined) return { status: 'waived', reason: waiver };
  const reason = card.applies?.(env) ?? null;
  if (reason !== null) return { status: 'not-applicable', reason };
  if (card.run === undefined) return { status: 'not-applicable', reason: NOT_IMPLEMENTED };
  return null;
}

/** The result of a card that preflight kept from running. */
export function notRunResult(card: { id: string; variant?: string | undefined; title: string }, pre: NotRun): CardResult {
  return {
    id: card.id,
    variant: card.variant ?? null,
    title: card.title,
    status: pre.status,
    reason: pre.reason,
    violations: [],
    durationMs: 0,
    expected: [],
    recorded: [],
  };
}

/** Waivers must name a known card, give a reason and never waive a baseline card (docs/conformance-kit.md#waivers). */
export function validateWaivers(cards: readonly CardDef<unknown>[], waivers: Readonly<Record<string, string>>): void {
  for (const [id, reason] of Object.entries(waivers)) {
    const matching = cards.filter((c) => c.id === id);
    if (matching.length === 0) throw new Error(`conformance: waiver names unknown card ${id}`);
    if (typeof reason !== 'string' || reason.trim() === '') throw new Error(`conformance: waiver for ${id} has no reason`);
    if (matching.some((c) => c.baseline)) throw new Error(`conformance: ${id} is a baseline card and cannot be waived`);
  }
}

/**
 * Runs one card: preflight, then `execute` (which builds the subject, runs the card and its monitors, and
 * disposes). Every outcome becomes a value; nothing escapes, so a programmatic caller sees failures as results.
 */
export async function runCard<R>(
  card: CardDef<R>,
  env: ApplyEnv,
  waivers: Readonly<Record<string, string>>,
  execute: (card: CardDef<R>) => Promise<void>,
  knownGaps: Readonly<Record<string, string>> = {},
): Promise<CardResult> {
  const result = await runCardOnce(card, env, waivers, execute);
  const gap = knownGap(card, knownGaps);
  if (gap === null || (result.status !== 'passed' && result.status !== 'failed')) return result;
  // A known gap still runs: its failure is reported as a skip with the declared reason, and a gap that no longer
  // fails is itself a failure, so a stale declaration cannot hide a card that now passes.
  if (result.status === 'passed') {
    return { ...result, status: 'failed', reason: `declared as a known gap (${gap}), but the card passes: remove the declaration` };
  }
  const why = (result.reason ?? '').split('\n')[0];
  return { ...result, status: 'skipped', reason: `${KNOWN_GAP_PREFIX} ${gap} (fails: ${why})` };
}

export const KNOWN_GAP_PREFIX = 'known gap:';

/** The declared gap for a card: by its variant key (`FEED-23 (a)`, docs/conformance-cards.md#feed-23) first, then by its id. */
export function knownGap(card: { id: string; variant?: string | undefined }, knownGaps: Readonly<Record<string, string>>): string | null {
  return knownGaps[cardKey(card)] ?? knownGaps[card.id] ?? null;
}

/** Known gaps, like waivers, must name a known card (or variant) and say why. */
export function validateKnownGaps(cards: readonly CardDef<unknown>[], knownGaps: Readonly<Record<string, string>>): void {
  for (const [key, reason] of Object.entries(knownGaps)) {
    if (!cards.some((c) => c.id === key || cardKey(c) === key)) throw new Error(`conformance: known gap names unknown card ${key}`);
    if (typeof reason !== 'string' || reason.trim() === '') throw new Error(`conformance: known gap ${key} has no reason`);
  }
}

async function runCardOnce<R>(
  card: CardDef<R>,
  env: ApplyEnv,
  waivers: Readonly<Record<string, string>>,
  execute: (card: CardDef<R>) => Promise<void>,
): Promise<CardResult> {
  const base = { id: card.id, variant: card.variant ?? null, title: card.title };
  const pre = preflight(card as CardDef<unknown>, env, waivers);
  if (pre !== null) return notRunResult(card, pre);
  // Wall time here only measures the card's duration for the report; it never feeds a subject.
  const started = performance.now();
  try {
    await execute(card);
    return { ...base, status: 'passed', reason: null, violations: [], durationMs: performance.now() - started, expected: [], recorded: [] };
  } catch (error) {
    const e = error as Error & Partial<SequenceMismatch & InvariantViolation>;
    return {
      ...base,
      status: 'failed',
      reason: e.message ?? String(error),
      violations: e instanceof InvariantViolation ? e.violations : [],
      durationMs: performance.now() - started,
      // A chai AssertionError carries `expected` as a value, not a sequence: only SequenceMismatch lists are kept.
      expected: Array.isArray(e.expected) ? e.expected : [],
      recorded: Array.isArray(e.recorded) ? e.recorded : [],
    };
  }
}
