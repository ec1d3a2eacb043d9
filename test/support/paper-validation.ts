import { expect } from 'chai';
import twsManifest from '../../adapters/tws/index.js';
import type { TwsBrokerAdapter } from '../../adapters/tws/tws-broker.adapter.js';
import type { TwsMarketDataFeed } from '../../adapters/tws/tws-market-data.feed.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import { Sfc32 } from '../../core/domain/random.js';
import type { BrokerEventName, BrokerEvents } from '../../ports/broker-adapter.js';

export interface PaperTarget {
  host: string;
  port: number;
  clientId: number;
  account: string;
  symbol: string;
  /** Called before each scenario that needs market activity (the fake TWS publishes; a real TWS has a market). */
  stimulate?: () => void;
  /** Where the adapter keeps its id journal; default `var` (a real paper run wants it to survive restarts). */
  dataDir?: string;
}

/** The validation scenarios of seed 002, as one function run against the fake TWS in CI and a paper TWS opt-in. */
export function paperValidationScenarios(target: () => PaperTarget): void {
  let closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers) await c().catch(() => undefined);
    closers = [];
  });

  const open = async () => {
    const t = target();
    if (!/^D/i.test(t.account)) throw new Error(`refusing to validate against ${t.account.slice(0, 2)}…: not a paper account (paper ids start with D)`);
    const quiet = { debug: () => {}, info: () => {}, warn: () => {} };
    const inst = twsManifest.create({
      pluginId: 'tws', params: twsManifest.paramsSchema.parse({ host: t.host, port: t.port, clientId: t.clientId, accountEnv: 'HV_VALIDATION_ACCOUNT', connectTimeoutMs: 10_000 }),
      clock: new WallClock(), log: quiet, random: new Sfc32(2), mode: 'paper', seed: 2, secret: (n) => (n === 'HV_VALIDATION_ACCOUNT' ? t.account : undefined),
      instrument: () => undefined, market: { book: () => undefined, onDepth: () => () => {}, onTrade: () => () => {} },
      account: { id: null, currency: 'USD', startEquity: 0 }, session: { date: '2026-01-02', timeZone: 'America/New_York', start: 0, end: 0 }, dataDir: t.dataDir ?? 'var',
    }) as { broker: TwsBrokerAdapter; feed: TwsMarketDataFeed; close: () => Promise<void> };
    closers.push(inst.close);
    const events: { name: BrokerEventName; p: Record<string, unknown> }[] = [];
    for (const name of ['order.accepted', 'order.filled', 'commission.reported', 'order.cancelled', 'order.rejected'] as BrokerEventName[]) {
      inst.broker.on(name, (p: BrokerEvents[typeof name]) => events.push({ name, p: p as unknown as Record<string, unknown> }));
    }
    return { ...inst, events, t };
  };

  const until = async (pred: () => boolean, ms = 30_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error('timed out waiting for the venue');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('connectivity: connects with the fixed client id, the account is managed, trading is allowed', async () => {
    const v = await open();
    await v.broker.connect();
    expect(v.broker.health()).to.include({ state: 'Connected', canTrade: true, account: v.t.account });
  });

  it('market data: L2 depth and the tape arrive for the symbol, with end-of-batch marks', async () => {
    const v = await open();
    await v.broker.connect();
    let rows = 0;
    let ends = 0;
    let prints = 0;
    v.feed.on('depth.updated', (e) => { rows++; if (e.endOfBatch) ends++; });
    v.feed.on('trade.printed', () => { prints++; });
    expect(v.feed.subscribe(v.t.symbol, 'depth', { levels: 5 }).ok).to.equal(true);
    expect(v.feed.subscribe(v.t.symbol, 'tape').ok).to.equal(true);
    v.t.stimulate?.();
    await until(() => rows > 0 && ends > 0 && prints > 0);
    expect(v.feed.usage().depth.used).to.equal(1);
  });

  it('orders: a resting limit far from the market is accepted, then cancelled', async () => {
    const v = await open();
    await v.broker.connect();
    v.t.stimulate?.();
    const r = v.broker.submit({ coid: 'val-rest', symbol: v.t.symbol, side: 'buy', type: 'limit', quantity: 1, limitPrice: 10_000, tif: 'day', orderRef: 'hv:validation:rest' });
    expect(r.status).to.equal('sent');
    await until(() => v.events.some((e) => e.name === 'order.accepted'));
    v.broker.cancel('val-rest');
    await until(() => v.events.some((e) => e.name === 'order.cancelled'));
    expect(v.events.some((e) => e.name === 'order.filled')).to.equal(false);
  });

  it('execution: a 1-share marketable order fills with an exec id and its commission, then is flattened', async () => {
    const v = await open();
    await v.broker.connect();
    v.t.stimulate?.();
    v.broker.submit({ coid: 'val-buy', symbol: v.t.symbol, side: 'buy', type: 'market', quantity: 1, tif: 'day', orderRef: 'hv:validation:buy' });
    await until(() => v.events.some((e) => e.name === 'order.filled' && e.p.coid === 'val-buy'));
    const fill = v.events.find((e) => e.name === 'order.filled')!.p;
    expect(String(fill.execId)).to.have.length.greaterThan(0);
    await until(() => fill.commission !== null || v.events.some((e) => e.name === 'commission.reported' && e.p.execId === fill.execId));
    v.broker.submit({ coid: 'val-sell', symbol: v.t.symbol, side: 'sell', type: 'market', quantity: 1, tif: 'day', orderRef: 'hv:validation:sell' });
    await until(() => v.events.some((e) => e.name === 'order.filled' && e.p.coid === 'val-sell'));
    expect(v.broker.positions()).to.deep.equal([]);
  });
}
