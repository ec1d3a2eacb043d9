import { expect } from 'chai';
import { requires, type CardDef } from '../card.js';
import { expectCount, expectNone, expectSequence, step } from '../recorder.js';
import type { FeedRun } from './feed-types.js';

/** `usage` matcher: the lines and depth counters as `used/budget`. */
export const usage =
  (lines: string, depth?: string) =>
  (u: unknown): boolean => {
    const x = u as { lines: { used: number; budget: number }; depth: { used: number; budget: number } } | undefined;
    if (x === undefined) return false;
    const ok = `${x.lines.used}/${x.lines.budget}` === lines;
    return depth === undefined ? ok : ok && `${x.depth.used}/${x.depth.budget}` === depth;
  };

/** Streams a quote for the fixture symbol and waits for it. */
export async function quoteNow(r: FeedRun, symbol = r.fx.symbol, bid = r.fx.bid, ask = r.fx.ask): Promise<void> {
  await r.source().quote(symbol, bid, r.fx.bidSize, ask, r.fx.askSize);
  await r.settle();
}

/** Subscriptions and line budget (docs/conformance-kit.md#feed-subscriptions). */
export const subscriptionCards: readonly CardDef<FeedRun>[] = [
  {
    id: 'FEED-01', // docs/conformance-cards.md#feed-01
    title: 'Subscribe to L1 quotes',
    baseline: true,
    run: async (r) => {
      r.subscribe(r.fx.symbol, 'quote');
      await r.settle();
      for (let i = 0; i < 3; i++) await quoteNow(r, r.fx.symbol, r.fx.bid - i * 100, r.fx.ask - i * 100);
      const x = r.fx.symbol;
      expectSequence(r.rec.events, [
        step('feed.subscribed', { symbol: x, stream: 'quote', holders: 1, usage: usage('1/3') }),
        step('quote.updated', { symbol: x, bid: r.fx.bid, bidSize: r.fx.bidSize, ask: r.fx.ask, askSize: r.fx.askSize, seq: 1, epoch: 1 }),
        step('quote.updated', { symbol: x, seq: 2 }),
        step('quote.updated', { symbol: x, seq: 3 }),
      ]);
      for (const q of r.rec.of('quote.updated'))
        expect((q.payload.bid as number) < (q.payload.ask as number), 'unflagged quotes have bid < ask').to.equal(true);
    },
  },
  {
    id: 'FEED-02', // docs/conformance-cards.md#feed-02
    title: 'Unsubscribe and dispose stop the stream',
    baseline: true,
    run: async (r) => {
      const x = r.fx.symbol;
      const h = r.subscribe(x, 'quote');
      if (r.caps.supportsDepth === true) r.subscribe(x, 'depth');
      if (r.caps.supportsTape === true) r.subscribe(x, 'tape');
      await quoteNow(r);
      r.subject.unsubscribe(h);
      await r.settle();
      expectSequence(r.rec.events, [
        step('feed.unsubscribed', { symbol: x, stream: 'quote', usage: usage(`${r.caps.supportsTape === true ? 1 : 0}/3`) }),
      ]);
      let m = r.rec.mark();
      await quoteNow(r);
      expectNone(r.rec.since(m), 'quote.updated', { symbol: x }, 'after unsubscribe');
      m = r.rec.mark();
      expect(() => r.subject.unsubscribe(h), 'a repeated unsubscribe does not throw').to.not.throw();
      await r.settle();
      expectCount(r.rec.since(m), 'feed.unsubscribed', undefined, 0, 'the repeat is a no-op');
      m = r.rec.mark();
      await r.subject.dispose();
      await r.settle();
      const remaining = (r.caps.supportsDepth === true ? 1 : 0) + (r.caps.supportsTape === true ? 1 : 0);
      expectCount(r.rec.since(m), 'feed.unsubscribed', undefined, remaining, 'dispose releases what is left');
      m = r.rec.mark();
      await quoteNow(r);
      await r.settle(r.timeouts.stale * 2);
      expect(
        r.rec.since(m).map((e) => e.type),
        'nothing after dispose',
      ).to.deep.equal([]);
      expect(r.clock.nextTimerAt(), 'no feed timer is left on the clock').to.equal(null);
    },
  },
  {
    id: 'FEED-03', // docs/conformance-cards.md#feed-03
    title: 'The line budget counts once, refuses beyond and releases on unsubscribe',
    baseline: true,
    run: async (r) => {
      const [x, [abc, def]] = [r.fx.symbol, r.fx.others];
      const first = r.subscribe(x, 'quote');
      r.subscribe(x, 'quote');
      const a = r.subscribe(abc, 'quote');
      const refused = r.subject.subscribe(def, 'quote');
      expect(refused.ok, `${def} over the budget`).to.equal(false);
      await quoteNow(r);
      r.subject.unsubscribe(first);
      await quoteNow(r);
      r.subject.unsubscribe(a);
      const d = r.subscribe(def, 'quote');
      await r.settle();
      expectSequence(r.rec.events, [
        step('feed.subscribed', { symbol: x, stream: 'quote', holders: 1, usage: usage('1/2') }),
        step('feed.subscribed', { symbol: x, stream: 'quote', holders: 2, usage: usage('1/2') }),
        step('feed.subscribed', { symbol: abc, usage: usage('2/2') }),
        step('feed.refused', { symbol: def, stream: 'quote', code: 'FEED.LINE_BUDGET_EXCEEDED', usage: usage('2/2') }),
        step('quote.updated', { symbol: x }),
        step('quote.updated', { symbol: x }),
        step('feed.unsubscribed', { symbol: abc, usage: usage('1/2') }),
        step('feed.subscribed', { symbol: def, usage: usage('2/2') }),
      ]);
      expectNone(r.rec.events, 'feed.unsubscribed', { symbol: x }, 'XYZ keeps streaming with one holder');
      if (r.caps.supportsDepth === true) {
        r.subscribe(x, 'depth');
        expect(r.subject.subscribe(abc, 'depth').ok, `${abc} depth over the budget`).to.equal(false);
        await r.settle();
        expectSequence(r.rec.events, [
          step('feed.subscribed', { symbol: x, stream: 'depth', usage: usage('2/2', '1/1') }),
          step('feed.refused', { symbol: abc, stream: 'depth', code: 'FEED.LINE_BUDGET_EXCEEDED' }),
        ]);
      }
      if (r.caps.supportsTape === true) {
        // This port counts tape against the lines budget (IB does), so the tape part first frees DEF's line.
        r.subject.unsubscribe(d);
        r.subscribe(x, 'tape');
        await r.settle();
        expectSequence(r.rec.events, [
          step('feed.unsubscribed', { symbol: def, stream: 'quote', usage: usage('1/2') }),
          step('feed.subscribed', { symbol: x, stream: 'tape', usage: usage('2/2') }),
        ]);
      }
    },
  },
  {
    id: 'FEED-04', // docs/conformance-cards.md#feed-04
    title: 'A failed subscription releases its line and fails alone',
    baseline: false,
    applies: requires.feature('subscriptionErrors'),
    run: async (r) => {
      const [x, [abc]] = [r.fx.symbol, r.fx.others];
      r.subscribe(x, 'quote');
      r.subscribe(abc, 'quote');
      for (const [symbol, kind, code] of [
        ['NOSUCH', 'unknown', 'FEED.UNKNOWN_SYMBOL'],
        ['NOENT', 'not-entitled', 'FEED.NOT_ENTITLED'],
      ] as const) {
        await r.source().subscriptionErrors!(symbol, kind);
        r.subject.subscribe(symbol, 'quote');
        await r.settle();
        expectSequence(r.rec.events, [step('feed.failed', { symbol, stream: 'quote', code })]);
        expect(r.subject.usage().lines.used, `usage after ${symbol}`).to.equal(2);
      }
      await quoteNow(r);
      expectSequence(r.rec.events, [step('quote.updated', { symbol: x })], 'XYZ continues');
      if (r.features.has('delayed')) {
        await r.source().delayed!(x, 'quote');
        await quoteNow(r);
        expectSequence(r.rec.events, [
          step('feed.delayed', { symbol: x, stream: 'quote' }),
          step('quote.updated', { symbol: x, flags: (f: unknown) => ((f as number) & 32) !== 0 }),
        ]);
      }
    },
  },
];
