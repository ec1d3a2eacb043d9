import { expect } from 'chai';
import { QUOTE_FLAG_CROSSED, QUOTE_FLAG_LOCKED, QUOTE_FLAG_MISSING_ASK, QUOTE_FLAG_MISSING_BID } from '../../../core/domain/market.js';
import { requires, type AppliesFn, type CardDef } from '../card.js';
import { describe as describeEvent, expectCount, expectNone, expectSequence, step } from '../recorder.js';
import { quoteNow } from './feed-cards-subscriptions.js';
import type { FeedRun } from './feed-types.js';

const flag =
  (bit: number) =>
  (f: unknown): boolean =>
    typeof f === 'number' && (f & bit) !== 0;
const tape: AppliesFn = requires.flag('supportsTape');

/** Quotes `symbol` once per second for `seconds`, advancing the clock in between. */
async function flow(r: FeedRun, symbol: string, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    await quoteNow(r, symbol);
    await r.settle(1_000_000);
  }
}

/**
 * Data quality, connection loss, order and time (docs/conformance-kit.md#feed-quality, #feed-connection-loss,
 * docs/conformance-kit.md#feed-order-time).
 */
export const qualityCards: readonly CardDef<FeedRun>[] = [
  {
    id: 'FEED-20', // docs/conformance-cards.md#feed-20
    variant: 'a',
    title: 'Crossed and locked quotes are reported, not hidden',
    baseline: true,
    run: async (r) => {
      r.subscribe(r.fx.symbol, 'quote');
      await quoteNow(r, r.fx.symbol, 123600, 123500);
      await quoteNow(r, r.fx.symbol, 123500, 123500);
      expectSequence(r.rec.events, [
        step('quote.updated', { bid: 123600, ask: 123500, flags: flag(QUOTE_FLAG_CROSSED) }),
        step('quote.updated', { bid: 123500, ask: 123500, flags: flag(QUOTE_FLAG_LOCKED) }),
      ]);
    },
  },
  {
    id: 'FEED-20', // docs/conformance-cards.md#feed-20
    variant: 'b',
    title: 'K_cross crossed depth batches make the book suspect and resync it',
    baseline: false,
    applies: requires.all(requires.flag('supportsDepth'), requires.feature('depthRows')),
    run: async (r) => {
      r.subscribe(r.fx.symbol, 'depth');
      await r.settle();
      await r.source().depthRows!(r.fx.symbol, [
        { side: 'bid', position: 0, operation: 'insert', price: 123400, size: 100 },
        { side: 'ask', position: 0, operation: 'insert', price: 123500, size: 100 },
      ]);
      await r.settle();
      for (let i = 0; i < 3; i++) {
        if (i === 2) expectNone(r.rec.events, 'feed.suspect', undefined, 'fewer than K_cross crossed batches');
        await r.source().depthRows!(r.fx.symbol, [{ side: 'bid', position: 0, operation: 'update', price: 123600 + i * 100, size: 100 }]);
        await r.settle();
      }
      expectSequence(r.rec.events, [
        step('feed.suspect', { symbol: r.fx.symbol, stream: 'depth', reason: 'crossed' }),
        step('depth.updated', { operation: 'clear' }),
        step('feed.resubscribed', { symbol: r.fx.symbol, stream: 'depth' }),
      ]);
    },
  },
  {
    id: 'FEED-21', // docs/conformance-cards.md#feed-21
    title: 'Missing, negative and malformed values are normalized and flagged',
    baseline: true,
    run: async (r) => {
      const x = r.fx.symbol;
      r.subscribe(x, 'quote');
      if (r.caps.supportsTape === true && r.features.has('prints')) r.subscribe(x, 'tape');
      await quoteNow(r);
      await quoteNow(r, x, -1, r.fx.ask);
      await quoteNow(r, x, r.fx.bid, -1);
      const m = r.rec.mark();
      await r.source().quote(x, r.fx.bid, -200, r.fx.ask, r.fx.askSize);
      if (r.caps.supportsTape === true && r.features.has('prints')) await r.source().prints!(x, [{ price: 0, size: 100 }]);
      await r.settle();
      expectSequence(r.rec.events, [
        step('quote.updated', { bid: (b: unknown) => b === null || b === 0, flags: flag(QUOTE_FLAG_MISSING_BID) }),
        step('quote.updated', { ask: (a: unknown) => a === null || a === 0, flags: flag(QUOTE_FLAG_MISSING_ASK) }),
      ]);
      const data = r.rec.since(m).filter((e) => e.type === 'quote.updated' || e.type === 'trade.printed');
      expect(data.map(describeEvent), 'the negative size and the zero-price print emit no data event').to.deep.equal([]);
      expect(r.rec.since(m).filter((e) => e.type === 'feed.malformed').length, 'each adds to the anomaly count').to.be.at.least(1);
    },
  },
  {
    id: 'FEED-22', // docs/conformance-cards.md#feed-22
    title: 'Tape prints carry the aggressor side',
    baseline: false,
    applies: requires.all(tape, requires.feature('prints')),
    run: async (r) => {
      const x = r.fx.symbol;
      r.subscribe(x, 'quote');
      r.subscribe(x, 'tape');
      await quoteNow(r);
      await r.source().prints!(x, [
        { price: 123500, size: 100 },
        { price: 123600, size: 50 },
        { price: 123400, size: 200 },
        { price: 123450, size: 30 },
      ]);
      await r.settle();
      const prints = r.rec
        .of('trade.printed')
        .map((e) => [e.payload.price, e.payload.size, e.payload.aggressor, e.payload.aggressorSource]);
      expect(prints).to.deep.equal([
        [123500, 100, 'buy', 'inferred'],
        [123600, 50, 'buy', 'inferred'],
        [123400, 200, 'sell', 'inferred'],
        [123450, 30, 'unknown', 'inferred'],
      ]);
      if (r.source().suppliesAggressor === true) {
        await r.source().prints!(x, [{ price: 123450, size: 10, aggressor: 'sell' }]);
        await r.settle();
        expectSequence(r.rec.events, [step('trade.printed', { price: 123450, size: 10, aggressor: 'sell', aggressorSource: 'venue' })]);
      }
    },
  },
  {
    id: 'FEED-23', // docs/conformance-cards.md#feed-23
    variant: 'a',
    title: 'Staleness is detected per subscription',
    baseline: true,
    run: async (r) => {
      const [x, [abc]] = [r.fx.symbol, r.fx.others];
      r.subscribe(x, 'quote');
      r.subscribe(abc, 'quote');
      await quoteNow(r, abc);
      await flow(r, x, 6);
      expectCount(
        r.rec.events,
        'feed.stale',
        { symbol: abc, stream: 'quote', silentFor: r.timeouts.stale },
        1,
        `${abc} is stale after T_stale`,
      );
      expectNone(r.rec.events, 'feed.stale', { symbol: x }, `${x} keeps flowing`);
      await quoteNow(r, abc);
      expectSequence(r.rec.events, [step('feed.stale', { symbol: abc }), step('feed.resumed', { symbol: abc, stream: 'quote' })]);
    },
  },
  {
    id: 'FEED-23', // docs/conformance-cards.md#feed-23
    variant: 'b',
    title: 'A subscription that never delivers becomes stale',
    baseline: true,
    run: async (r) => {
      const def = r.fx.others[1];
      r.subscribe(def, 'quote');
      await r.settle(r.timeouts.stale + 1_000_000);
      expectSequence(r.rec.events, [step('feed.stale', { symbol: def, stream: 'quote', silentFor: r.timeouts.stale })]);
    },
  },
  {
    id: 'FEED-23', // docs/conformance-cards.md#feed-23
    variant: 'c',
    title: 'A first quote with an old exchange time is stale at once',
    baseline: false,
    applies: (env) =>
      (env.capabilities.providesExchangeTime as { quote?: boolean } | undefined)?.quote === true
        ? null
        : 'requires providesExchangeTime.quote; declared false',
  },
  {
    id: 'FEED-23', // docs/conformance-cards.md#feed-23
    variant: 'd',
    title: 'A stale subscription is resubscribed once, then escalated',
    baseline: false,
    applies: requires.flag('supportsReconnect'),
    run: async (r) => {
      const abc = r.fx.others[0];
      r.subscribe(abc, 'quote');
      await quoteNow(r, abc);
      await r.settle(r.timeouts.stale * 3);
      expectSequence(r.rec.events, [
        step('feed.stale', { symbol: abc }),
        step('feed.resubscribed', { symbol: abc, stream: 'quote', epoch: 2 }),
        step('feed.stale', { symbol: abc, escalated: true }),
      ]);
      expectCount(r.rec.events, 'feed.resubscribed', undefined, 1, 'no automatic resubscribe loop');
    },
  },
  {
    id: 'FEED-30', // docs/conformance-cards.md#feed-30
    title: 'Resubscribe after a reconnect that lost the data',
    baseline: false,
    applies: requires.all(requires.flag('supportsReconnect'), requires.feature('socketDrop')),
    run: async (r) => {
      const [x, [abc, def]] = [r.fx.symbol, r.fx.others];
      r.subscribe(x, 'quote');
      const a = r.subscribe(abc, 'quote');
      if (r.caps.supportsDepth === true) r.subscribe(x, 'depth');
      if (r.caps.supportsTape === true) r.subscribe(x, 'tape');
      await quoteNow(r);
      const before = r.subject.usage();
      const m = r.rec.mark();
      await r.source().socketDrop!();
      r.subject.unsubscribe(a);
      r.subscribe(def, 'quote');
      await r.settle(1_000_000);
      await quoteNow(r);
      const since = r.rec.since(m);
      expectSequence(since, [step('feed.interrupted'), step('feed.resubscribed', { symbol: x, stream: 'quote', epoch: 2 })]);
      expectSequence(since, [step('feed.resubscribed', { symbol: def, stream: 'quote' })]);
      expectNone(since, 'feed.resubscribed', { symbol: abc }, `nothing for ${abc}`);
      expect(r.subject.usage(), 'usage equals the desired set').to.deep.equal(before);
    },
  },
  {
    id: 'FEED-31', // docs/conformance-cards.md#feed-31
    title: 'A connection restored with its data needs no resubscribe',
    baseline: false,
    applies: requires.feature('upstreamLoss'),
    run: async (r) => {
      r.subscribe(r.fx.symbol, 'quote');
      await quoteNow(r);
      const m = r.rec.mark();
      await r.source().upstreamLoss!('lost');
      await r.settle();
      await r.source().upstreamLoss!('restored');
      await quoteNow(r);
      expectSequence(r.rec.since(m), [step('feed.interrupted'), step('feed.resumed', { symbol: r.fx.symbol, stream: 'quote' })]);
      expectNone(r.rec.since(m), 'feed.resubscribed', undefined, 'no resubscribe');
    },
  },
  {
    id: 'FEED-40', // docs/conformance-cards.md#feed-40
    variant: 'a',
    title: 'Sequence numbers increase strictly per subscription',
    baseline: true,
    run: async (r) => {
      const x = r.fx.symbol;
      r.subscribe(x, 'quote');
      if (r.caps.supportsTape === true && r.features.has('prints')) r.subscribe(x, 'tape');
      for (let i = 0; i < 500; i++) {
        await r.source().quote(x, r.fx.bid - (i % 5) * 100, r.fx.bidSize, r.fx.ask, r.fx.askSize);
        if (r.caps.supportsTape === true && r.features.has('prints')) await r.source().prints!(x, [{ price: r.fx.ask, size: 100 }]);
        if (i % 50 === 49) await r.settle(1_000);
      }
      await r.settle();
      // F1 (the monitor) checks seq from 1, +1 per (subscription, epoch); here: the count and arrival order.
      expect(r.rec.of('quote.updated').length, 'every quote delivered').to.equal(500);
    },
  },
  {
    id: 'FEED-40', // docs/conformance-cards.md#feed-40
    variant: 'c',
    title: 'A gap in the source sequence makes the stream suspect',
    baseline: false,
    applies: requires.feature('gap'),
    run: async (r) => {
      const x = r.fx.symbol;
      r.subscribe(x, 'quote');
      await quoteNow(r);
      const m = r.rec.mark();
      await r.source().gap!(x, 'quote', 3);
      await quoteNow(r);
      expectSequence(r.rec.since(m), [step('feed.suspect', { symbol: x, stream: 'quote', reason: 'gap' })]);
    },
  },
  {
    id: 'FEED-41', // docs/conformance-cards.md#feed-41
    title: 'Receive time and exchange time stay separate',
    baseline: true,
    run: async (r) => {
      const x = r.fx.symbol;
      r.subscribe(x, 'quote');
      for (let i = 0; i < 3; i++) {
        await quoteNow(r);
        await r.settle(250_000);
      }
      const times = r.rec.of('quote.updated').map((e) => e.payload.recvTime);
      expect(times, 'recvTime is Clock time at ingress').to.deep.equal(times.map((_, i) => (times[0] as number) + i * 250_000));
      const exch = r.caps.providesExchangeTime;
      for (const [type, stream] of [
        ['quote.updated', 'quote'],
        ['depth.updated', 'depth'],
        ['trade.printed', 'tape'],
      ] as const) {
        if (exch?.[stream] === true) continue;
        expect(
          r.rec.of(type).filter((e) => e.payload.exchTime !== null).length,
          `${stream}: no source time declared, so exchTime is null`,
        ).to.equal(0);
      }
    },
  },
  {
    id: 'FEED-42', // docs/conformance-cards.md#feed-42
    title: 'Replay is deterministic',
    baseline: false,
    applies: requires.flag('isReplay'),
    run: async (r) => {
      const script = async (run: FeedRun): Promise<string[]> => {
        run.subscribe(run.fx.symbol, 'quote');
        for (let i = 0; i < 20; i++) {
          await run.source().quote(run.fx.symbol, run.fx.bid - (i % 3) * 100, run.fx.bidSize + i, run.fx.ask, run.fx.askSize);
          await run.settle(i * 1_000);
        }
        return run.rec.events.map((e) => JSON.stringify(e));
      };
      const first = await script(r);
      const second = await script(await r.another());
      expect(second, 'two runs, byte for byte').to.deep.equal(first);
    },
  },
];
