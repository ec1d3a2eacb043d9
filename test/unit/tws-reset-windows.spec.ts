import { expect } from 'chai';
import { DateTime } from 'luxon';
import { DEFAULT_RESET_WINDOWS, inResetWindow, type ResetWindow } from '../../adapters/tws/connection/reset-windows.js';

const utc = (iso: string): number => DateTime.fromISO(iso, { zone: 'utc' }).toMillis() * 1000;
const ny = (iso: string): number => DateTime.fromISO(iso, { zone: 'America/New_York' }).toMillis() * 1000;
const NIGHTLY: ResetWindow[] = [{ start: '23:30', end: '01:00', label: 'nightly' }];
const inside = (t: number, w: readonly ResetWindow[] = NIGHTLY): boolean => inResetWindow(t, w) !== null;

describe('inResetWindow: IB reset windows in New York time', () => {
  it('a window that wraps midnight: start inclusive, end exclusive, on a plain winter day', () => {
    expect(inside(ny('2026-01-14T23:29:59'))).to.equal(false);
    expect(inside(ny('2026-01-14T23:30'))).to.equal(true);
    expect(inside(ny('2026-01-15T00:59:59'))).to.equal(true);
    expect(inside(ny('2026-01-15T01:00'))).to.equal(false);
    expect(inside(ny('2026-01-15T12:00'))).to.equal(false);
    const hit = inResetWindow(ny('2026-01-15T00:10'), NIGHTLY)!;
    expect(hit.startsAt).to.equal(ny('2026-01-14T23:30'));
    expect(hit.endsAt).to.equal(ny('2026-01-15T01:00'));
  });

  it('follows New York across the March DST change (a fixed UTC−5 offset would be an hour off after it)', () => {
    // Sat 7 Mar 2026 23:45 EST = 04:45Z; DST starts Sun 8 Mar 02:00 EST → 03:00 EDT.
    expect(inside(utc('2026-03-08T04:45'))).to.equal(true);
    expect(inside(utc('2026-03-08T05:59'))).to.equal(true); // 00:59 EST
    expect(inside(utc('2026-03-08T06:00'))).to.equal(false); // 01:00 EST
    // Sun 8 Mar 23:45 EDT = 03:45Z Mon: inside (UTC−5 would read 22:45, outside).
    expect(inside(utc('2026-03-09T03:45'))).to.equal(true);
    // 05:15Z Mon = 01:15 EDT: outside (UTC−5 would read 00:15, inside).
    expect(inside(utc('2026-03-09T05:15'))).to.equal(false);
    expect(inResetWindow(utc('2026-03-09T04:00'), NIGHTLY)!.endsAt).to.equal(utc('2026-03-09T05:00'));
  });

  it('follows New York across the November DST change', () => {
    // Sat 31 Oct 2026 23:45 EDT = 03:45Z Sun 1 Nov; DST ends Sun 1 Nov 02:00 EDT → 01:00 EST.
    expect(inside(utc('2026-11-01T03:45'))).to.equal(true);
    expect(inside(utc('2026-11-01T04:30'))).to.equal(true); // 00:30 EDT
    expect(inside(utc('2026-11-01T06:30'))).to.equal(false); // 01:30 EST, after the end either way
    // Sun 1 Nov 23:15 EST = 04:15Z Mon: outside (UTC−4 would read 00:15, inside).
    expect(inside(utc('2026-11-02T04:15'))).to.equal(false);
    expect(inside(utc('2026-11-02T04:35'))).to.equal(true); // 23:35 EST
    expect(inResetWindow(utc('2026-11-02T05:00'), NIGHTLY)!.endsAt).to.equal(utc('2026-11-02T06:00'));
  });

  it('the default weekend window runs Friday 22:45 to Sunday 02:00, in both DST regimes', () => {
    const label = (t: number): string | null => inResetWindow(t, DEFAULT_RESET_WINDOWS)?.window.label ?? null;
    expect(label(ny('2026-01-16T22:44'))).to.equal(null); // Friday
    expect(label(ny('2026-01-16T22:45'))).to.equal('weekend');
    expect(label(ny('2026-01-17T12:00'))).to.equal('weekend'); // Saturday noon
    expect(label(ny('2026-01-18T00:30'))).to.equal('daily North America reset'); // overlaps: the first listed wins
    expect(label(ny('2026-01-18T01:59'))).to.equal('weekend');
    expect(label(ny('2026-01-18T02:00'))).to.equal(null); // Sunday 02:00
    expect(label(ny('2026-07-18T15:00'))).to.equal('weekend'); // a summer Saturday
    expect(label(ny('2026-07-15T15:00'))).to.equal(null); // a summer Wednesday
    expect(inResetWindow(ny('2026-07-18T15:00'), DEFAULT_RESET_WINDOWS)!.endsAt).to.equal(ny('2026-07-19T02:00'));
  });

  it('honours start weekdays and other zones', () => {
    const satToThu: ResetWindow[] = [{ days: [6, 7, 1, 2, 3, 4], start: '23:45', end: '00:45' }];
    expect(inside(ny('2026-01-15T23:50'), satToThu)).to.equal(true); // Thursday night
    expect(inside(ny('2026-01-16T23:50'), satToThu)).to.equal(false); // Friday night: no window
    expect(inside(ny('2026-01-17T00:30'), satToThu)).to.equal(false); // started Friday: not a window
    const zurich: ResetWindow[] = [{ start: '05:30', end: '07:00', timeZone: 'Europe/Zurich' }];
    expect(inside(utc('2026-01-15T04:45'), zurich)).to.equal(true); // 05:45 CET
    expect(inside(utc('2026-07-15T04:45'), zurich)).to.equal(true); // 06:45 CEST
    expect(inside(utc('2026-07-15T05:15'), zurich)).to.equal(false); // 07:15 CEST
  });

  it('no windows, no hit', () => {
    expect(inResetWindow(ny('2026-01-14T23:45'), [])).to.equal(null);
  });
});
