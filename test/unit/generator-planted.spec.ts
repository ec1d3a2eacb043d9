import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { MarketEvent } from '../../core/domain/market.js';
import { generateSession, type GeneratorOptions } from '../../adapters/replay/generator/market-generator.js';
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
    expect(digest({ ...base, signal: 'planted' }).sha).to.equal(digest({ ...base, signal: 'planted', plantedVersion: 4 }).sha);
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
