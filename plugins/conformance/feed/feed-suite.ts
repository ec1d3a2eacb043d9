import { ManualClock } from '../../../core/engine/virtual-clock.js';
import type { StreamKind } from '../../../core/domain/market.js';
import { InvariantViolation, SequenceMismatch, type CardDef } from '../card.js';
import { EventRecorder } from '../recorder.js';
import { registerMochaSuite, settleClock, type PortSuite } from '../suite.js';
import { DEFAULT_START } from '../broker/broker-suite.js';
import { depthCards } from './feed-cards-depth.js';
import { qualityCards } from './feed-cards-quality.js';
import { subscriptionCards } from './feed-cards-subscriptions.js';
import { feedMonitor } from './feed-monitor.js';
import {
  DEFAULT_FEED_FIXTURES,
  DEFAULT_FEED_TIMEOUTS,
  FEED_EVENT_NAMES,
  type FeedBudgets,
  type FeedCreateContext,
  type FeedRun,
  type FeedSuiteOptions,
} from './feed-types.js';

/** Every FEED card, in id order (the closed registry of docs/conformance-kit.md#waivers). */
export const FEED_CARDS: readonly CardDef<FeedRun>[] = [...subscriptionCards, ...depthCards, ...qualityCards];

const MINIMAL_FEATURES = ['quote', 'silence'] as const;
/** Features that need no driver method: silence is the source sending nothing. */
const METHODLESS = new Set(['silence']);

/** Builds the feed suite as data; `describeMarketDataFeedConformance` registers it with mocha. */
export function buildFeedSuite(name: string, options: FeedSuiteOptions): PortSuite<FeedRun> {
  const caps = { ...options.capabilities };
  const features = new Set<string>(options.driverFeatures ?? []);
  if (caps.isLive !== true) {
    const missing = MINIMAL_FEATURES.filter((x) => !features.has(x));
    if (missing.length > 0) throw new Error(`conformance: a scripted feed run needs driver features ${missing.join(', ')}`);
  }
  const fx = { ...DEFAULT_FEED_FIXTURES, ...(options.fixtures ?? {}) };
  const timeouts = { ...DEFAULT_FEED_TIMEOUTS, ...(options.timeouts ?? {}) };

  const makeRun = async (card: string, budgets: FeedBudgets, cleanup: (() => Promise<void>)[]): Promise<FeedRun> => {
    const clock = new ManualClock(options.startTime ?? DEFAULT_START);
    const ctx: FeedCreateContext = { clock, log: () => undefined, fixtures: fx, timeouts, budgets, card };
    const handle = await options.create(ctx);
    if (caps.isLive !== true && handle.driver !== undefined) {
      for (const feat of features) {
        if (!METHODLESS.has(feat) && typeof handle.driver[feat] !== 'function')
          throw new Error(`conformance: driver feature ${feat} declared, but the driver has no ${feat}()`);
      }
    }
    const rec = new EventRecorder().attach((e, l) => handle.subject.on(e as never, l as never), FEED_EVENT_NAMES);
    cleanup.push(async () => {
      rec.detach();
      try {
        await handle.subject.dispose();
      } catch {
        // FEED-02 (docs/conformance-cards.md#feed-02) disposed it already; a second dispose is not this card's concern.
      }
      await handle.dispose?.();
    });
    const run: FeedRun = {
      subject: handle.subject,
      clock,
      rec,
      fx,
      timeouts,
      caps,
      features,
      settle: (us = 0) => settleClock(clock, handle, us),
      source: () => {
        if (handle.driver === undefined) throw new SequenceMismatch('this card needs a driver (source double); none was provided', [], []);
        return handle.driver;
      },
      subscribe: (symbol: string, stream: StreamKind) => {
        const r = handle.subject.subscribe(symbol, stream, stream === 'depth' ? { levels: fx.depthLevels } : {});
        if (!r.ok)
          throw new SequenceMismatch(
            `subscribe(${symbol}, ${stream}) refused: ${r.code}`,
            [`feed.subscribed{${symbol}, ${stream}}`],
            rec.lines(),
          );
        return r.handle;
      },
      another: () => makeRun(card, budgets, cleanup),
    };
    await handle.subject.connect();
    await run.settle();
    return run;
  };

  const execute = async (card: CardDef<FeedRun>): Promise<void> => {
    const cleanup: (() => Promise<void>)[] = [];
    const budgets: FeedBudgets = card.id === 'FEED-03' ? { lines: 2, depth: 1 } : { lines: 3, depth: 1 }; // docs/conformance-cards.md#feed-03
    try {
      const run = await makeRun(card.id, budgets, cleanup);
      try {
        await card.run!(run);
      } catch (error) {
        if (error instanceof SequenceMismatch || error instanceof InvariantViolation) throw error;
        throw new SequenceMismatch((error as Error).message ?? String(error), [], run.rec.lines());
      }
      const violations = feedMonitor(run.rec.events);
      if (violations.length > 0) throw new InvariantViolation(violations, run.rec.lines());
    } finally {
      for (const c of cleanup.reverse()) await c();
    }
  };

  return {
    port: 'MarketDataFeed',
    name,
    cards: FEED_CARDS,
    fixtures: fx as unknown as Record<string, unknown>,
    options,
    execute,
    env: { capabilities: caps as Record<string, unknown>, driverFeatures: features, isLive: caps.isLive === true },
  };
}

/**
 * Registers the MarketDataFeed conformance suite (cards FEED, monitors F1–F6) as one mocha `describe`.
 *
 * @example
 * describeMarketDataFeedConformance('acme-feed', {
 *   create: (ctx) => ({ subject, driver }),
 *   capabilities: { supportsDepth: true },
 *   driverFeatures: ['quote', 'silence', 'depthRows'],
 * });
 */
export function describeMarketDataFeedConformance(name: string, options: FeedSuiteOptions): void {
  registerMochaSuite(buildFeedSuite(name, options));
}
