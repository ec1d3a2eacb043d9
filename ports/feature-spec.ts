/**
 * When each feature column of a training sample becomes known, relative to the entry decision (docs/lmp.md#feature-snapshots: snapshots
 * at T-3s, T-1s, entry, +5s, +15s, exit). A learner that decides take/skip at decision time may read only columns
 * known at `decision`; anything later would be look-ahead.
 *
 * The column's name declares its time, so a column cannot exist without a declaration: the prefix before the first
 * `.` is one of `KNOWN_AT_PREFIXES`. `tm3s.` / `tm1s.` (the T-3s and T-1s snapshots), `dec.` (the live vector at the
 * decision, planned levels included), `d3.` / `d1.` (decision minus T-3s / T-1s) are all known at decision time;
 * `fill.`, `p5s.`, `p15s.` and `exit.` later.
 */
export type KnownAt = 'decision' | 'fill' | '+5s' | '+15s' | 'exit';

/** Earliest first. */
export const KNOWN_AT_ORDER: readonly KnownAt[] = Object.freeze(['decision', 'fill', '+5s', '+15s', 'exit']);

export const KNOWN_AT_PREFIXES: Readonly<Record<string, KnownAt>> = Object.freeze({
  tm3s: 'decision',
  tm1s: 'decision',
  dec: 'decision',
  d3: 'decision',
  d1: 'decision',
  fill: 'fill',
  p5s: '+5s',
  p15s: '+15s',
  exit: 'exit',
});

export interface FeatureColumn {
  readonly name: string;
  readonly knownAt: KnownAt;
}

/** What a learner's output is used for; `take-skip` decides at decision time and may read decision columns only. */
export type LearnerPurpose = 'take-skip' | 'thresholds' | 'execution';

/** The latest column time a purpose may read: take/skip and thresholds act at decision time; execution memory
 * learns from fills and markouts (it adjusts offsets of later orders, never the trade whose fill it reads). */
export const LATEST_ALLOWED: Readonly<Record<LearnerPurpose, KnownAt>> = Object.freeze({
  'take-skip': 'decision',
  thresholds: 'decision',
  execution: '+15s',
});

/** The column's declared time, or null for a name without a known prefix (refused as `LEARNER.INVALID_FEATURE`). */
export function knownAtOf(name: string): KnownAt | null {
  const dot = name.indexOf('.');
  if (dot <= 0) return null;
  return KNOWN_AT_PREFIXES[name.slice(0, dot)] ?? null;
}

export function knownAtRank(k: KnownAt): number {
  return KNOWN_AT_ORDER.indexOf(k);
}

export type ColumnCheck =
  | { readonly ok: true; readonly columns: readonly FeatureColumn[] }
  | { readonly ok: false; readonly code: 'LEARNER.LOOKAHEAD' | 'LEARNER.INVALID_FEATURE'; readonly reason: string };

/** Declarations for a list of names; refuses a name whose prefix declares no time. */
export function declareColumns(names: readonly string[]): ColumnCheck {
  const columns: FeatureColumn[] = [];
  for (const name of names) {
    const knownAt = knownAtOf(name);
    if (knownAt === null) {
      return {
        ok: false,
        code: 'LEARNER.INVALID_FEATURE',
        reason: `feature '${name}' declares no time (prefix one of ${Object.keys(KNOWN_AT_PREFIXES).join(', ')})`,
      };
    }
    columns.push({ name, knownAt });
  }
  return { ok: true, columns };
}

/**
 * The look-ahead rule: every requested column must be known no later than the purpose allows. A request naming
 * a later column is refused with `LEARNER.LOOKAHEAD`, naming the first offending column and its time.
 */
export function checkRequest(requested: readonly string[], purpose: LearnerPurpose): ColumnCheck {
  const declared = declareColumns(requested);
  if (!declared.ok) return declared;
  const limit = knownAtRank(LATEST_ALLOWED[purpose]);
  for (const c of declared.columns) {
    if (knownAtRank(c.knownAt) > limit) {
      return {
        ok: false,
        code: 'LEARNER.LOOKAHEAD',
        reason: `feature '${c.name}' is known at ${c.knownAt}, later than ${LATEST_ALLOWED[purpose]}: a ${purpose} learner may not read it`,
      };
    }
  }
  return declared;
}

/** The names among `names` that a purpose may read (in their order). */
export function allowedNames(names: readonly string[], purpose: LearnerPurpose): string[] {
  const limit = knownAtRank(LATEST_ALLOWED[purpose]);
  return names.filter((n) => {
    const k = knownAtOf(n);
    return k !== null && knownAtRank(k) <= limit;
  });
}
