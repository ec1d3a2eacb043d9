import { expect } from 'chai';
import { TwsOutboundPacer, type Lane } from '../../adapters/tws/connection/outbound-pacer.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';

describe('TWS outbound pacer (lanes and spacing on the injected Clock)', () => {
  function rig(intervalMs = 30) {
    const clock = new ManualClock(0);
    const pacer = new TwsOutboundPacer(clock, { intervalMs });
    const sent: Array<{ key: string; at: number }> = [];
    const dropped: string[] = [];
    const job = (lane: Lane, key: string, size = 1) => ({
      lane,
      key,
      size,
      orderPath: true,
      send: () => {
        for (let i = 0; i < size; i++) sent.push({ key, at: clock.now() });
        return size;
      },
      drop: () => {
        dropped.push(key);
      },
    });
    const runAll = () => {
      for (let t = clock.nextTimerAt(); t !== null; t = clock.nextTimerAt()) clock.advanceTo(t);
    };
    return { clock, pacer, sent, dropped, job, runAll };
  }

  it('sends at once when idle, then one message per interval', () => {
    const { pacer, sent, job, runAll } = rig();
    for (const k of ['a', 'b', 'c']) pacer.enqueue(job('entry', k));
    expect(sent.map((s) => s.key)).to.deep.equal(['a']);
    runAll();
    expect(sent).to.deep.equal([
      { key: 'a', at: 0 },
      { key: 'b', at: 30_000 },
      { key: 'c', at: 60_000 },
    ]);
  });

  it('a cancel queued behind a burst of entries leaves in the next slot; exits before entries', () => {
    const { pacer, sent, job, runAll } = rig();
    for (let i = 0; i < 200; i++) pacer.enqueue(job('entry', `N${i}`));
    pacer.enqueue(job('exit', 'X'));
    pacer.enqueue(job('cancel', 'C'));
    runAll();
    expect(sent.slice(0, 3).map((s) => s.key)).to.deep.equal(['N0', 'C', 'X']);
    expect(sent[1]!.at).to.equal(30_000);
    expect(sent).to.have.length(202);
  });

  it('never more than 4 messages in any 100 ms, brackets (3 at once) included', () => {
    const { pacer, sent, job, runAll } = rig();
    for (let i = 0; i < 20; i++) pacer.enqueue(job(i % 3 === 0 ? 'exit' : 'entry', `j${i}`, i % 2 === 0 ? 3 : 1));
    runAll();
    const times = sent.map((s) => s.at);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 100_000).length, `window at ${t}`).to.be.at.most(4);
  });

  it('drops only matching jobs, leaves no timer behind; a job that sends nothing uses no slot', () => {
    const { clock, pacer, sent, dropped, job } = rig();
    pacer.enqueue(job('entry', 'a'));
    pacer.enqueue(job('entry', 'b'));
    pacer.enqueue({ ...job('exit', 'q'), orderPath: false });
    pacer.dropWhere((j) => j.orderPath === true, 'link lost');
    expect(dropped).to.deep.equal(['b']);
    expect(pacer.queued).to.equal(1);
    pacer.dispose();
    expect(dropped).to.deep.equal(['b', 'q']);
    expect(clock.pendingTimers()).to.equal(0);
    const r = rig();
    r.pacer.enqueue({ ...r.job('entry', 'gone'), send: () => 0 });
    r.pacer.enqueue(r.job('entry', 'next'));
    expect(r.sent).to.deep.equal([{ key: 'next', at: 0 }]);
    expect(sent.map((s) => s.key)).to.deep.equal(['a']);
  });

  it('a pacing violation doubles the spacing for a while, then it returns to normal', () => {
    const { clock, pacer, sent, job, runAll } = rig();
    pacer.backoff(1_000);
    for (const k of ['a', 'b']) pacer.enqueue(job('entry', k));
    runAll();
    expect(sent[1]!.at - sent[0]!.at).to.equal(60_000);
    clock.advanceTo(2_000_000);
    for (const k of ['c', 'd']) pacer.enqueue(job('entry', k));
    runAll();
    expect(sent[3]!.at - sent[2]!.at).to.equal(30_000);
  });
});
