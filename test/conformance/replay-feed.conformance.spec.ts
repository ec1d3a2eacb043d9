import { ReplayFeed } from '../../adapters/replay/replay-feed.js';
import { describeMarketDataFeedConformance } from '../../plugins/conformance/index.js';
import { ReplaySource } from './support/replay-source.js';

// The FEED cards against the replay feed: every stimulus becomes a recording segment (one per symbol) that the feed's
// own playback plays, merged by receive time, on the kit's virtual clock (sessionEnd 0, so playback never moves the
// clock past the card's time). T_stale is the kit's. No known gaps: FEED-23 d, 30 and 31 are skipped by their flags.
describeMarketDataFeedConformance('replay-feed', {
  capabilities: {
    supportsDepth: true,
    supportsTape: true,
    supportsReconnect: false,
    isReplay: true,
    isLive: false,
    providesExchangeTime: { quote: true, depth: true, tape: true },
  },
  driverFeatures: ['quote', 'silence', 'depthRows', 'prints', 'gap', 'bookReset'],
  reportDir: 'var/conformance-report',
  create: (ctx) => {
    // One recording per symbol the cards script (the fixture's and its others), played merged by receive time.
    const source = new ReplaySource(ctx.clock, [ctx.fixtures.symbol, ...ctx.fixtures.others]);
    const feed = new ReplayFeed({
      files: source.files,
      clock: ctx.clock,
      sessionEnd: 0,
      lineBudget: ctx.budgets.lines,
      depthBudget: ctx.budgets.depth,
      recvLatencyUs: 0,
      instrument: undefined,
      staleUs: ctx.timeouts.stale,
    });
    source.attach(feed.playback);
    return { subject: feed, driver: source, dispose: () => source.dispose() };
  },
});
