import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { AlertRules } from '../../adapters/alerts/alert-rules.js';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { alertsSchema } from '../../core/config/alerts-schema.js';
import { runControl } from '../../adapters/cli/commands/control.command.js';
import { startControlServer } from '../../adapters/cli/control-socket.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import { env } from '../../core/config/env-ref.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import type { OrderRequest, SubmitReceipt } from '../../core/domain/orders.js';
import { createHarvester } from '../../core/di/container.js';
import { defineStrategy } from '../../plugins/sdk/define.js';
import type { JournalEntry } from '../../ports/journal.js';
import { RecordingBroker } from '../support/recording-broker.js';
import { until } from '../support/tws-adapter-harness.js';
import { BrokerBackedMatcher, FakeTwsServer, StepClock, syntheticMarket } from '../../adapters/fake-tws/index.js';
import { sessionAround } from '../../core/config/session-window.js';

const SYMBOL = 'HRVST';

/**
 * The venue behind the fake TWS: market orders and buy limits fill at once at their price (or a fixed one),
 * everything else rests; `refuseCloses` makes it refuse that many market or limit sells (TWS answers 201).
 */
class ScriptVenue extends RecordingBroker {
  refuseCloses = 0;
  private exec = 0;
  override submit(order: OrderRequest): SubmitReceipt {
    super.submit(order);
    const closing = order.side === 'sell' && (order.type === 'market' || order.type === 'limit');
    if (closing && this.refuseCloses > 0) {
      this.refuseCloses--;
      return { coid: order.coid, status: 'rejected', code: 'ORDER.REJECTED', reason: 'no liquidity' };
    }
    const fills = order.type === 'market' || (order.type === 'limit' && (order.side === 'buy' || (order.limitPrice ?? 0) <= 330_000));
    if (fills) {
      const price = order.limitPrice ?? 325_000;
      queueMicrotask(() =>
        this.emit('order.filled', {
          coid: order.coid,
          execId: `sv-${++this.exec}`,
          symbol: order.symbol,
          side: order.side,
          qty: order.quantity,
          price,
          cumQty: order.quantity,
          leavesQty: 0,
          status: 'Filled',
          commission: null,
          orderRef: order.orderRef,
          at: 0,
        }),
      );
    }
    return { coid: order.coid, status: 'sent' };
  }
}

/** Buys 100 with a wide bracket whenever `wanted` asks for an entry and it holds nothing. */
const probe = { wanted: 1 };
const holdStrategy = defineStrategy({
  id: 'hold-probe',
  apiVersion: 1,
  paramsSchema: z.object({}),
  create: (ctx) => ({
    id: ctx.strategyId,
    subscriptions: () => [{ symbol: SYMBOL, streams: ['depth', 'tape'] }],
    onBook: (book) => {
      if (probe.wanted <= 0 || (ctx.position(SYMBOL)?.quantity ?? 0) !== 0 || book.bestAsk === 0) return;
      const r = ctx.submit({
        symbol: SYMBOL,
        kind: 'entry',
        side: 'buy',
        type: 'limit',
        quantity: 100,
        limitPrice: book.bestAsk,
        stopLoss: book.bestBid - 5_000,
        takeProfit: book.bestAsk + 50_000,
        reason: 'hold',
      });
      if (r.status === 'sent') probe.wanted--;
    },
  }),
});

/** A paper session on the fake TWS with the hold probe, the control socket up and every journal row seen. */
async function session(dir: string, venue: ScriptVenue) {
  const server = await FakeTwsServer.start({
    clock: new StepClock(),
    accounts: ['DU0000001'],
    speed: 1,
    matcher: new BrokerBackedMatcher(venue),
    market: syntheticMarket({ symbol: SYMBOL, seed: 5, start: 0, steps: 4_000, mid: 325_000, tick: 100, interval: 15_000 }),
  });
  try {
    return await sessionOn(server, dir);
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function sessionOn(server: FakeTwsServer, dir: string) {
  // No IB reset windows: the test runs at any hour, and a drop inside one would wait a minute to retry.
  const tws = { port: server.port, clientId: 43, backoffMs: [400, 800], resetWindows: [] };
  const resolved = await resolveConfig(
    {
      mode: 'paper',
      session: sessionAround(Date.now(), 1, 3),
      account: { id: env('HV_TEST_PAPER_ACCOUNT'), startEquity: 100_000 },
      instruments: [{ symbol: SYMBOL, tick: 0.01 }],
      marketData: { use: 'tws', params: tws },
      broker: { use: 'tws', params: tws },
      store: { use: 'typeorm', params: { file: path.join(dir, 'paper.sqlite') } },
      risk: [{ use: 'max-position', action: 'reject', params: { maxShares: 1_000 } }],
      strategies: [{ use: 'hold-probe' }],
      dataDir: dir,
    },
    { builtins: [...(await builtinPlugins()), holdStrategy], baseDir: process.cwd(), env: { HV_TEST_PAPER_ACCOUNT: 'DU0000001' } },
  );
  const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
  const runtime = await createHarvester(resolved, {
    sessionId: 'flatten-e2e',
    wallStartedAt: new Date().toISOString(),
    clock: new WallClock(),
    log: quiet,
  });
  // As `harvester run` does for sessions in wall time; `runControl` is what `harvester control flatten` runs.
  const control = await startControlServer({ dataDir: dir, handler: { handle: async (cmd) => runtime.engine.controls.apply(cmd) } });
  const rows: JournalEntry[] = [];
  runtime.parts.bus.on('flatten.escalated', () => undefined);
  const journal = (runtime.engine as unknown as { journal: { append: (s: string, e: JournalEntry) => void } }).journal;
  const append = journal.append.bind(journal);
  journal.append = (s, e) => {
    rows.push(e);
    append(s, e);
  };
  const alerts: unknown[] = [];
  runtime.parts.bus.on('flatten.escalated', (e) => {
    alerts.push(e);
  });
  const stop = new AbortController();
  const running = runtime.engine.run({ signal: stop.signal });
  const engineBroker = (runtime.engine as unknown as { broker: { health(): { canTrade: boolean } } }).broker;
  return {
    server,
    runtime,
    rows,
    alerts,
    held: () => runtime.parts.ledger.quantity(SYMBOL),
    canTrade: () => engineBroker.health().canTrade,
    flatten: (note: string) => runControl('flatten', { dataDir: dir, operator: 'op', note, timeout: '5000' }, () => undefined),
    end: async () => {
      stop.abort();
      await running;
      await control.close();
      await runtime.close();
      const decodeErrors = server.stats.decodeErrors;
      await server.stop();
      return decodeErrors;
    },
  };
}

describe('flatten that finishes: operator flatten over the control socket, through the TWS adapter on the fake TWS', function () {
  this.timeout(90_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-flatten-e2e-'));
    probe.wanted = 1;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a flatten refused while the link is down goes out again after reconnect and reconciliation, and finishes', async () => {
    const s = await session(dir, new ScriptVenue());
    try {
      await until(() => s.held() === 100, 'the entry to fill', 20_000);
      s.server.inject({ kind: 'close' });
      await until(() => !s.canTrade(), 'the link to drop', 5_000);
      expect(await s.flatten('link down'), 'harvester control flatten exit code').to.equal(0);
      await until(() => s.rows.some((r) => r.type === 'close.waiting-for-link'), 'the refused close', 5_000);
      expect(s.held(), 'still held while the link is down').to.equal(100);
      await until(() => s.held() === 0, 'the flatten to finish after the reconnect', 15_000);
      const types = s.rows.map((r) => r.type);
      const resent = types.indexOf('close.resent');
      expect(resent, 'close re-sent').to.be.greaterThan(-1);
      expect(types.lastIndexOf('reconciliation.completed', resent), 'after a reconciliation').to.be.greaterThan(
        types.indexOf('close.waiting-for-link'),
      );
      await until(
        () => s.runtime.engine.orders.registry.workingFor('hold-probe', SYMBOL).length === 0,
        'the bracket cancelled once flat',
        5_000,
      );
    } finally {
      expect(await s.end(), 'decode errors').to.equal(0);
    }
  });

  it('a close the venue refuses is retried through the spread and, after the third refusal, escalated (critical, journaled, HALT)', async () => {
    const venue = new ScriptVenue();
    const s = await session(dir, venue);
    try {
      await until(() => s.held() === 100, 'the entry to fill', 20_000);
      venue.refuseCloses = 3;
      expect(await s.flatten('refused'), 'harvester control flatten exit code').to.equal(0);
      await until(() => s.alerts.length > 0, 'the escalation', 15_000);
      const closes = venue.submitted.filter((o) => o.side === 'sell' && o.type !== 'stop' && (o.limitPrice ?? 0) < 370_000);
      expect(
        closes.map((o) => o.type),
        'first at market, then through the spread',
      ).to.deep.equal(['market', 'limit', 'limit']);
      expect(s.alerts[0]).to.deep.include({ severity: 'critical', symbol: SYMBOL, qty: 100, attempts: 3 });
      const escalatedRow = s.rows.find((r) => r.type === 'flatten.escalated');
      expect(escalatedRow, 'journaled').to.not.equal(undefined);
      // The operator's alert rules turn that row into a critical flatten-failed alert.
      const raised = new AlertRules(alertsSchema.parse({})).onRow(escalatedRow!, Date.now());
      expect(raised.map((a) => `${a.type} ${a.level}`)).to.deep.equal(['flatten-failed critical']);
      const change = s.rows.find((r) => r.type === 'risk.state-changed');
      expect(change?.data as { to: string; reason: { code: string } }, 'HALT').to.deep.include({ to: 'HALT' });
      expect((change!.data as { reason: { code: string } }).reason.code).to.equal('RISK.CLOSE_FAILED');
      expect(s.held(), 'the shares are still held').to.equal(100);
      const stops = s.runtime.engine.orders.registry.workingFor('hold-probe', SYMBOL).filter((o) => o.role === 'stop-loss');
      expect(stops, 'and keep their stop').to.have.length(1);
      // Nothing more goes out for it while the market goes on (the operator has it now).
      const sent = venue.submitted.length;
      const events = s.runtime.parts.router.events;
      await until(() => s.runtime.parts.router.events > events + 20, 'more market events', 10_000);
      expect(venue.submitted.length, 'nothing more after the escalation').to.equal(sent);
    } finally {
      expect(await s.end(), 'decode errors').to.equal(0);
    }
  });
});
