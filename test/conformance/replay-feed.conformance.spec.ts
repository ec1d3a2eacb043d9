import { ReplayFeed } from '../../adapters/replay/replay-feed.js';
import { describeMarketDataFeedConformance } from './kit/index.js';
import { ReplaySource } from './support/replay-source.js';

// The FEED cards against the replay feed: every stimulus becomes a recording segment that the feed's own playback
// plays on the kit's virtual clock (sessionEnd 0, so playback never moves the clock past the card's time).
describeMarketDataFeedConformance('replay-feed', {
  capabilities: {
    supportsDepth: true, supportsTape: true, supportsReconnect: false, isReplay: true, isLive: false,
    providesExchangeTime: { quote: true, depth: true, tape: true },
  },
  driverFeatures: ['quote', 'silence', 'depthRows', 'prints', 'gap', 'bookReset'],
  reportDir: 'var/conformance-report',
  // What the replay feed does not do yet: it passes recorded events through unchanged. Each entry still runs and
  // must keep failing; the day it passes, the kit fails it until the line is removed.
  knownGaps: {
    'FEED-13': 'rows beyond the book are passed through as recorded (no append, anomaly count or resync)',
    'FEED-14 (b)': 'a recorded halt is re-emitted as feed.status, without a clear or a new epoch',
    'FEED-20 (a)': 'quotes are not flagged crossed or locked',
    'FEED-20 (b)': 'crossed depth batches are not detected',
    'FEED-21': 'missing (−1) and negative values are passed through, neither normalized nor counted',
    'FEED-22': 'prints keep the recorded aggressor; no inference from the prevailing quote',
    'FEED-23 (a)': 'no staleness detection, and a recording holds one symbol (ABC cannot flow)',
    'FEED-23 (b)': 'no staleness detection',
    'FEED-40 (c)': 'a recorded gap is re-emitted as feed.status{gap}, not feed.suspect{gap}',
  },
  create: (ctx) => {
    const source = new ReplaySource(ctx.clock, ctx.fixtures.symbol);
    const feed = new ReplayFeed({
      file: source.file, clock: ctx.clock, sessionEnd: 0, lineBudget: ctx.budgets.lines, depthBudget: ctx.budgets.depth,
      recvLatencyUs: 0, instrument: undefined, recordingSymbol: ctx.fixtures.symbol,
    });
    source.attach(feed.playback);
    return { subject: feed, driver: source, dispose: () => source.dispose() };
  },
});
