import { expect } from 'chai';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { HarvesterError } from '../../core/errors/harvester-error.js';
import { requestEffect, ruleFor } from '../../adapters/tws/errors/error-table.js';
import { TwsErrorPolicy } from '../../adapters/tws/errors/error-policy.js';
import { TwsRequestRegistry } from '../../adapters/tws/connection/request-registry.js';
import { TwsTimers } from '../../adapters/tws/connection/timers.js';

async function rejection(p: Promise<unknown>): Promise<HarvesterError> {
  try {
    await p;
  } catch (e) {
    return e as HarvesterError;
  }
  throw new Error('expected a rejection');
}

describe('TWS request registry', () => {
  let timers: TwsTimers;
  let clock: ManualClock;
  let reg: TwsRequestRegistry;
  beforeEach(() => {
    clock = new ManualClock(1_000_000);
    timers = new TwsTimers(clock);
    reg = new TwsRequestRegistry(clock, timers);
  });
  afterEach(() => timers.dispose());

  it('registers id, type, origin, deadline and status; completes by id or, for id-less requests, by type', async () => {
    const sent: number[] = [];
    const a = reg.call<string>({ id: 7, type: 'executions', origin: 'reconcile', deadlineMs: 1_000, send: (id) => sent.push(id) });
    const b = reg.call<null>({ type: 'open-orders', origin: 'reconcile', deadlineMs: 1_000, send: () => sent.push(-1) });
    expect(reg.entries().map((e) => [e.id >= 0 ? e.id : 'local', e.type, e.origin, e.deadlineMs, e.status])).to.deep.equal([
      [7, 'executions', 'reconcile', 1_000, 'pending'],
      ['local', 'open-orders', 'reconcile', 1_000, 'pending'],
    ]);
    expect(sent).to.deep.equal([7, -1]);
    expect(reg.complete(7, 'done')).to.equal(true);
    expect(reg.completeType('open-orders')).to.equal(true);
    expect(await a).to.equal('done');
    expect(await b).to.equal(undefined);
    expect(reg.entries()).to.deep.equal([]);
  });

  it('a deadline rejects with BROKER.REQUEST_TIMEOUT (unknown, never empty)', async () => {
    const pending = reg.call({ id: 8, type: 'positions', origin: 'reconcile', deadlineMs: 10, send: () => {} });
    clock.advanceTo(clock.now() + 10_000); // the deadline is on the injected Clock
    const e = await rejection(pending);
    expect(e).to.be.instanceOf(HarvesterError);
    expect(e.code).to.equal('BROKER.REQUEST_TIMEOUT');
    expect(e.details).to.include({ reqId: 8, type: 'positions', origin: 'reconcile' });
  });

  it('routes an IB error by id: fail with the table\'s code, retry pacing after backoff, resolve "no data" empty', async () => {
    const failed = reg.call({ id: 9, type: 'market-data', origin: 'feed', deadlineMs: 1_000, send: () => {} });
    expect(reg.route(9, 354, 'Requested market data is not subscribed.')).to.equal('request');
    const e = await rejection(failed);
    expect(e.code).to.equal('FEED.NOT_ENTITLED');
    expect(e.details).to.include({ ibCode: 354 });

    let sends = 0;
    const paced = reg.call({
      id: 10,
      type: 'historical',
      origin: 'test',
      deadlineMs: 1_000,
      retries: 1,
      retryDelayMs: 5,
      send: () => {
        sends++;
      },
    });
    reg.route(10, 162, 'Historical Market Data Service error message:Historical data request pacing violation');
    clock.advanceTo(clock.now() + 5_000); // the retry backoff is on the injected Clock
    expect(sends).to.equal(2);
    reg.route(10, 162, 'Historical Market Data Service error message:Historical data request pacing violation');
    expect((await rejection(paced)).code).to.equal('RISK.PACING');

    const empty = reg.call({ id: 11, type: 'historical', origin: 'test', deadlineMs: 1_000, send: () => {} });
    reg.route(11, 162, 'Historical Market Data Service error message:HMDS query returned no data: AAPL@SMART Trades');
    expect(await empty).to.equal(null);
  });

  it('a warning on a request keeps it pending; a stream hands its errors to its owner', async () => {
    const p = reg.call({ id: 12, type: 'market-data', origin: 'feed', deadlineMs: 1_000, send: () => {} });
    reg.route(12, 10197, 'No market data during competing live session');
    expect(reg.entries().map((e) => e.status)).to.deep.equal(['pending']);
    reg.complete(12);
    await p;
    const seen: number[] = [];
    reg.stream({ id: 13, type: 'market-depth', origin: 'feed AAPL:depth', onError: (code) => seen.push(code) });
    expect(reg.route(13, 354, 'x')).to.equal('request');
    expect(seen).to.deep.equal([354]);
  });

  it('late errors for ended requests are absorbed for 60 s, then unknown', async () => {
    reg.stream({
      id: 14,
      type: 'market-data',
      origin: 'feed',
      onError: () => {
        throw new Error('ended stream must not be called');
      },
    });
    reg.endStream(14);
    expect(reg.route(14, 300, "Can't find EId with tickerId:14")).to.equal('late');
    const done = reg.call({ id: 15, type: 'executions', origin: 'x', deadlineMs: 1_000, send: () => {} });
    reg.complete(15);
    await done;
    expect(reg.route(15, 366, 'No historical data query found')).to.equal('late');
    clock.advanceTo(1_000_000 + 61_000_000);
    expect(reg.route(15, 366, 'late')).to.equal('none');
    expect(reg.route(999, 201, 'order id, not a request')).to.equal('none');
    expect(reg.route(-1, 2104, 'system')).to.equal('none');
  });

  it('failAll releases every waiter at once with the given code', async () => {
    const a = reg.call({ id: 16, type: 'executions', origin: 'x', deadlineMs: 60_000, send: () => {} });
    const b = reg.call({ type: 'current-time', origin: 'heartbeat', deadlineMs: 60_000, send: () => {} });
    reg.failAll('BROKER.NOT_CONNECTED', 'socket closed');
    expect((await rejection(a)).code).to.equal('BROKER.NOT_CONNECTED');
    expect((await rejection(b)).code).to.equal('BROKER.NOT_CONNECTED');
    expect(timers.pending).to.equal(0);
  });
});

describe('TWS error table and policy', () => {
  it('classifies codes into ignore / warn / retry / invalidate-order / hard-fail / connectivity', () => {
    expect(ruleFor(2104).action).to.equal('ignore');
    expect(ruleFor(2103).action).to.equal('warn');
    expect(ruleFor(162).action).to.equal('retry');
    expect(ruleFor(502).action).to.equal('retry'); // every refused reconnect attempt: never fatal
    expect(ruleFor(201).action).to.equal('invalidate-order');
    expect(ruleFor(100)).to.include({ action: 'hard-fail', severity: 'fatal' });
    expect(ruleFor(503)).to.include({ action: 'hard-fail', severity: 'fatal', halt: true });
    expect(ruleFor(1100).action).to.equal('connectivity');
    expect(ruleFor(2199).action).to.equal('warn');
    expect(requestEffect(162, 'query cancelled')).to.equal('keep');
    expect(requestEffect(162, 'some other HMDS failure')).to.equal('fail');
  });

  it('folds repeated warnings of one code per window, reports how many, and never folds errors or fatals', () => {
    const clock = new ManualClock(0);
    const out: Array<{ code: number; message: string; severity: string }> = [];
    const policy = new TwsErrorPolicy(
      ((name: string, p: { code: number; message: string; severity: string }) => {
        if (name === 'broker.error') out.push(p);
      }) as never,
      () => clock.now(),
    );
    for (let i = 0; i < 15; i++) policy.report(10197, 7, 'No market data during competing live session', 'Connected');
    expect(out.map((e) => e.code)).to.deep.equal([10197]);
    clock.advanceTo(16 * 60 * 1_000_000);
    policy.report(10197, 7, 'No market data during competing live session', 'Connected');
    expect(out).to.have.length(2);
    expect(out[1]!.message).to.match(/14 repeats folded/);
    for (let i = 0; i < 3; i++) policy.report(354, 8, 'not subscribed', 'Connected');
    for (let i = 0; i < 2; i++) policy.report(100, -1, 'Max rate of messages per second has been exceeded', 'Connected');
    expect(out.filter((e) => e.code === 354)).to.have.length(3);
    expect(out.filter((e) => e.code === 100).map((e) => e.severity)).to.deep.equal(['fatal', 'fatal']);
    expect(policy.report(2104, -1, 'farm ok', 'Connected')).to.equal(false);
  });
});
