import { SequenceMismatch } from './card.js';

/** One recorded event. Payloads are copied at record time because feeds may reuse (flyweight) event objects. */
export interface Recorded {
  readonly index: number;
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

type OnFn = (event: string, listener: (payload: unknown) => void) => () => void;

/** A field matcher: a literal (deep-equal) or a predicate. */
export type FieldMatcher = unknown | ((value: unknown) => boolean);
export type Where = Readonly<Record<string, FieldMatcher>>;

export interface Step {
  readonly type: string;
  readonly where?: Where;
}

/** `A; B (either order)`: every step of the group must match, in any order, after the previous step. */
export interface EitherOrder {
  readonly either: readonly Step[];
}

export type SequenceItem = Step | EitherOrder;

/** Records every event a subject emits, in emission order. Listeners are detached with `detach()`. */
export class EventRecorder {
  readonly events: Recorded[] = [];
  private readonly disposers: (() => void)[] = [];

  attach(on: OnFn, names: readonly string[]): this {
    for (const name of names) {
      this.disposers.push(
        on(name, (payload) => {
          this.events.push({ index: this.events.length, type: name, payload: { ...(payload as Record<string, unknown>) } });
        }),
      );
    }
    return this;
  }

  detach(): void {
    for (const d of this.disposers.splice(0)) d();
  }

  /** Events since `mark` (an index from `mark()`). */
  since(mark: number): Recorded[] {
    return this.events.slice(mark);
  }

  mark(): number {
    return this.events.length;
  }

  of(type: string, where?: Where): Recorded[] {
    return this.events.filter((e) => e.type === type && (where === undefined || matches(e, where)));
  }

  lines(from = 0): string[] {
    return this.events.slice(from).map(describe);
  }
}

export function matches(event: Recorded, where: Where): boolean {
  for (const [key, expected] of Object.entries(where)) {
    const actual = event.payload[key];
    if (typeof expected === 'function') {
      if (!(expected as (v: unknown) => boolean)(actual)) return false;
    } else if (!deepEqual(actual, expected)) return false;
  }
  return true;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function describe(event: Recorded): string {
  const fields = Object.entries(event.payload)
    .filter(([k]) => k !== 'at' && k !== 'recvTime')
    .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
  return `${event.type}{${fields}}`;
}

function describeStep(step: Step): string {
  if (step.where === undefined) return step.type;
  const fields = Object.entries(step.where).map(([k, v]) => `${k} ${typeof v === 'function' ? '<pred>' : JSON.stringify(v)}`);
  return `${step.type}{${fields.join(', ')}}`;
}

function describeItem(item: SequenceItem): string {
  return 'either' in item ? `(${item.either.map(describeStep).join('; ')}) either order` : describeStep(item);
}

/**
 * `A → B → …`: each item matches an event after the previous item's match; unrelated events may come between.
 * Either-order groups match all their steps after the previous item, and the next item must follow all of them.
 */
export function expectSequence(events: readonly Recorded[], items: readonly SequenceItem[], label = 'sequence'): void {
  let cursor = 0;
  for (const item of items) {
    const steps = 'either' in item ? item.either : [item];
    let last = cursor - 1;
    const used = new Set<number>();
    for (const step of steps) {
      let found = -1;
      for (let i = cursor; i < events.length; i++) {
        if (used.has(i)) continue;
        const e = events[i]!;
        if (e.type === step.type && (step.where === undefined || matches(e, step.where))) {
          found = i;
          break;
        }
      }
      if (found < 0) {
        throw new SequenceMismatch(
          `${label}: expected ${describeStep(step)} after event #${cursor}, not found`,
          items.map(describeItem),
          events.map(describe),
        );
      }
      used.add(found);
      if (found > last) last = found;
    }
    cursor = last + 1;
  }
}

/** none: no event of `type` matching `where`. */
export function expectNone(events: readonly Recorded[], type: string, where?: Where, label = 'none'): void {
  const hit = events.find((e) => e.type === type && (where === undefined || matches(e, where)));
  if (hit !== undefined) {
    throw new SequenceMismatch(
      `${label}: unexpected ${describe(hit)}`,
      [`none: ${describeStep({ type, ...(where ? { where } : {}) })}`],
      events.map(describe),
    );
  }
}

/** ×n: exactly n events of `type` matching `where`. */
export function expectCount(events: readonly Recorded[], type: string, where: Where | undefined, n: number, label = 'count'): void {
  const hits = events.filter((e) => e.type === type && (where === undefined || matches(e, where)));
  if (hits.length !== n) {
    throw new SequenceMismatch(
      `${label}: expected ${describeStep({ type, ...(where ? { where } : {}) })} ×${n}, got ×${hits.length}`,
      [`${describeStep({ type, ...(where ? { where } : {}) })} ×${n}`],
      events.map(describe),
    );
  }
}

export const step = (type: string, where?: Where): Step => (where === undefined ? { type } : { type, where });
export const either = (...steps: Step[]): EitherOrder => ({ either: steps });
/** Predicates for `where`. */
export const is = {
  nonEmptyString: (v: unknown): boolean => typeof v === 'string' && v.length > 0,
  atMost:
    (n: number) =>
    (v: unknown): boolean =>
      typeof v === 'number' && v <= n,
  oneOf:
    (...xs: unknown[]) =>
    (v: unknown): boolean =>
      xs.some((x) => deepEqual(x, v)),
  defined: (v: unknown): boolean => v !== undefined && v !== null,
};
