/**
 * JSON with object keys sorted at every level: equal values always give equal text (checksums, digests).
 *
 * The text is defined by {@link canonicalJsonReference} (a key-sorted copy through `JSON.stringify`). This gives the
 * same bytes with fewer copies, because it runs on every journal append (docs/decisions/0005-durability-contract.md):
 * a plain object whose keys are already in sorted order, and a plain array, are handed to `JSON.stringify` as they
 * are when nothing under them needs changing; only the levels that do are copied. test/property/canonical-json.spec.ts
 * checks the two are byte-identical. What the reference does and this keeps: any object other than a plain one (a
 * Date, a Map, a class instance) is its own enumerable keys, so a Date is `{}` and an inherited `toJSON` is ignored;
 * `undefined`, functions and symbols are dropped from objects and are `null` in arrays; -0 is `0`; NaN and ±Infinity
 * are `null`; integer-like keys come first in numeric order (a plain object enumerates them so).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(prepare(value));
}

/** The defining implementation: a key-sorted copy, serialised by `JSON.stringify`. */
export function canonicalJsonReference(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** The value itself when `JSON.stringify` already gives the reference's text for it, else the reference's copy. */
function prepare(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    // A toJSON on an array (own or inherited) would be called on the original but not on the reference's copy.
    if (Object.getPrototypeOf(value) !== Array.prototype || (value as { toJSON?: unknown }).toJSON !== undefined) {
      return value.map(sortKeys);
    }
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const p = prepare(v);
      if (p !== v) (out ??= value.slice())[i] = p;
    }
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return sortKeys(value);
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    // A key the copy treats differently: toJSON is called on the copy, __proto__ becomes the copy's prototype.
    if (k === 'toJSON' || k === '__proto__') return sortKeys(o);
    const v = o[k];
    if ((i > 0 && k <= keys[i - 1]!) || v === undefined || (v !== null && typeof v === 'object' && prepare(v) !== v)) {
      return sortedCopy(o, keys);
    }
  }
  return o;
}

/** The reference's copy of one level (keys sorted, undefined dropped), with each child prepared rather than copied. */
function sortedCopy(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  keys.sort();
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = o[k];
    if (v !== undefined) out[k] = prepare(v);
  }
  return out;
}
