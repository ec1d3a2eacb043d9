import { expect } from 'chai';
import type { JournalEntry } from '../../ports/journal.js';
import type { Strategy } from '../../ports/strategy.js';
import { runWith, S, WINDOW } from '../support/engine-harness.js';

/** A strategy that holds a long (or short) position from 10 s on, and throws from `throwFrom` on (if given). */
function holder(throwFrom = Infinity, side: 'buy' | 'sell' = 'buy') {
  return (ctx: Parameters<Parameters<typeof runWith>[0]>[0]): Strategy => {
    let entered = false;
    return {
      id: ctx.strategyId,
      subscriptions: () => [{ symbol: 'TST', streams: ['depth', 'tape'] }],
      onBook: (book) => {
        const now = ctx.clock.now();
        if (now >= WINDOW.start + throwFrom * S) throw new Error('strategy keeps failing');
        if (entered || now < WINDOW.start + 10 * S) return;
        entered =
          (side === 'buy'
            ? ctx.submit({
                symbol: 'TST',
                kind: 'entry',
                side,
                type: 'limit',
                quantity: 100,
                limitPrice: book.bestAsk,
                stopLoss: book.bestBid - 2000,
                takeProfit: book.bestAsk + 5000,
                reason: 'hold',
              })
            : ctx.submit({
                symbol: 'TST',
                kind: 'entry',
                side,
                type: 'limit',
                quantity: 100,
                limitPrice: book.bestBid,
                stopLoss: book.bestAsk + 2000,
                takeProfit: book.bestBid - 5000,
                reason: 'hold',
              })
          ).status === 'sent';
      },
    };
  };
}

/** The transition must be journaled on the very input that breached, and the kill switch's orders must follow. */
function expectHaltOn(rows: readonly JournalEntry[], breachType: string, nth: number, code: string): void {
  const breaches = rows.filter((r) => r.type === breachType);
  expect(breaches.length, `${breachType} rows`).to.be.at.least(nth);
  const change = rows.find((r) => r.type === 'risk.state-changed');
  expect(change?.data, 'state change').to.deep.include({ to: 'HALT' });
  expect((change!.data as { reason: { code: string } }).reason.code).to.equal(code);
  expect(change!.loopSeq, 'halt on the breaching input').to.equal(breaches[nth - 1]!.loopSeq);
  const flatten = rows.findIndex((r) => r.type === 'flatten.order');
  expect(flatten, 'flatten order journaled').to.be.greaterThan(rows.indexOf(change!));
  expect(rows.some((r) => r.type === 'flatten.all')).to.equal(true);
}

describe('automatic kill switch through the engine', () => {
  it('a plugin that keeps throwing halts trading on the error that crosses the limit, flattening the position', async () => {
    const { journal, broker } = await runWith(holder(20), [], { killSwitch: { pluginErrors: { count: 5, windowMs: 60_000 } } });
    expectHaltOn(journal.all(), 'plugin.error', 5, 'RISK.PLUGIN_FAILING');
    expect(broker.submitted.some((o) => o.type === 'market' && o.side === 'sell' && o.quantity === 100)).to.equal(true);
    expect(broker.cancels.length).to.be.greaterThan(0);
  });

  it('repeated broker rejects halt on the third reject within the window', async () => {
    const { journal } = await runWith(holder(), [], {
      onBroker: (broker, clock) => {
        for (const t of [20, 25, 30]) {
          clock.setTimer(WINDOW.start + t * S, () =>
            broker.emit('order.rejected', {
              coid: `x${t}`,
              origin: 'broker',
              code: 'ORDER.REJECTED',
              reason: 'venue says no',
              venueCode: 201,
              at: clock.now(),
            }),
          );
        }
      },
    });
    expectHaltOn(journal.all(), 'order.rejected', 3, 'RISK.REPEATED_REJECTS');
  });

  it('a reconnect loop halts on the transition that completes it', async () => {
    const { journal } = await runWith(holder(), [], {
      onBroker: (broker, clock) => {
        for (const t of [20, 30, 40]) {
          clock.setTimer(WINDOW.start + t * S, () => {
            broker.emit('connection.changed', { from: 'Connected', to: 'Reconnecting', reason: 'socket closed', at: clock.now() });
            broker.emit('connection.changed', { from: 'Reconnecting', to: 'Connected', reason: 'reconnected', at: clock.now() });
          });
        }
      },
    });
    const rows = journal.all();
    const reconnecting = rows.filter((r) => r.type === 'connection.changed' && (r.data as { to: string }).to === 'Reconnecting');
    const change = rows.find((r) => r.type === 'risk.state-changed');
    expect((change?.data as { reason: { code: string } }).reason.code).to.equal('RISK.RECONNECT_LOOP');
    expect(change!.loopSeq).to.equal(reconnecting[2]!.loopSeq);
    expect(rows.some((r) => r.type === 'flatten.order')).to.equal(true);
  });

  it('an unrealised daily loss halts on the print that marks it, not at the next fill (item 7)', async () => {
    // Short 100 at the best bid (500600) with a 10_000 commission: −10_000 at the fill, within the 20_000 limit
    // (0.002 % of 1e9); a print at 500700 marks −10_000 more, and nothing else fills until the session-end flatten.
    const { journal } = await runWith(holder(Infinity, 'sell'), [{ use: 'daily-loss', action: 'halt', params: { maxLossPct: 0.002 } }]);
    const rows = journal.all();
    const fills = rows.filter((r) => r.type === 'order.filled');
    const change = rows.find((r) => r.type === 'risk.state-changed');
    expect((change?.data as { reason: { code: string } } | undefined)?.reason.code, 'halted on daily loss').to.equal('RISK.DAILY_LOSS');
    expect(rows.indexOf(change!), 'halt before any closing fill').to.be.lessThan(rows.indexOf(fills[1]!));
    // The script prints 1 µs after each whole second and cycles its prices every 7 s.
    expect((change!.time - WINDOW.start) % S, 'on a print').to.equal(1);
    expect(change!.time, 'within one price cycle of the entry fill').to.be.lessThan(fills[0]!.time + 7 * S);
    const flatten = rows.find((r) => r.type === 'flatten.order');
    expect(flatten?.time, 'flatten on the same print').to.equal(change!.time);
  });

  it('a daily loss breach on a fill halts on that fill', async () => {
    const { journal } = await runWith(holder(), [{ use: 'daily-loss', action: 'halt', params: { maxLossPct: 0.0001 } }]);
    expectHaltOn(journal.all(), 'order.filled', 1, 'RISK.DAILY_LOSS');
  });
});

describe('the kill switch outlives a restart (same trading day, same mode; replay never carries)', () => {
  const rejectThrice = (
    broker: Parameters<NonNullable<Parameters<typeof runWith>[2]>['onBroker'] & {}>[0],
    clock: Parameters<NonNullable<Parameters<typeof runWith>[2]>['onBroker'] & {}>[1],
  ) => {
    for (const t of [20, 25, 30]) {
      clock.setTimer(WINDOW.start + t * S, () =>
        broker.emit('order.rejected', {
          coid: `x${t}`,
          origin: 'broker',
          code: 'ORDER.REJECTED',
          reason: 'venue says no',
          venueCode: 201,
          at: clock.now(),
        }),
      );
    }
  };

  it('a HALT from an earlier session today starts the next one halted: nothing routes until an operator clears it', async () => {
    const first = await runWith(holder(), [], { mode: 'sim-live', sessionId: 'morning', onBroker: rejectThrice });
    expect(first.result.riskState).to.equal('HALT');
    const again = await runWith(holder(), [], { mode: 'sim-live', sessionId: 'after-restart', journal: first.journal });
    expect(again.result.riskState).to.equal('HALT');
    const rows = await again.journal.entries('after-restart');
    const change = rows.find((r) => r.type === 'risk.state-changed');
    expect(change?.data).to.deep.include({ from: 'RUNNING', to: 'HALT', by: 'restart' });
    expect((change!.data as { reason: { code: string; message: string } }).reason.code).to.equal('RISK.CARRIED_OVER');
    expect((change!.data as { reason: { message: string } }).reason.message).to.contain('morning');
    expect(again.broker.submitted, 'no order reaches the broker').to.have.length(0);
    expect(
      rows.some((r) => r.type === 'risk.denied' || (r.kind === 'decision' && JSON.stringify(r.data).includes('RISK.HALTED'))),
    ).to.equal(true);
  });

  it('a replay starts RUNNING whatever an earlier session left (replays stay reproducible)', async () => {
    const first = await runWith(holder(), [], { mode: 'sim-live', sessionId: 'live-ish', onBroker: rejectThrice });
    expect(first.result.riskState).to.equal('HALT');
    const replay = await runWith(holder(), [], { mode: 'replay', sessionId: 'a-replay', journal: first.journal });
    expect(replay.result.riskState).to.equal('RUNNING');
    expect(replay.broker.submitted.length).to.be.greaterThan(0);
  });
});
