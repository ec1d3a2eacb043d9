import { expect } from 'chai';
import { QUOTE_FLAG_CROSSED, QUOTE_FLAG_LOCKED, QUOTE_FLAG_MISSING_ASK, QUOTE_FLAG_MISSING_BID } from '../../core/domain/market.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { TwsQuoteBuilder } from '../../adapters/tws/market-data/quote-builder.js';
import { StaleWatch as TwsStaleWatch } from '../../core/engine/stale-watch.js';

describe('TWS feed parts', () => {
  describe('quote builder', () => {
    it('commits one quote per turn, flags missing, crossed and locked sides, and drops a malformed turn whole', () => {
      const q = new TwsQuoteBuilder('XYZ');
      const turn = (ticks: [boolean, number, unknown][]): string => {
        for (const [price, field, v] of ticks)
          if (price) q.price(field, v, 1);
          else q.size(field, v, 1);
        return q.flush();
      };
      expect(
        turn([
          [true, 1, 12.34],
          [false, 0, 500],
          [true, 2, 12.35],
          [false, 3, 300],
        ]),
      ).to.equal('emit');
      expect([q.out.bid, q.out.bidSize, q.out.ask, q.out.askSize, q.out.flags]).to.deep.equal([123400, 500, 123500, 300, 0]);
      expect(
        turn([
          [true, 1, -1],
          [false, 0, 500],
        ]),
      ).to.equal('emit');
      expect([q.out.bid, q.out.bidSize, q.out.flags]).to.deep.equal([0, 0, QUOTE_FLAG_MISSING_BID]);
      expect(
        turn([
          [true, 1, 12.36],
          [true, 2, 0],
        ]),
      ).to.equal('emit');
      expect(q.out.flags).to.equal(QUOTE_FLAG_MISSING_ASK);
      expect(
        turn([
          [true, 2, 12.35],
          [false, 3, 300],
        ]),
      ).to.equal('emit');
      expect(q.out.flags).to.equal(QUOTE_FLAG_CROSSED);
      expect(turn([[true, 2, 12.36]])).to.equal('emit');
      expect(q.out.flags).to.equal(QUOTE_FLAG_LOCKED);
      expect(
        turn([
          [true, 1, 12.3],
          [false, 0, -200],
          [true, 2, 12.4],
        ]),
      ).to.equal('malformed');
      expect(q.lastBad).to.equal('bid size -200');
      expect([q.bid, q.ask], 'the last good quote stands').to.deep.equal([123600, 123600]);
      expect(turn([[true, 1, Number.NaN]])).to.equal('malformed');
      expect(
        turn([
          [true, 4, 12.35],
          [false, 5, 100],
        ]),
        'last price and size are not quote ticks',
      ).to.equal('none');
    });

    it('a repeated price inside one read starts the next quote; a repeated size does not', () => {
      const q = new TwsQuoteBuilder('XYZ');
      q.price(1, 12.34, 1);
      q.size(0, 500, 1);
      expect(q.repeats(0), 'IB follows every tickPrice with a duplicate tickSize').to.equal(false);
      expect(q.repeats(2)).to.equal(false);
      expect(q.repeats(1)).to.equal(true);
    });
  });

  describe('stale watch', () => {
    it('stale after T_stale of silence, resubscribe once, escalate when the new request stays silent, then wait for data', () => {
      const clock = new ManualClock(0);
      const calls: [number, boolean][] = [];
      let watch: TwsStaleWatch;
      const host = {
        stale: (silentFor: number, escalated: boolean): boolean => {
          calls.push([silentFor, escalated]);
          if (!escalated) watch.start();
          return !escalated;
        },
      };
      watch = new TwsStaleWatch(clock, 5_000_000, host, 'spec');
      watch.start();
      clock.advanceTo(3_000_000);
      expect(watch.touch(3_000_000)).to.equal(false);
      clock.advanceTo(8_000_000);
      expect(calls).to.deep.equal([[5_000_000, false]]);
      expect(watch.touch(8_000_000), 'the snapshot after the resubscribe').to.equal(true);
      clock.advanceTo(13_000_000);
      expect(calls).to.deep.equal([
        [5_000_000, false],
        [5_000_000, true],
      ]);
      expect(clock.nextTimerAt(), 'no loop after escalating').to.equal(null);
      expect(watch.touch(20_000_000)).to.equal(true);
      watch.cancel();
      expect(clock.nextTimerAt()).to.equal(null);
    });
  });
});
