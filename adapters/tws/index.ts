import { Sfc32 } from '../../core/domain/random.js';
import { defineAdapter } from '../../plugins/sdk/define.js';
import { TwsBrokerAdapter } from './orders/broker.adapter.js';
import { TwsConnection } from './connection/connection.js';
import { TwsContracts } from './mapping/contracts.js';
import { FileIdJournalStore, idJournalPath, TwsIdJournal } from './orders/id-journal.js';
import { TwsMarketDataFeed } from './market-data/market-data.feed.js';
import { TwsOutboundPacer } from './connection/outbound-pacer.js';
import { twsParams } from './params.js';

export { TwsBrokerAdapter, TwsConnection, TwsMarketDataFeed };
export { twsParams, type TwsParams } from './params.js';
export { inResetWindow, DEFAULT_RESET_WINDOWS } from './connection/reset-windows.js';

export default defineAdapter({
  id: 'tws',
  apiVersion: 1,
  description: 'Interactive Brokers TWS / IB Gateway through the unmodified @stoqey/ib client: broker and market data.',
  provides: ['broker', 'market-data'],
  paramsSchema: twsParams,
  venue: (p) => ({ kind: 'tws', host: p.host, port: p.port }),
  create: (ctx) => {
    const p = ctx.params;
    const account = (p.accountEnv !== undefined ? ctx.secret(p.accountEnv) : undefined) ?? ctx.account.id;
    const jitter = new Sfc32(ctx.seed ^ 0x7757);
    const connection = new TwsConnection({
      host: p.host,
      port: p.port,
      clientId: p.clientId,
      clock: ctx.clock,
      connectTimeoutMs: p.connectTimeoutMs,
      backoffMs: p.backoffMs,
      jitter: () => jitter.next(),
      maxReconnectAttempts: p.maxReconnectAttempts,
      heartbeatIntervalMs: p.heartbeatIntervalMs,
      heartbeatTimeoutMs: p.heartbeatTimeoutMs,
      heartbeatMisses: p.heartbeatMisses,
      resetWindows: p.resetWindows,
      resetRetryMs: p.resetRetryMs,
      syncAttempts: p.syncAttempts,
      syncRetryMs: p.syncRetryMs,
      badFrameLimit: p.badFrameLimit,
      badFrameWindowMs: p.badFrameWindowMs,
    });
    // One outbound pacer and one qualification cache per connection, shared by orders and data: a contract request
    // is paced like an order message, and an order waits for its conId like a data line does.
    const pacer = new TwsOutboundPacer(ctx.clock, { intervalMs: p.outboundIntervalMs });
    const contracts = new TwsContracts(connection, ctx.account.currency, pacer);
    const idStore = new FileIdJournalStore(idJournalPath(ctx.dataDir, p.clientId));
    const broker = new TwsBrokerAdapter({
      connection,
      clock: ctx.clock,
      account: account ?? null,
      startEquity: ctx.account.startEquity,
      clientId: p.clientId,
      reconcileDeadlineMs: p.reconcileDeadlineMs,
      ackTimeoutMs: p.ackTimeoutMs,
      reconcileIntervalMs: p.reconcileIntervalMs,
      commissionTimeoutMs: p.commissionTimeoutMs,
      clockSkew: { warnMs: p.clockSkewWarnMs, safeModeMs: p.clockSkewSafeModeMs },
      tickOf: (symbol) => ctx.instrument(symbol)?.tick,
      contracts,
      pacer,
      // One journal per client id (orders belong to the client id that placed them): a restart adopts its orders.
      ids: new TwsIdJournal(idStore),
      readOnlyProbe: p.readOnlyProbe,
      readOnlyProbeMs: p.readOnlyProbeMs,
    });
    const feed = new TwsMarketDataFeed(
      connection,
      ctx.clock,
      { lines: p.lineBudget, depth: p.depthBudget },
      {
        staleMs: p.staleMs,
        staleTapeMs: p.staleTapeMs,
        crossedBatches: p.crossedBatches,
        depthAnomalies: p.depthAnomalies,
        depthAnomalyWindowMs: p.depthAnomalyWindowMs,
      },
      contracts,
      { deadlineMs: p.entitlementDeadlineMs, accountLines: p.accountLines, accountDepth: p.accountDepth },
      { timeoutMs: p.historicalTimeoutMs, pacer },
    );
    return {
      broker,
      feed,
      close: async () => {
        await feed.dispose();
        await broker.dispose();
        idStore.close();
      },
    };
  },
});
