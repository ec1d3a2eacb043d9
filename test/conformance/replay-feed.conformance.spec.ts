import { ReplayFeed } from '../../adapters/replay/replay-feed.js';
import { describeMarketDataFeedConformance } from './kit/index.js';
import { ReplaySource } from './support/replay-source.js';

// The FEED cards against the replay feed: every stimulus becomes a recording segment that the feed's own playback
// plays on the kit's virtual clock (sessionEnd 0, so playback never moves the clock past the card's time). T_stale is the kit's.
describeMarketDataFeedConformance('replay-feed', {
  capabilities: {
    supportsDepth: true, supportsTape: true, supportsReconnect: false, isReplay: true, isLive: false,
    providesExchangeTime: { quote: true, depth: true, tape: true },
  },
  driverFeatures: ['quote', 'silence', 'depthRows', 'prints', 'gap', 'bookReset'],
  reportDir: 'var/conformance-report',
  // What the replay feed does not do. Each entry still runs and must keep failing; the day it passes, the kit fails
  // it until the line is removed.
  knownGaps: {
    'FEED-23 (a)': 'a recording holds one symbol, so ABC never flows and cannot resume (staleness itself is detected, see FEED-23 b)',
  },
  create: (ctx) => {
    const source = new ReplaySource(ctx.clock, ctx.fixtures.symbol);
    const feed = new ReplayFeed({
      file: source.file, clock: ctx.clock, sessionEnd: 0, lineBudget: ctx.budgets.lines, depthBudget: ctx.budgets.depth,
      recvLatencyUs: 0, instrument: undefined, recordingSymbol: ctx.fixtures.symbol, staleUs: ctx.timeouts.stale,
    });
    source.attach(feed.playback);
    return { subject: feed, driver: source, dispose: () => source.dispose() };
  },
});
