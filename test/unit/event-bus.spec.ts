import { expect } from 'chai';
import { EventBus } from '../../core/events/event-bus.js';
import { EventLoop } from '../../core/engine/event-loop.js';

describe('EventBus', () => {
  it('isolates a throwing listener: later listeners still run and plugin.error names the owner', () => {
    const bus = new EventBus(() => 7);
    const errors: { pluginId: string; event: string; message: string }[] = [];
    const seen: string[] = [];
    bus.on('plugin.error', (e) => errors.push(e));
    bus.on(
      'session.started',
      () => {
        throw new Error('boom');
      },
      'bad-plugin',
    );
    bus.on('session.started', (e) => seen.push(e.sessionId), 'good-plugin');
    bus.emit('session.started', { sessionId: 's1', mode: 'replay', at: 0 });
    expect(seen).to.deep.equal(['s1']);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ pluginId: 'bad-plugin', event: 'session.started', message: 'boom' });
  });

  it('returns idempotent disposers', () => {
    const bus = new EventBus();
    let n = 0;
    const off = bus.on('session.ended', () => {
      n++;
    });
    off();
    off();
    bus.emit('session.ended', { sessionId: 's', status: 'completed', at: 0 });
    expect(n).to.equal(0);
  });

  it('does not recurse when a plugin.error listener throws', () => {
    const bus = new EventBus();
    bus.on(
      'plugin.error',
      () => {
        throw new Error('again');
      },
      'p',
    );
    bus.on(
      'session.started',
      () => {
        throw new Error('first');
      },
      'q',
    );
    expect(() => bus.emit('session.started', { sessionId: 's', mode: 'replay', at: 0 })).to.not.throw();
  });
});

describe('EventLoop', () => {
  it('queues inputs posted while handling another and runs them after, in order, each with its own sequence', () => {
    const loop = new EventLoop();
    const log: string[] = [];
    loop.post(() => {
      log.push(`a${loop.seq}`);
      loop.post(() => log.push(`c${loop.seq}`));
      loop.post(() => log.push(`d${loop.seq}`));
      log.push(`b${loop.seq}`);
    });
    expect(log).to.deep.equal(['a1', 'b1', 'c2', 'd3']);
    expect(loop.busy).to.equal(false);
  });

  it('keeps going after a task throws', () => {
    const loop = new EventLoop();
    expect(() =>
      loop.post(() => {
        throw new Error('x');
      }),
    ).to.throw('x');
    const log: number[] = [];
    loop.post(() => log.push(loop.seq));
    expect(log).to.deep.equal([2]);
  });
});
