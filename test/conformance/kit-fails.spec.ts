import { expect } from 'chai';
import { ReplayFeed } from '../../adapters/replay/replay-feed.js';
import type { MarketDataFeed } from '../../ports/market-data-feed.js';
import type { MemoryStore } from '../../ports/memory-store.js';
import type { Learner, LearnerCandidate } from '../../ports/learner.js';
import type { RiskDecision, RiskPolicy, TradingState } from '../../ports/risk-policy.js';
import {
  buildFeedSuite,
  buildLearnerSuite,
  buildMemorySuite,
  buildRiskSuite,
  runSuiteProgrammatically,
  validateSuite,
  type ConformanceReport,
  type FeedCreateContext,
  type FeedSuiteOptions,
  type RiskRuntimeHandle,
} from '../../plugins/conformance/index.js';
import { ReplaySource } from './support/replay-source.js';
import { typeormMemoryHandle } from './support/typeorm-memory-handle.js';

// The kit must fail deliberately broken implementations, card by card: each fault below breaks one contract, and
// the spec names the cards that must catch it (run through the kit's own programmatic runner, as kit-self does for
// the broker). A kit that passed these would make every green conformance run meaningless.

function failed(report: ConformanceReport): string[] {
  return report.cards.filter((c) => c.status === 'failed').map((c) => `${c.id}${c.variant ? ` (${c.variant})` : ''}`);
}

type FeedFault = 'seqSkip' | 'leakAfterUnsubscribe' | 'noEndOfBatch';

/** The replay feed with one fault spliced into what its listeners see or into unsubscribe. */
function brokenFeed(inner: ReplayFeed, fault: FeedFault): MarketDataFeed {
  const unsubscribed: ((p: unknown) => void)[] = [];
  let n = 0;
  return {
    id: 'broken',
    connect: () => inner.connect(),
    disconnect: () => inner.disconnect(),
    dispose: () => inner.dispose(),
    subscribe: (s, k) => inner.subscribe(s, k),
    usage: () => inner.usage(),
    playback: inner.playback,
    unsubscribe: (h) => {
      // The fault: report the release, but keep the line and the stream.
      if (fault === 'leakAfterUnsubscribe') for (const l of unsubscribed) l({ symbol: h.symbol, stream: h.stream, usage: inner.usage() });
      else inner.unsubscribe(h);
    },
    on: (event, listener) => {
      if (event === 'feed.unsubscribed' && fault === 'leakAfterUnsubscribe') unsubscribed.push(listener as (p: unknown) => void);
      return inner.on(event, (p) => {
        if (fault === 'seqSkip' && event === 'quote.updated' && ++n % 2 === 0)
          return listener({ ...p, seq: (p as { seq: number }).seq + 1 } as never);
        if (fault === 'noEndOfBatch' && event === 'depth.updated') return listener({ ...p, endOfBatch: false } as never);
        listener(p);
      });
    },
  };
}

function feedOptions(fault: FeedFault | null): FeedSuiteOptions {
  return {
    capabilities: { supportsDepth: true, supportsTape: true, isReplay: true },
    driverFeatures: ['quote', 'silence', 'depthRows', 'prints'],
    reportDir: false,
    create: (ctx: FeedCreateContext) => {
      const source = new ReplaySource(ctx.clock, [ctx.fixtures.symbol]);
      const feed = new ReplayFeed({
        files: source.files,
        clock: ctx.clock,
        sessionEnd: 0,
        lineBudget: ctx.budgets.lines,
        depthBudget: ctx.budgets.depth,
        recvLatencyUs: 0,
        instrument: undefined,
      });
      source.attach(feed.playback);
      return { subject: fault === null ? feed : brokenFeed(feed, fault), driver: source, dispose: () => source.dispose() };
    },
  };
}

describe('conformance kit — it fails broken feeds, stores and policies', function () {
  it('MarketDataFeed: a skipped sequence number fails FEED-01 on F1', async function () {
    const report = await runSuiteProgrammatically(buildFeedSuite('broken-seq', feedOptions('seqSkip')), ['FEED-01', 'FEED-10']);
    expect(failed(report)).to.deep.equal(['FEED-01']);
    expect(report.cards[0]!.reason).to.match(/seq|F1/);
  });

  it('MarketDataFeed: data after unsubscribe fails FEED-02', async function () {
    const report = await runSuiteProgrammatically(buildFeedSuite('broken-leak', feedOptions('leakAfterUnsubscribe')), [
      'FEED-02',
      'FEED-01',
    ]);
    expect(failed(report)).to.deep.equal(['FEED-02']);
  });

  it('MarketDataFeed: a batch without its end mark fails the depth batch cards', async function () {
    const report = await runSuiteProgrammatically(buildFeedSuite('broken-batch', feedOptions('noEndOfBatch')), [
      'FEED-01',
      'FEED-10',
      'FEED-12',
    ]);
    expect(failed(report)).to.deep.equal(['FEED-10', 'FEED-12']);
  });

  it('MemoryStore: list() oldest first fails MEM-07; a rollback that refuses fails every MEM-06 variant', async function () {
    const wrap = (fault: 'oldestFirst' | 'noRollback') => async (ctx: Parameters<typeof typeormMemoryHandle>[0]) => {
      const h = await typeormMemoryHandle(ctx);
      const store = h.subject;
      const broken: MemoryStore = Object.assign(Object.create(store) as MemoryStore, {
        list: async () => (fault === 'oldestFirst' ? [...(await store.list())].reverse() : store.list()),
        rollback: async () =>
          fault === 'noRollback' ? { ok: false as const, code: 'MEMORY.NO_PREVIOUS_VERSION', reason: 'broken' } : store.rollback(),
      });
      return { ...h, subject: broken };
    };
    const base = {
      capabilities: { keepLast: 10, isDurable: true, schemaVersion: 1 },
      driverFeatures: ['corrupt', 'writeSchema'] as const,
      reportDir: false as const,
    };
    expect(
      failed(
        await runSuiteProgrammatically(buildMemorySuite('broken-list', { ...base, create: wrap('oldestFirst') }), ['MEM-07', 'MEM-05']),
      ),
    ).to.include('MEM-07');
    expect(
      failed(
        await runSuiteProgrammatically(buildMemorySuite('broken-rollback', { ...base, create: wrap('noRollback') }), ['MEM-06', 'MEM-01']),
      ),
    ).to.have.members(['MEM-06 (a)', 'MEM-06 (b)', 'MEM-06 (c)', 'MEM-06 (d)']);
  });

  it('RiskPolicy: an off-by-one cap and a throwing policy fail RISK-05; an automatic de-escalation fails RISK-11', async function () {
    const offByOne: RiskPolicy = {
      id: 'broken-max-shares',
      evaluate: (i) =>
        i.kind === 'entry' && i.quantity > 501
          ? {
              action: 'reject',
              reasons: [{ code: 'RISK.MAX_SHARES', limit: 'maxShares', observed: i.quantity, threshold: 500 }],
              warnings: [],
            }
          : { action: 'allow', reasons: [], warnings: [] },
    };
    const throwing: RiskPolicy = {
      id: 'broken-throws',
      evaluate: () => {
        throw new Error('boom');
      },
    };
    for (const policy of [offByOne, throwing]) {
      const report = await runSuiteProgrammatically(
        buildRiskSuite(policy.id, { create: () => policy, capabilities: { limits: ['maxShares'] }, reportDir: false }),
        ['RISK-05'],
      );
      expect(failed(report), policy.id).to.deep.equal(['RISK-05']);
    }
    // A runtime that drops back to RUNNING by itself when the broker returns.
    const deescalating = (): RiskRuntimeHandle => {
      let state: TradingState = 'RUNNING';
      const listeners: ((p: unknown) => void)[] = [];
      const move = (to: TradingState, code: string): void => {
        const from = state;
        state = to;
        for (const l of listeners) l({ from, to, reason: { code, limit: 'x', observed: 1, threshold: 0 }, by: 'auto' });
      };
      const allow: RiskDecision = { action: 'allow', reasons: [], warnings: [] };
      return {
        get state() {
          return state;
        },
        evaluate: () => allow,
        monitor: () => undefined,
        halt: () => move('HALT', 'RISK.HALTED'),
        clear: () => ({ ok: true }),
        signal: (event, payload) => {
          if (event !== 'connection.changed') return;
          move((payload as { to: string }).to === 'Connected' ? 'RUNNING' : 'SAFE_MODE', 'RISK.BROKER_NOT_READY');
        },
        on: (event, l) => {
          if (event === 'risk.state-changed') listeners.push(l);
          return () => undefined;
        },
      };
    };
    const report = await runSuiteProgrammatically(
      buildRiskSuite('broken-runtime', {
        create: () => ({ id: 'x', evaluate: () => ({ action: 'allow', reasons: [], warnings: [] }) }),
        capabilities: { limits: [], ownsRuntimeState: true },
        runtime: deescalating,
        reportDir: false,
      }),
      ['RISK-11'],
    );
    expect(failed(report)).to.deep.equal(['RISK-11']);
    expect(report.cards[0]!.reason).to.match(/escalate|SAFE_MODE/);
  });

  it('a known gap on a card that passes fails it; on a card that fails, it is a skip and withholds the claim', async function () {
    const stale = await runSuiteProgrammatically(
      buildFeedSuite('gap-stale', { ...feedOptions(null), knownGaps: { 'FEED-01': 'was broken once' } }),
      ['FEED-01'],
    );
    expect(stale.cards[0]).to.include({ status: 'failed' });
    expect(stale.cards[0]!.reason).to.match(/remove the declaration/);
    const real = await runSuiteProgrammatically(
      buildFeedSuite('gap-real', { ...feedOptions('seqSkip'), knownGaps: { 'FEED-01': 'sequence fault' } }),
      ['FEED-01'],
    );
    expect(real.cards[0]).to.include({ status: 'skipped' });
    expect(real.cards[0]!.reason).to.match(/^known gap: sequence fault/);
    expect(real.knownGaps).to.equal(1);
    expect(() => validateSuite(buildFeedSuite('x', { ...feedOptions(null), knownGaps: { 'FEED-99': 'no such card' } }))).to.throw(
      /unknown card/,
    );
  });
});

/** A take/skip learner that reads every column it is given, post-decision ones included (a look-ahead leak). */
function leakyLearner(): Learner {
  return {
    id: 'leaky',
    purpose: 'take-skip',
    build: (samples) => {
      // Label times the last column: pure look-ahead when that column is observed after the decision.
      let acc = 0;
      for (const x of [...samples].sort((a, b) => (a.sampleId < b.sampleId ? -1 : 1)))
        acc += x.features[x.features.length - 1]! * x.label.r;
      const names = samples[0]!.featureNames;
      return {
        ok: true,
        candidate: {
          learnerId: 'leaky',
          formatVersion: 1,
          featureNames: [...names],
          trainedOn: samples.length,
          payload: { acc: Math.round(acc * 1e6) / 1e6 },
        },
      };
    },
    score: (c: LearnerCandidate, names, f) =>
      names.length !== c.featureNames.length || f.some((v) => !Number.isFinite(v))
        ? { ok: false, code: 'LEARNER.FEATURE_MISMATCH', reason: 'x' }
        : { ok: true, score: (c.payload as { acc: number }).acc * f[f.length - 1]! > 0 ? 1 : 0 },
    serialize: (c) => JSON.stringify(c),
    deserialize: (t) => {
      try {
        const c = JSON.parse(t) as LearnerCandidate;
        return c.learnerId === 'leaky' && c.formatVersion === 1
          ? { ok: true, candidate: c }
          : { ok: false, code: 'LEARNER.FORMAT_UNSUPPORTED', reason: 'x' };
      } catch {
        return { ok: false, code: 'LEARNER.FORMAT_UNSUPPORTED', reason: 'x' };
      }
    },
  };
}

describe('conformance kit — it fails a learner that looks ahead', function () {
  it('Learner: a take/skip learner reading post-decision columns fails LRN-07 (and only it)', async function () {
    const report = await runSuiteProgrammatically(buildLearnerSuite('leaky', { create: () => leakyLearner(), reportDir: false }), [
      'LRN-01',
      'LRN-03',
      'LRN-07',
    ]);
    expect(failed(report)).to.deep.equal(['LRN-07']);
    expect(report.cards.find((c) => c.id === 'LRN-07')!.reason).to.match(/late columns|leaked/);
  });
});
