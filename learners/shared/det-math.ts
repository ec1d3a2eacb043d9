/**
 * Deterministic arithmetic for learners. ECMAScript fixes + − × ÷ and Math.sqrt to the exactly rounded IEEE-754
 * result, but leaves Math.exp, Math.log and the other transcendental functions to the engine ("implementation-
 * approximated"), so a model trained with them may differ in its last bits between Node versions. Everything here
 * uses only exactly rounded operations in a fixed order, so the same inputs give the same bits on every engine.
 */

/** Clamp for the exponent: σ(±30) is within 1e-13 of 0 / 1; beyond that nothing is learned anyway. */
const EXP_LIMIT = 30;
/** Halvings before the series: |y / 2^10| ≤ 0.0293 keeps the degree-7 Taylor remainder below 1e-17 (relative). */
const HALVINGS = 10;

/**
 * e^y for |y| ≤ 30 by range reduction: e^y = (e^(y/2^k))^(2^k), the inner term from a degree-7 Taylor polynomial in
 * Horner form, then k squarings. Relative error below ~1e-13 over the range (each squaring doubles the relative
 * error of the series: 2^10 × 1e-16). Inputs outside ±30 are clamped.
 */
export function detExp(y: number): number {
  const x = y > EXP_LIMIT ? EXP_LIMIT : y < -EXP_LIMIT ? -EXP_LIMIT : y;
  const t = x / 1024;
  // 1 + t + t²/2 + t³/6 + t⁴/24 + t⁵/120 + t⁶/720 + t⁷/5040, Horner.
  let p = 1 / 5040;
  p = p * t + 1 / 720;
  p = p * t + 1 / 120;
  p = p * t + 1 / 24;
  p = p * t + 1 / 6;
  p = p * t + 1 / 2;
  p = p * t + 1;
  p = p * t + 1;
  for (let i = 0; i < HALVINGS; i++) p = p * p;
  return p;
}

/** The logistic function 1 / (1 + e^(−z)) with `detExp`; in (0, 1) for every finite z. */
export function detSigmoid(z: number): number {
  return 1 / (1 + detExp(-z));
}

/** Round to a multiple of 1e-9 (Math.round is exact), so serialized models stay short and stable. */
export function quantize(x: number): number {
  const q = Math.round(x * 1e9) / 1e9;
  return q === 0 ? 0 : q;
}

/**
 * Solve A x = b for a symmetric positive definite A (row-major, n×n) by Cholesky, in a fixed loop order. Returns
 * null when A is not positive definite (a pivot ≤ 0). Inputs are not modified.
 */
export function choleskySolve(a: readonly number[], b: readonly number[], n: number): number[] | null {
  const l = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) return null;
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}
