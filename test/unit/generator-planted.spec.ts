import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { MarketEvent } from '../../core/domain/market.js';
import { generateSession, type GeneratorOptions, type PlantedEpisode } from '../../adapters/replay/generator/market-generator.js';
import { PlantedQuality } from '../../adapters/replay/generator/planted.js';

const base: GeneratorOptions = {
  seed: 7,
  symbol: 'HRVST',
  date: '2024-03-14',
  timeZone: 'America/New_York',
  start: '09:30',
  minutes: 20,
  tick: 100,
  startPrice: 325_000,
};

function digest(o: GeneratorOptions): { sha: string } {
  const h = createHash('sha256');
  generateSession(o, (e: MarketEvent) => {
    h.update(`${e.kind}|${e.recvTime}|${'price' in e ? e.price : ''}|${'size' in e ? e.size : ''}|${'side' in e ? e.side : ''}\n`);
  });
  return { sha: h.digest('hex') };
}

describe('generator: the planted market beside the v2 one', () => {
  it("signal 'none' is the v2 market event for event (the default run's journal does not move)", () => {
    expect(digest({ ...base, signal: 'none' }).sha).to.equal(digest(base).sha);
  });

  it('planted is a different, still deterministic market; invert changes it again', () => {
    const planted = digest({ ...base, signal: 'planted' }).sha;
    expect(planted).to.not.equal(digest(base).sha);
    expect(digest({ ...base, signal: 'planted' }).sha).to.equal(planted);
    expect(digest({ ...base, signal: 'planted', invert: true }).sha).to.not.equal(planted);
  });

  it('the hidden quality leaks only through the size: genuine larger on average, ranges overlap; invert swaps them', () => {
    for (const invert of [false, true]) {
      const q = new PlantedQuality(11, invert);
      const genuine: number[] = [];
      const fake: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const m = q.draw();
        (q.genuine ? genuine : fake).push(m);
      }
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(genuine.length).to.be.within(850, 1150);
      if (invert) expect(mean(genuine)).to.be.lessThan(mean(fake));
      else expect(mean(genuine)).to.be.greaterThan(mean(fake));
      // Noisy: some of each falls in the other's range.
      const [lo, hi] = invert ? [genuine, fake] : [fake, genuine];
      expect(lo.some((m) => m > Math.min(...hi))).to.equal(true);
    }
  });

  it('planted v4 and the null market are pinned event for event (a later version must not move them)', () => {
    expect(digest({ ...base, signal: 'planted', plantedVersion: 4 }).sha).to.equal(
      'd2319c61db90c3057aebf4d25c4606b7f845bf2ee6da3465b3d4c6f8452b32c1',
    );
    expect(digest({ ...base, signal: 'null' }).sha).to.equal('530d15d34852a92a293de35c6dc4ffe0d96c2e2692539a3dce3a447322012dc3');
  });

  it('planted v3 stays selectable, event for event (digest pinned before v4 became the default)', () => {
    expect(digest({ ...base, signal: 'planted', plantedVersion: 3 }).sha).to.equal(
      '64032f08d62cd2bd775c59dd3f135dab2577aa0da8d43b646224642ee2906b2e',
    );
    expect(digest({ ...base, signal: 'planted' }).sha).to.not.equal(digest({ ...base, signal: 'planted', plantedVersion: 3 }).sha);
  });

  it('the null market is deterministic and differs from the planted and the v2 markets', () => {
    const nul = digest({ ...base, signal: 'null' }).sha;
    expect(digest({ ...base, signal: 'null' }).sha).to.equal(nul);
    expect(nul).to.not.equal(digest({ ...base, signal: 'planted' }).sha);
    expect(nul).to.not.equal(digest(base).sha);
  });

  it('null market: the shelf size is drawn from one range whatever the hidden quality (nothing leaks)', () => {
    const q = new PlantedQuality(11, false, false);
    const genuine: number[] = [];
    const fake: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const m = q.draw();
      (q.genuine ? genuine : fake).push(m);
      // The post-base travel and the pullback's end come from the same draws for either quality too.
      q.pullDelaySeconds();
      q.travelTicks();
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(q.resolvesAfterBase).to.equal(true);
    // Uniform on 2.9..6.4: sd ≈ 1.01, so the standard error of a mean of ~2,000 is ≈ 0.023.
    expect(Math.abs(mean(genuine) - mean(fake))).to.be.lessThan(0.1);
    expect(Math.min(...genuine)).to.be.lessThan(3.0);
    expect(Math.min(...fake)).to.be.lessThan(3.0);
    expect(Math.max(...genuine)).to.be.greaterThan(6.3);
    expect(Math.max(...fake)).to.be.greaterThan(6.3);
  });

  it('planted and null summaries list each shelf episode with its hidden quality; the v2 market lists none', () => {
    const none = generateSession(base, () => {});
    expect(none.episodes).to.equal(undefined);
    for (const signal of ['planted', 'null'] as const) {
      const s = generateSession({ ...base, signal }, () => {});
      expect(s.episodes!.length).to.be.greaterThan(2);
      expect(s.episodes!.some((e) => e.genuine)).to.equal(true);
      expect(s.episodes!.some((e) => !e.genuine)).to.equal(true);
      expect(s.episodes!.every((e, k) => e.at >= s.firstTime && (k === 0 || e.at > s.episodes![k - 1]!.at))).to.equal(true);
    }
  });
});

describe('generator: planted market v5 (the shelf decides 1–3 s after the tape turns on it)', () => {
  const day: GeneratorOptions = { ...base, minutes: 105, signal: 'planted', plantedVersion: 5 };

  /** Best bid over time, to see what followed each episode's resolution. */
  function run(o: GeneratorOptions): { episodes: PlantedEpisode[]; bidAt: (t: number) => number; bids: [number, number][] } {
    let bid = 0;
    const bids: [number, number][] = [];
    const book = new Map<number, number>();
    const summary = generateSession(o, (e: MarketEvent) => {
      if (e.kind !== 'depth' || e.side !== 'bid') return;
      if (e.operation === 'delete') book.delete(e.price);
      else book.set(e.price, e.size);
      if (!e.endOfBatch) return;
      const best = Math.max(...book.keys());
      if (best !== bid) bids.push([e.recvTime, (bid = best)]);
    });
    const bidAt = (t: number): number => {
      let lo = 0;
      for (let hi = bids.length - 1; lo < hi; ) {
        const mid = (lo + hi + 1) >> 1;
        if (bids[mid]![0] <= t) lo = mid;
        else hi = mid - 1;
      }
      return bids[lo]![1];
    };
    return { episodes: summary.episodes!, bidAt, bids };
  }
  const range = (bids: [number, number][], from: number, to: number): { min: number; max: number } => {
    const inside = bids.filter(([t]) => t > from && t <= to).map(([, b]) => b);
    return { min: Math.min(...inside), max: Math.max(...inside) };
  };

  it('every based shelf resolves 1–3 s after the tape turned on it, with the same delays for either quality', () => {
    const { episodes } = run(day);
    const resolved = episodes.filter((e) => e.resolvedAt !== undefined);
    expect(resolved.length).to.be.greaterThan(10);
    for (const e of resolved) {
      expect(e.turnedAt, 'a base that never turned ends at its 20 s bound').to.not.equal(undefined);
      expect((e.resolvedAt! - e.turnedAt!) / 1e6).to.be.within(1, 3);
    }
    expect(resolved.some((e) => e.genuine)).to.equal(true);
    expect(resolved.some((e) => !e.genuine)).to.equal(true);
  });

  it('a fake shelf is pulled and sold through at once (no base left); a genuine one recovers to LMP’s targets', () => {
    const { episodes, bidAt, bids } = run(day);
    const tick = base.tick;
    for (const e of episodes.filter((x) => x.resolvedAt !== undefined)) {
      const at = bidAt(e.resolvedAt! - 1);
      const next = range(bids, e.resolvedAt! - 1, e.resolvedAt! + 3_000_000);
      if (!e.genuine) {
        // The owner's sweep of six levels takes the bid below any stop LMP sets (1–3 ticks under the shelf).
        expect((at - next.min) / tick, 'fake: ticks lost within 3 s').to.be.at.least(6);
      } else {
        // The bid does not break the shelf, and within 90 s it is far above LMP's second target (2 R of 2–5 ticks).
        expect((at - next.min) / tick, 'genuine: ticks lost within 3 s').to.be.at.most(2);
        expect((range(bids, e.resolvedAt!, e.resolvedAt! + 90_000_000).max - at) / tick).to.be.at.least(12);
      }
    }
  });

  it('v5 differs from v4 and is the default; v4 and v3 stay selectable (their pins above)', () => {
    const v5 = digest({ ...base, signal: 'planted', plantedVersion: 5 }).sha;
    expect(digest({ ...base, signal: 'planted' }).sha).to.equal(v5);
    expect(v5).to.not.equal(digest({ ...base, signal: 'planted', plantedVersion: 4 }).sha);
    expect(digest({ ...base, signal: 'planted', plantedVersion: 5 }).sha).to.equal(v5);
  });

  it('v5 leaks the quality through the size only, with a genuine majority; invert swaps the ranges', () => {
    for (const invert of [false, true]) {
      const q = new PlantedQuality(11, invert, true, 5);
      const genuine: number[] = [];
      const fake: number[] = [];
      for (let i = 0; i < 3000; i++) {
        const m = q.draw();
        (q.genuine ? genuine : fake).push(m);
      }
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(genuine.length / 3000).to.be.within(0.62, 0.71);
      if (invert) expect(mean(genuine)).to.be.lessThan(mean(fake));
      else expect(mean(genuine)).to.be.greaterThan(mean(fake));
      const [lo, hi] = invert ? [genuine, fake] : [fake, genuine];
      expect(lo.some((m) => m > Math.min(...hi))).to.equal(true);
      expect(q.sizeReference(2_400)).to.equal(1_500);
    }
    expect(new PlantedQuality(11, false, true, 4).sizeReference(2_400)).to.equal(2_400);
  });
});
