import { describeMarketDataFeedConformance } from '../../plugins/conformance/index.js';
import { startTwsRig, twsFeedDriver } from './support/fake-tws-driver.js';

// The TWS market-data feed against the fake TWS over a real loopback socket: one fresh server and adapter per card.
// Baseline cards it fails are declared known gaps with the reason (they still run, so a fix shows up as a failing
// declaration).

describeMarketDataFeedConformance('tws-feed', {
  capabilities: {
    supportsDepth: true,
    supportsTape: true,
    supportsReconnect: true,
    isLive: false,
    providesExchangeTime: { quote: false, depth: false, tape: true },
  },
  driverFeatures: ['quote', 'silence', 'depthRows', 'prints', 'bookReset', 'socketDrop', 'upstreamLoss'],
  reportDir: 'var/conformance-report',
  knownGaps: {},
  create: async (ctx) => {
    const rig = await startTwsRig(ctx.clock, 1_000_000_000, ctx.budgets);
    // The engine connects the broker first (handshake, account check, initial sync); the feed shares its link.
    await rig.broker.connect();
    // The link's own timers (heartbeat, ladder) belong to the connection, which the broker holds and which runs on the
    // kit's clock like everything else. The feed is this rig's only subject, so its dispose stands for the session's
    // shutdown and releases the broker too; a timer the feed itself left behind would still show (FEED-02).
    const feed = rig.feed;
    const subject = new Proxy(feed, {
      get: (target, key, receiver) =>
        key === 'dispose'
          ? async () => {
              await target.dispose();
              await rig.broker.dispose();
            }
          : (Reflect.get(target, key, receiver) as unknown),
    });
    return { subject, driver: twsFeedDriver(rig, ctx.clock), dispose: rig.close };
  },
});
