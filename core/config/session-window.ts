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
