import type { IBrokerAdapter } from '../../ports/broker-adapter.js';
import { describeBrokerAdapterConformance } from '../../plugins/conformance/index.js';
import { startTwsRig, twsBrokerDriver, type TwsRig } from './support/fake-tws-driver.js';

// The TWS broker adapter (on the unmodified @stoqey/ib client) against the fake TWS over a real loopback socket: one
// fresh server and adapter per card (a restart card reuses the server: the venue outlives the adapter).
const rigs = new WeakMap<IBrokerAdapter, TwsRig>();
const LADDER = { backoffMs: [2_500, 5_000, 10_000, 20_000, 40_000, 60_000], connectTimeoutMs: 10_000 };

describeBrokerAdapterConformance('tws-broker', {
  // Flags: market, stop, bracket, modify and orderRef are placed and echoed; the connection reconnects on a lost link
  // or missed heartbeats and reconciles before trading resumes (supportsReconnect); order messages go through the
  // adapter's outbound pacer, cancels first (hasOutboundPacer). Not declared: supportsOcaReduce (OCA type 1, cancel
  // with block: a partial exit fill does not reduce its sibling).
  capabilities: {
    supportsMarketOrders: true,
    supportsStopOrders: true,
    supportsBrackets: true,
    supportsModify: true,
    supportsOrderRef: true,
    supportsReconnect: true,
    hasOutboundPacer: true,
    isLive: false,
  },
  // Driver features wired on the fake TWS (support/fake-tws-faults.ts). authFail: the fake stops managing the
  // configured account; cancelRace and modifyRace: support/fake-tws-races.ts. Not wired: suppressStatus (the fake
  // always reports a status).
  driverFeatures: [
    'fill',
    'partialFill',
    'reject',
    'inactive',
    'duplicateReports',
    'reorderReports',
    'execCorrection',
    'externalOrders',
    'restart',
    'cancelRace',
    'modifyRace',
    'dropReply',
    'socketDrop',
    'upstreamLoss',
    'silence',
    'identityInUse',
    'authFail',
    'fatal',
    'pacing',
  ],
  // As configured on the adapter (LADDER below): the production reconnect ladder (the kit's default,
  // docs/tws-adapter.md#reconnect-ladder), whose steps are long enough for the kit to see Reconnecting between settle
  // windows (BRK-07 a); a connect deadline that leaves room for several first-connect attempts (BRK-07 b). Every
  // adapter timer runs on the kit's clock.
  // Pacing: the adapter's pacer spaces order messages 30 ms apart (outboundIntervalMs, the cancel's slot); the budget
  // is @stoqey/ib's 40/s, which the heartbeat shares.
  timeouts: { connectDeadline: 10_000_000, pacing: { budget: 40, window: 1_000_000, slot: 30_000 } },
  reportDir: 'var/conformance-report',
  create: async (ctx) => {
    const previous = ctx.reopen === undefined ? undefined : rigs.get(ctx.reopen.subject);
    // Adapter A is destroyed without cancelling anything (dispose never cancels); B connects with the same client id.
    if (previous !== undefined) await previous.broker.dispose();
    // The fake resolves only the kit's instruments: qualifying an unknown symbol gets TWS 200, as live, and the order
    // is refused before any placement.
    const rig = await startTwsRig(ctx.clock, ctx.fixtures.cash, undefined, {
      contracts: [ctx.fixtures.symbol, 'ABC', 'DEF', 'GHI'],
      params: LADDER,
      ...(previous !== undefined ? { server: previous.server, accounts: previous.accounts, dataDir: previous.dataDir } : {}),
    });
    rigs.set(rig.broker, rig);
    const dispose = previous === undefined ? rig.close : () => rig.broker.dispose();
    return { subject: rig.broker, driver: twsBrokerDriver(rig, ctx.clock), dispose };
  },
});
