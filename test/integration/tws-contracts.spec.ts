import { expect } from 'chai';
import { TwsContracts } from '../../adapters/tws/mapping/contracts.js';
import { FakeTwsServer, StepClock } from '../../adapters/fake-tws/index.js';
import { createTwsAdapter, until } from '../support/tws-adapter-harness.js';

describe('TWS contract qualification with a cache (fake TWS over loopback)', function () {
  this.timeout(15_000);
  let server: FakeTwsServer;
  let close: () => Promise<void> = async () => {};
  let requests: string[];

  beforeEach(async () => {
    requests = [];
    server = await FakeTwsServer.start({
      clock: new StepClock(),
      accounts: ['DU0000001'],
      contracts: [
        { symbol: 'AAPL', conId: 265_598, primaryExchange: 'NASDAQ', minTick: 0.01 },
        { symbol: 'HRVST', conId: 777_001, primaryExchange: 'ARCA', minTick: 0.01 },
      ],
    });
    server.on('frame', (f) => {
      if (f.request.kind === 'contractData') requests.push(f.request.contract.symbol);
    });
  });
  afterEach(async () => {
    await close();
    await server.stop();
  });

  async function connected() {
    const t = createTwsAdapter(server.port, 61);
    close = t.close;
    await t.broker.connect();
    return new TwsContracts(t.connection);
  }

  it('qualifies a stock once: conId, primary exchange and tick in Price units; concurrent and later callers share it', async () => {
    const contracts = await connected();
    const [a, b] = await Promise.all([contracts.qualify('AAPL'), contracts.qualify('AAPL')]);
    expect(a).to.equal(b);
    expect(a).to.include({ symbol: 'AAPL', conId: 265_598, primaryExchange: 'NASDAQ', minTick: 100, currency: 'USD' });
    expect(await contracts.qualify('AAPL')).to.equal(a);
    expect(requests).to.deep.equal(['AAPL']);
    // Requests after qualification carry the conId, so SMART routing cannot resolve to another listing.
    expect(contracts.contract('AAPL')).to.include({ conId: 265_598, exchange: 'SMART', primaryExch: 'NASDAQ' });
    expect(contracts.contract('MSFT')).to.not.have.property('conId');
  });

  it('the feed requests data only after qualification, with the conId; an unknown symbol fails its line', async () => {
    const t = createTwsAdapter(server.port, 62);
    close = t.close;
    await t.broker.connect();
    const depthFrames: Array<{ symbol: string; conId: number }> = [];
    server.on('frame', (f) => {
      if (f.request.kind === 'mktDepth') depthFrames.push({ symbol: f.request.contract.symbol, conId: f.request.contract.conId });
    });
    expect(t.feed.subscribe('AAPL', 'depth', { levels: 5 }).ok).to.equal(true);
    expect(t.feed.subscribe('NOPE', 'tape').ok).to.equal(true);
    await until(() => depthFrames.length === 1 && t.of('feed.failed').length === 1, 'the AAPL depth request and the NOPE failure');
    expect(requests.slice(0, 2).sort()).to.deep.equal(['AAPL', 'NOPE']);
    expect(depthFrames).to.deep.equal([{ symbol: 'AAPL', conId: 265_598 }]);
    expect(t.of('feed.failed')[0]).to.include({ symbol: 'NOPE', stream: 'tape', code: 'ORDER.UNKNOWN_INSTRUMENT' });
    expect(t.feed.usage().lines.used, 'the failed line is released').to.equal(0);
  });

  it('an unknown symbol is refused with ORDER.UNKNOWN_INSTRUMENT (IB 200), not cached, and does not spoil the others', async () => {
    const contracts = await connected();
    const failed = await contracts.qualifyAll(['HRVST', 'NOPE', 'AAPL']);
    expect(failed.map((f) => f.symbol)).to.deep.equal(['NOPE']);
    expect(failed[0]!.reason).to.match(/NOPE/);
    await contracts.qualify('NOPE').then(
      () => expect.fail('NOPE qualified'),
      (e: { code: string }) => expect(e.code).to.equal('ORDER.UNKNOWN_INSTRUMENT'),
    );
    expect(contracts.get('NOPE')).to.equal(undefined);
    expect(contracts.get('HRVST')).to.include({ conId: 777_001, primaryExchange: 'ARCA' });
    expect(requests.filter((s) => s === 'NOPE')).to.have.length(2);
  });
});
