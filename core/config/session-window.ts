import { DateTime } from 'luxon';
import { ConfigError } from '../errors/harvester-error.js';
import type { Micros } from '../domain/units.js';

/** The session window in Clock time, computed in the exchange's zone by luxon (DST included), never a fixed offset. */
export function sessionWindow(date: string, timeZone: string, start: string, end: string): { start: Micros; end: Micros } {
  const at = (hhmm: string): Micros => {
    const dt = DateTime.fromISO(`${date}T${hhmm}`, { zone: timeZone });
    if (!dt.isValid)
      throw new ConfigError(
        'CONFIG.INVALID',
        `session: ${date} ${hhmm} in ${timeZone} is not a valid time (${dt.invalidExplanation ?? dt.invalidReason})`,
        'session',
      );
    return dt.toMillis() * 1000;
  };
  const window = { start: at(start), end: at(end) };
  if (window.end <= window.start)
    throw new ConfigError('CONFIG.INVALID', `session.end (${end}) must be after session.start (${start})`, 'session.end');
  return window;
}

/** A session's wall-time fields, as `session` in harvester.config.ts takes them. */
export interface SessionFields {
  date: string;
  timeZone: string;
  start: string;
  end: string;
}

/**
 * The session fields of a window from `beforeMinutes` before `atMillis` to `afterMinutes` after it, for sessions that
 * run on the wall clock at whatever hour they are started (paper smoke runs, drills, the tick-to-order bench). A window
 * never wraps midnight (sessionWindow refuses that, as an intraday day must), so the window is written in the first
 * zone of `zones` where it falls within one calendar day: New York most of the day, UTC in New York's last hours.
 * Pure: the instant is an argument, never read here.
 */
export function sessionAround(
  atMillis: number,
  beforeMinutes: number,
  afterMinutes: number,
  zones: readonly string[] = ['America/New_York', 'UTC'],
): SessionFields {
  for (const timeZone of zones) {
    const now = DateTime.fromMillis(atMillis, { zone: timeZone });
    const from = now.minus({ minutes: beforeMinutes });
    const to = now.plus({ minutes: afterMinutes });
    const start = from.toFormat('HH:mm');
    const end = to.toFormat('HH:mm');
    if (from.toISODate() === to.toISODate() && end > start) return { date: from.toISODate()!, timeZone, start, end };
  }
  throw new ConfigError(
    'CONFIG.INVALID',
    `session: no zone of ${zones.join(', ')} holds ${beforeMinutes} min before and ${afterMinutes} min after the given instant within one day`,
    'session',
  );
}
