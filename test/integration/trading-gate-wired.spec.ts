import { expect } from 'chai';
import { runWith, S, WINDOW } from '../support/engine-harness.js';
import { MemoryJournal } from '../support/memory-journal.js';
import type { Strategy } from '../../ports/strategy.js';

type Ctx = Parameters<Parameters<typeof runWith>[0]>[0];

/** Submits one bracket entry for `symbol` per second after the first 10 s, counting what was sent and denied. */
function prober(symbol: string, seen: { sent: number; denied: string[] }) {
  return (ctx: Ctx): Strategy => ({
    id: ctx.strategyId,
    subscriptions: () => [{ symbol: 'TST', streams: ['depth', 'tape'] }],
    onBook: (book) => {
      if (seen.sent > 0 || seen.denied.length >= 5 || ctx.clock.now() < WINDOW.start + 10 * S) return;
      const r = ctx.submit({
        symbol,
        kind: 'entry',
        side: 'buy',
        type: 'limit',
        quantity: 10,
        limitPrice: book.bestAsk,
        stopLoss: book.bestBid - 500,
        takeProfit: book.bestAsk + 500,
        reason: 'probe',
      });
      if (r.status === 'sent') seen.sent++;
      else if (r.status === 'denied') seen.denied.push(...r.decision.reasons.map((x) => x.code));
    },
  });
}

const paper = { account: { id: 'DFAKE0001', startEquity: 100_000 }, instruments: [{ symbol: 'TST', tick: 0.01 }] };

describe('the trading gate as the engine runs it (start gates, instrument whitelist, risk floor)', () => {
  it("the mode gate checks the broker: a 'paper' config on a simulated broker never sends an entry", async () => {
    const seen = { sent: 0, denied: [] as string[] };
    const { journal, result } = await runWith(prober('TST', seen), [], { mode: 'paper', config: paper });
    expect(result.orders).to.equal(0);
    expect(seen.sent).to.equal(0);
    expect(seen.denied).to.include('RISK.MODE_MISMATCH');
    const failed = journal.all().find((e) => e.type === 'start-gates.failed');
    const mode = (failed?.data.results as { gate: string; pass: boolean; reason: string }[] | undefined)?.find((r) => r.gate === 'mode');
    expect(mode?.pass).to.equal(false);
    expect(mode?.reason).to.match(/running in sim-live but config intends paper \(the broker is simulated/);
  });

  it('in replay the same session trades (the mode gate passes when the broker is what the mode says)', async () => {
    const seen = { sent: 0, denied: [] as string[] };
    const { result } = await runWith(prober('TST', seen), [], { mode: 'replay', config: paper });
    expect(seen.sent).to.equal(1);
    expect(result.orders).to.be.greaterThan(0);
  });

  it('instruments is a whitelist in paper/live: an entry for an unlisted symbol is denied as a value with a reason', async () => {
    const seen = { sent: 0, denied: [] as string[] };
    const { journal } = await runWith(prober('NOPE', seen), [], { mode: 'paper', config: paper });
    expect(seen.sent).to.equal(0);
    expect(seen.denied).to.include('RISK.SYMBOL_NOT_LISTED');
    const denial = journal.all().find((e) => e.type === 'risk.denied');
    const reasons = denial?.data.reasons as { code: string; message?: string }[];
    expect(reasons[0]).to.include({ code: 'RISK.SYMBOL_NOT_LISTED' });
    expect(reasons[0]!.message).to.match(/NOPE is not in config instruments/);
  });

  it('a paper config with no instruments is refused before the session is built', async () => {
    const error = await runWith(prober('TST', { sent: 0, denied: [] }), [], { mode: 'paper', config: { ...paper, instruments: [] } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(String(error)).to.match(/instruments: mode 'paper' trades only the instruments listed in config, and none are/);
    expect((error as { code?: string }).code).to.equal('CONFIG.NO_INSTRUMENTS');
  });

  it('a paper chain missing the floor gets the five floor policies added, journaled at the start', async () => {
    const { journal } = await runWith(
      prober('TST', { sent: 0, denied: [] }),
      [{ use: 'max-position', action: 'reject', params: { maxShares: 100 } }],
      { mode: 'paper', config: paper },
    );
    const floor = journal.all().find((e) => e.type === 'risk.floor');
    expect((floor?.data.added as { use: string }[]).map((a) => a.use)).to.deep.equal([
      'daily-loss',
      'risk-per-trade',
      'max-trades-day',
      'consecutive-losses',
    ]);
    // max-position with only maxShares leaves the value uncapped: below the floor, accepted in paper and reported.
    expect((floor?.data.below as { policy: string }[]).map((b) => b.policy)).to.deep.equal(['max-position']);
  });

  it('the engine itself refuses an unarmed venue session before it connects, journaling why (callers that skip the CLI)', async () => {
    const journal = new MemoryJournal();
    let connects = 0;
    const error = await runWith(prober('TST', { sent: 0, denied: [] }), [], {
      mode: 'sim-live',
      brokerVenuePort: 7555,
      journal,
      config: paper,
      onBroker: (b) => {
        const connect = b.connect.bind(b);
        b.connect = async () => {
          connects++;
          await connect();
        };
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(String(error)).to.match(
      /mode is 'sim-live' but broker 'instant' \(port 7555\) talks to TWS, so the live rules apply.*live\.armed is not true/,
    );
    expect(connects).to.equal(0);
    const refused = journal.all().find((e) => e.type === 'arming.refused');
    expect(refused?.data).to.include({ code: 'CONFIG.LIVE_NOT_ARMED', stage: 'before-connect' });
  });
});
