import { describeMarketDataFeedConformance } from './kit/index.js';
import { startTwsRig, twsFeedDriver } from './support/fake-tws-driver.js';

// The TWS market-data feed against the fake TWS over a real loopback socket: one fresh server and adapter per card.
// Baseline cards it fails are declared known gaps with the reason (they still run, so a fix shows up as a failing
// declaration).

describeMarketDataFeedConformance('tws-feed', {
  capabilities: { supportsDepth: true, supportsTape: true, supportsReconnect: true, isLive: false, providesExchangeTime: { quote: false, depth: false, tape: true } },
  driverFeatures: ['quote', 'silence', 'depthRows', 'prints', 'bookReset', 'socketDrop', 'upstreamLoss'],
  reportDir: 'var/conformance-report',
  knownGaps: {
    'FEED-15': 'conflicts with FEED-13 in kit 1.0: its generator sends dozens of updates beyond the book at one instant, so K_depth (5 in 60 s) resyncs the book (clear, new epoch) and the deltas no longer map one per source row; its reference model also keeps rows appended beyond the requested count, which FEED-10/13 cut. The replay feed declares the same conflict from the FEED-13 side. Row semantics are covered by test/unit/tws-depth-book.spec.ts',
  },
  create: async (ctx) => {
    const rig = await startTwsRig(ctx.clock, 1_000_000_000, ctx.budgets);
    // The engine connects the broker first (handshake, account check, initial sync); the feed shares its link.
    await rig.broker.connect();
    return { subject: rig.feed, driver: twsFeedDriver(rig, ctx.clock), dispose: rig.close };
  },
});
