import { describeBrokerAdapterConformance } from './kit/index.js';
import { startTwsRig, twsBrokerDriver } from './support/fake-tws-driver.js';

// The TWS broker adapter (on the unmodified @stoqey/ib client) against the fake TWS over a real loopback socket: one
// fresh server and adapter per card. Flags are what the adapter does today; baseline cards it fails are declared
// known gaps with the reason (they still run, so a fix shows up as a failing declaration).

describeBrokerAdapterConformance('tws-broker', {
  capabilities: { supportsMarketOrders: true, supportsStopOrders: true, supportsBrackets: true, supportsModify: true, supportsOrderRef: true, isLive: false },
  driverFeatures: ['fill', 'partialFill', 'reject'],
  reportDir: 'var/conformance-report',
  // Flags: the adapter places market, stop, bracket and modify orders and carries orderRef, so it declares them and
  // the gated cards run. supportsReconnect and hasOutboundPacer stay undeclared until the connection work lands,
  // and the fault features (socketDrop, upstreamLoss, dropReply, …) are not wired into this driver yet.
  knownGaps: {
    'BRK-12': 'accountSnapshot().cash is the equity; the cost of open positions is not taken out of cash',
    'BRK-24': 'no order.triggered: TWS reports no trigger, and the adapter does not infer one',
    'BRK-31': 'a cancel of a closed order goes to TWS instead of order.cancel-rejected{ORDER.NOT_OPEN}',
    'BRK-40': "no order.modified when TWS acknowledges a modify",
    'BRK-51': 'no local tick check: an off-tick price (123456 on a 100 tick) is sent instead of ORDER.INVALID_PRICE',
    'BRK-61 (a)': "the OCA sibling's cancel does not carry reason oca",
    'BRK-61 (b)': 'no order.triggered for the stop leg',
    'BRK-64': "the children's cancels do not carry reason parent-cancelled",
  },
  create: async (ctx) => {
    const rig = await startTwsRig(ctx.clock, ctx.fixtures.cash);
    return { subject: rig.broker, driver: twsBrokerDriver(rig, ctx.clock), dispose: rig.close };
  },
});
