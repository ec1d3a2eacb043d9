import { expect } from 'chai';
import fc from 'fast-check';
import { canonicalJson, canonicalJsonReference } from '../../core/domain/canonical-json.js';

/**
 * canonicalJson writes its text in one pass; canonicalJsonReference (a key-sorted copy through JSON.stringify) defines
 * it. Journal digests and memory checksums are computed from this text, so the two must agree byte for byte on
 * everything a journal row can hold, and on the odd values too (Dates, toJSON, -0, NaN, sparse arrays).
 */
const oddNumber = fc.constantFrom(-0, 0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 1e-7, -1.5);
const key = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  // Integer-like keys: a plain object lists array indexes first, in numeric order.
  fc.nat().map(String),
  fc.constantFrom('0', '01', '-1', '1.5', '4294967294', '4294967295', '10', '9', 'toJSON', '__proto__', ''),
);
const leaf = fc.oneof(
  fc.integer(),
  fc.double(),
  oddNumber,
  fc.string({ unit: 'binary' }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: false }),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object'), tie('special')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  sparse: fc.sparseArray(tie('value'), { maxLength: 6 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  special: fc.oneof(
    tie('sparse'),
    // Keys already in sorted order (as rows read back from the journal are): the path that copies nothing.
    tie('object').map((o) => Object.fromEntries(Object.entries(o as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))),
    // An own toJSON function is called by JSON.stringify on the sorted copy; an inherited one is not.
    tie('value').map((v) => ({ a: 1, toJSON: () => v })),
    tie('value').map((v) => ({ toJSON: v })),
    tie('value').map((v) => Object.assign(Object.create({ toJSON: () => 'inherited' }), { x: v })),
    tie('object').map((o) => Object.assign(Object.create(null), o)),
    tie('value').map((v) => new Map([['k', v]])),
    tie('value').map((v) => Object.assign([v], { extra: 1 })),
    fc.string().map((s) => new String(s)),
    fc.integer().map((n) => new Number(n)),
    fc.array(fc.integer({ min: -128, max: 127 }), { maxLength: 4 }).map((a) => Int8Array.from(a)),
  ),
}));

describe('canonicalJson (property)', () => {
  it('is byte-identical to the sorted-copy reference for any value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).to.equal(canonicalJsonReference(v));
      }),
      { numRuns: Number(process.env.HV_RUNS ?? 3_000) },
    );
  });

  it('agrees on the hand-picked edge cases', () => {
    const cases: unknown[] = [
      undefined,
      () => 1,
      -0,
      [undefined, () => 1, Symbol('x'), -0, Number.NaN, Number.POSITIVE_INFINITY],
      { b: 1, a: { d: [1, { z: 0, y: undefined }], c: new Date(0) }, '10': 1, '2': 2, '02': 3, é: 'ü', '\u{1F600}': '\ud800' },
      { toJSON: () => ({ b: 1, a: 2 }) },
      { nested: { toJSON: (k: string) => k } },
      [{ toJSON: (k: string) => k }],
      // toJSON runs with `this` = the reference's copy, which has Object.prototype even when the original has none.
      Object.assign(Object.create(null), {
        toJSON(this: object) {
          return Object.getPrototypeOf(this) === null;
        },
      }),
    ];
    for (const c of cases) expect(canonicalJson(c)).to.equal(canonicalJsonReference(c));
  });

  it('throws where the reference throws (a bigint)', () => {
    expect(() => canonicalJsonReference({ a: 1n })).to.throw(TypeError);
    expect(() => canonicalJson({ a: 1n })).to.throw(TypeError);
  });
});
