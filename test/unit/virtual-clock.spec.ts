import { expect } from 'chai';
import { ManualClock } from '../../core/engine/virtual-clock.js';

describe('ManualClock', () => {
  it('fires timers in (time, set-order) and never before their time', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push('b'));
    clock.setTimer(200, () => fired.push('a'));
    clock.setTimer(300, () => fired.push('c'));
    clock.advanceTo(250);
    expect(fired).to.deep.equal(['a']);
    expect(clock.now()).to.equal(250);
    clock.advanceTo(300);
    expect(fired).to.deep.equal(['a', 'b', 'c']);
  });

  it('does not fire a cancelled timer and never moves backwards', () => {
    const clock = new ManualClock(0);
    let fired = false;
    const handle = clock.setTimeout(10, () => {
      fired = true;
    });
    clock.cancelTimer(handle);
    clock.cancelTimer(handle);
    clock.advanceTo(20);
    clock.advanceTo(5);
    expect(fired).to.equal(false);
    expect(clock.now()).to.equal(20);
    expect(clock.nextTimerAt()).to.equal(null);
  });

  it('fires timers set by a callback within the same advance when due', () => {
    const clock = new ManualClock(0);
    const order: number[] = [];
    clock.setTimer(10, () => {
      order.push(clock.now());
      clock.setTimeout(5, () => order.push(clock.now()));
    });
    clock.advanceTo(100);
    expect(order).to.deep.equal([10, 15]);
  });
});
