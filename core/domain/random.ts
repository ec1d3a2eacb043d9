import type { SeededRandom } from '../../ports/strategy.js';

/**
 * SplitMix32-seeded xorshift128+-style generator (sfc32). Small, fast, and identical on every platform, which is
 * what reproducible replays need; never used for anything security-related.
 */
export class Sfc32 implements SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  int(minInclusive: number, maxExclusive: number): number {
    return minInclusive + Math.floor(this.next() * (maxExclusive - minInclusive));
  }

  /** Standard normal via Box–Muller (one value per call; the pair's twin is dropped for simplicity). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A derived, independent stream (e.g. one per plugin), so adding a consumer does not shift the others. */
  fork(salt: string): Sfc32 {
    let h = 2166136261;
    for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 16777619);
    return new Sfc32((this.nextUint32() ^ h) >>> 0);
  }
}

/** Seed derived from a string deterministically (FNV-1a), for per-plugin streams from one config seed. */
export function seedFrom(seed: number, salt: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 16777619) >>> 0;
  return h >>> 0;
}
