import { expect } from 'chai';
import type { JournalEntry } from '../../ports/journal.js';
import type { Strategy } from '../../ports/strategy.js';
import { openCheckpoint, type CheckpointBody } from '../../core/engine/checkpoint-codec.js';
import { runWith, S, WINDOW } from '../support/engine-harness.js';

/** Enters once at 10 s with a bracket, and closes at 20 s: one round trip per session. */
function roundTrip() {
  return (ctx: Parameters<Parameters<typeof runWith>[0]>[0]): Strategy => {
    let state: 'flat' | 'sent' | 'closed' = 'flat';
    return {
      id: ctx.strategyId,
      subscriptions: () => [{ symbol: 'TST', streams: ['depth', 'tape'] }],
      onBook: (book) => {
        const now = ctx.clock.now();
        if (state === 'flat' && now >= WINDOW.start + 10 * S) {
          if (
            ctx.submit({
              symbol: 'TST',
              kind: 'entry',
              side: 'buy',
              type: 'limit',
              quantity: 100,
              limitPrice: book.bestAsk,
              stopLoss: book.bestBid - 2000,
              takeProfit: book.bestAsk + 5000,
              reason: 'probe',
            }).status === 'sent'
          )
            state = 'sent';
        } else if (state === 'sent' && now >= WINDOW.start + 20 * S && (ctx.position('TST')?.quantity ?? 0) > 0) {
          ctx.close('TST', 'stop');
          state = 'closed';
        }
      },
    };
  };
}

const checkpoints = (rows: readonly JournalEntry[]): CheckpointBody[] =>
  rows
    .filter((r) => r.kind === 'checkpoint')
    .map((r) => {
      const v = openCheckpoint(r.data);
      if (!v.ok) throw new Error(v.reason);
      return v.body;
    });

describe('runtime checkpoints through the engine (sim-live; replays never carry state)', () => {
  it('writes checkpoints with schema version and sha256; a restart continues the day: trades, losses, cooldown, ids', async () => {
    const first = await runWith(roundTrip(), [], { mode: 'sim-live', sessionId: 'one' });
    const own = checkpoints(await first.journal.entries('one'));
    expect(own.length).to.be.greaterThan(3);
    const last = own[own.length - 1]!;
    expect(last.schemaVersion).to.equal(1);
    expect(last.tracker.closedToday).to.equal(1);
    expect(last.tracker.stopOuts.map(([s]) => s)).to.deep.equal(['TST']); // the cooldown-after-stop deadline's source
    const second = await runWith(roundTrip(), [], { mode: 'sim-live', sessionId: 'two', journal: first.journal });
    const rows = await second.journal.entries('two');
    const restored = rows.find((r) => r.type === 'session.restored')!.data as {
      from: { sessionId: string };
      tradesToday: number;
      realized: number;
    };
    expect(restored.from.sessionId).to.equal('one');
    expect(restored.tradesToday).to.equal(1);
    const end = checkpoints(rows).pop()!;
    expect(end.tracker.closedToday, 'trades of the day, both sessions').to.equal(2);
    expect(end.tracker.tradesToday).to.equal(2);
    expect(end.ledger.realized).to.equal(last.ledger.realized * 2);
    // Client order ids continue after the first session's: never reused for the day.
    const coids = (await second.journal.entries('two', { kind: 'order' })).filter((r) => r.type === 'order.requested').map((r) => r.coid!);
    expect(coids[0]).to.match(/-i3\.p$/);
    expect(second.broker.submitted.map((o) => o.coid)).to.not.include.members(first.broker.submitted.map((o) => o.coid));
  });

  it('a corrupt checkpoint is quarantined (kept, named, never loaded) and the previous valid one is used', async () => {
    const first = await runWith(roundTrip(), [], { mode: 'sim-live', sessionId: 'one' });
    const list = first.journal.rows.get('one')!;
    const cps = list.filter((r) => r.kind === 'checkpoint');
    const newest = cps[cps.length - 1]!;
    const tampered: JournalEntry = { ...newest, data: { ...newest.data, tracker: { ...(newest.data.tracker as object), closedToday: 0 } } };
    list[list.indexOf(newest)] = tampered;
    const second = await runWith(roundTrip(), [], { mode: 'sim-live', sessionId: 'two', journal: first.journal });
    const rows = await second.journal.entries('two');
    const q = rows.filter((r) => r.type === 'checkpoint.quarantined').map((r) => r.data);
    expect(q).to.deep.equal([{ sessionId: 'one', seq: newest.data.seq, reason: q[0]!.reason }]);
    expect(String(q[0]!.reason)).to.match(/sha256 mismatch/);
    expect(first.journal.rows.get('one')).to.include(tampered); // kept
    const restored = rows.find((r) => r.type === 'session.restored')!.data as {
      from: { seq: number };
      tradesToday: number;
      replayedRows: number;
    };
    expect(restored.from.seq).to.equal(Number(newest.data.seq) - 1);
    expect(restored.replayedRows).to.be.greaterThan(0);
    expect(restored.tradesToday, 'the rows after the previous checkpoint are replayed').to.equal(1);
  });

  it('a carried HALT survives a restarted session that crashed before it wrote a row, and keeps its root reason', async () => {
    const first = await runWith(roundTrip(), [], {
      mode: 'sim-live',
      sessionId: 'one',
      onBroker: (broker, clock) => {
        for (const t of [30, 31, 32])
          clock.setTimer(WINDOW.start + t * S, () =>
            broker.emit('order.rejected', {
              coid: `x${t}`,
              origin: 'broker',
              code: 'ORDER.REJECTED',
              reason: 'no',
              venueCode: 201,
              at: clock.now(),
            }),
          );
      },
    });
    expect(first.result.riskState).to.equal('HALT');
    // Session "two" started, then died before its first commit: a session row and nothing else, still 'running'.
    await first.journal.openSession({
      sessionId: 'two',
      mode: 'sim-live',
      strategy: 'probe',
      learner: 'none',
      seed: 1,
      config: {},
      startedAt: WINDOW.start + 60 * S,
      wallStartedAt: 'y',
    });
    const third = await runWith(roundTrip(), [], { mode: 'sim-live', sessionId: 'three', journal: first.journal });
    expect(third.result.riskState).to.equal('HALT');
    const rows = await third.journal.entries('three');
    // 'one' ended in order (halted)
    expect(rows.filter((r) => r.type === 'session.crashed').map((r) => r.data.sessionId)).to.deep.equal(['two']);
    const change = rows.find((r) => r.type === 'risk.state-changed')!.data as { reason: { code: string; message: string } };
    expect(change.reason.code).to.equal('RISK.CARRIED_OVER');
    expect(change.reason.message).to.contain('session one').and.to.contain('RISK.REPEATED_REJECTS');
    expect(third.broker.submitted).to.deep.equal([]);
  });

  it('a position at the broker that no trade covers is adopted (ledger, exposure) and, unprotected, closed before trading', async () => {
    const run = await runWith(roundTrip(), [], {
      mode: 'sim-live',
      sessionId: 'solo',
      onBroker: (broker) => {
        broker.positions = () => [{ symbol: 'TST', quantity: 50, averagePrice: 500_000, realizedPnl: 0 }];
      },
    });
    const rows = await run.journal.entries('solo');
    const adopted = rows.find((r) => r.type === 'position.adopted')!;
    expect(adopted.data).to.deep.include({ symbol: 'TST', quantity: 50, averagePrice: 500_000, ledgerDelta: 50, strategyId: 'probe' });
    const flatten = rows.find((r) => r.type === 'flatten.order')!;
    expect(flatten.data).to.deep.include({ side: 'sell', quantity: 50 });
    expect(String(flatten.data.reason)).to.match(/inherited position without a working stop/);
    const ready = rows.findIndex((r) => r.type === 'session.ready');
    expect(
      rows.findIndex((r) => r.type === 'risk.approved'),
      'no intent before restore + reconciliation',
    ).to.be.greaterThan(ready);
    expect(run.broker.submitted[0]).to.deep.include({ side: 'sell', quantity: 50, type: 'market' });
  });

  it('replay writes no checkpoint and restores nothing', async () => {
    const first = await runWith(roundTrip(), [], { mode: 'sim-live', sessionId: 'one' });
    const replay = await runWith(roundTrip(), [], { mode: 'replay', sessionId: 'r', journal: first.journal });
    const rows = await replay.journal.entries('r');
    expect(rows.filter((r) => r.kind === 'checkpoint' || r.type.startsWith('session.'))).to.deep.equal([]);
  });
});
