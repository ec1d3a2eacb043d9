import { expect } from 'chai';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { sessionAround, sessionWindow } from '../../core/config/session-window.js';

const ny = (iso: string): number => DateTime.fromISO(iso, { zone: 'America/New_York' }).toMillis();

/**
 * Wall-clock sessions (paper smoke runs, the drills) take their window from sessionAround. CI once ran at 23:22 New
 * York time, the windows wrapped midnight, and every such test failed at config; these pin the hour it must survive.
 */
describe('sessionAround: a wall-clock session window that never wraps midnight', () => {
  it('is written in New York while the window fits in its day', () => {
    expect(sessionAround(ny('2026-12-04T14:05:30'), 2, 90)).to.deep.equal({
      date: '2026-12-04',
      timeZone: 'America/New_York',
      start: '14:03',
      end: '15:35',
    });
  });

  it("moves to UTC in New York's last hours, in both DST regimes, and names the same instants", () => {
    const winter = sessionAround(ny('2026-12-05T23:22:10'), 2, 90);
    expect(winter).to.deep.equal({ date: '2026-12-06', timeZone: 'UTC', start: '04:20', end: '05:52' });
    const summer = sessionAround(ny('2026-07-01T23:58:00'), 1, 5);
    expect(summer).to.deep.equal({ date: '2026-07-02', timeZone: 'UTC', start: '03:57', end: '04:03' });
    const w = sessionWindow(winter.date, winter.timeZone, winter.start, winter.end);
    expect(w.start / 1000).to.equal(ny('2026-12-05T23:20:00'));
    expect(w.end / 1000).to.equal(ny('2026-12-06T00:52:00'));
  });

  it('refuses, with a config error, a window no zone holds within one day', () => {
    expect(() => sessionAround(ny('2026-12-05T23:22:10'), 2, 90, ['America/New_York'])).to.throw(/no zone of America\/New_York/);
  });

  it('(property) any instant: sessionWindow accepts the fields and the window holds the instant', () => {
    const from = Date.UTC(2020, 0, 1);
    const to = Date.UTC(2030, 0, 1);
    fc.assert(
      fc.property(
        fc.integer({ min: from, max: to }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 120 }),
        (at, before, after) => {
          const f = sessionAround(at, before, after);
          const w = sessionWindow(f.date, f.timeZone, f.start, f.end);
          expect(w.start).to.be.at.most(at * 1000);
          expect(w.end).to.be.above(at * 1000);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
