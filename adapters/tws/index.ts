import { z } from 'zod';
import { Sfc32 } from '../../core/domain/random.js';
import { defineAdapter } from '../../plugins/sdk/define.js';
import { TwsBrokerAdapter } from './tws-broker.adapter.js';
import { TwsConnection } from './tws-connection.js';
import { TwsMarketDataFeed } from './tws-market-data.feed.js';

export { TwsBrokerAdapter, TwsConnection, TwsMarketDataFeed };

const params = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    /** TWS/Gateway API port; no default on purpose (7497/4002 paper and 7496/4001 live are conventions). */
    port: z.number().int().min(1).max(65_535),
    /** A fixed client id per process (IB allows one connection per id; 326 otherwise). */
    clientId: z.number().int().min(0),
    /** Name of the environment variable that holds the account id; defaults to the config's account.id. */
    accountEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    connectTimeoutMs: z.number().int().positive().default(10_000),
    backoffMs: z.array(z.number().int().positive()).default([1_000, 2_000, 4_000, 8_000, 16_000, 30_000]),
    lineBudget: z.number().int().positive().default(100),
    depthBudget: z.number().int().positive().default(3),
  })
  .strict();

export default defineAdapter({
  id: 'tws',
  apiVersion: 1,
  description: 'Interactive Brokers TWS / IB Gateway through the unmodified @stoqey/ib client: broker and market data.',
  provides: ['broker', 'market-data'],
  paramsSchema: params,
  create: (ctx) => {
    const p = ctx.params;
    const account = (p.accountEnv !== undefined ? ctx.secret(p.accountEnv) : undefined) ?? ctx.account.id;
    const jitter = new Sfc32(ctx.seed ^ 0x7757);
    const connection = new TwsConnection({
      host: p.host, port: p.port, clientId: p.clientId, clock: ctx.clock, connectTimeoutMs: p.connectTimeoutMs, backoffMs: p.backoffMs,
      jitter: () => jitter.next(),
    });
    const broker = new TwsBrokerAdapter({ connection, clock: ctx.clock, account: account ?? null, startEquity: ctx.account.startEquity });
    const feed = new TwsMarketDataFeed(connection, ctx.clock, { lines: p.lineBudget, depth: p.depthBudget });
    return { broker, feed, close: async () => { await feed.dispose(); await broker.dispose(); } };
  },
});
