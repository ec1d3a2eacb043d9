import { DateTime, IANAZone } from 'luxon';
import type { Micros } from '../../core/domain/units.js';

export interface WallWindow {
  /** 'HH:MM' exchange-local. */
  start: string;
  end: string;
}

/**
 * Trading windows in exchange-local time (e.g. 09:30–11:15 New York), tested against Clock time in µs.
 *
 * Invariants: the zone's UTC offset on the given day comes from luxon's tz database (DST handled there, never a
 * fixed offset); a window is half-open [start, end). Windows are recomputed once per exchange-local day and cached,
 * so `contains` allocates nothing between day changes.
 */
export class SessionWindows {
  private dayStart: Micros = 1;
  private dayEnd: Micros = 0;
  private bounds: Float64Array;

  constructor(
    private readonly timeZone: string,
    private readonly windows: readonly WallWindow[],
  ) {
    if (!IANAZone.isValidZone(timeZone)) throw new RangeError(`unknown time zone '${timeZone}'`);
    this.bounds = new Float64Array(windows.length * 2);
  }

  contains(now: Micros): boolean {
    if (now < this.dayStart || now >= this.dayEnd) this.load(now);
    const b = this.bounds;
    for (let i = 0; i < b.length; i += 2) if (now >= b[i]! && now < b[i + 1]!) return true;
    return false;
  }

  /** End of the window containing `now`, or null when outside every window. */
  endOf(now: Micros): Micros | null {
    if (!this.contains(now)) return null;
    const b = this.bounds;
    for (let i = 0; i < b.length; i += 2) if (now >= b[i]! && now < b[i + 1]!) return b[i + 1]!;
    return null;
  }

  /** The windows of the exchange-local day containing `now`, as µs pairs (for decision records and tests). */
  windowsOn(now: Micros): Array<{ start: Micros; end: Micros }> {
    if (now < this.dayStart || now >= this.dayEnd) this.load(now);
    const out: Array<{ start: Micros; end: Micros }> = [];
    for (let i = 0; i < this.bounds.length; i += 2) out.push({ start: this.bounds[i]!, end: this.bounds[i + 1]! });
    return out;
  }

  private load(now: Micros): void {
    const local = DateTime.fromMillis(Math.floor(now / 1000), { zone: this.timeZone });
    const day = local.startOf('day');
    this.dayStart = day.toMillis() * 1000;
    this.dayEnd = day.plus({ days: 1 }).toMillis() * 1000;
    const date = day.toISODate();
    this.windows.forEach((w, i) => {
      this.bounds[i * 2] = at(date!, w.start, this.timeZone);
      this.bounds[i * 2 + 1] = at(date!, w.end, this.timeZone);
    });
  }
}

function at(date: string, hhmm: string, zone: string): Micros {
  return DateTime.fromISO(`${date}T${hhmm}`, { zone }).toMillis() * 1000;
}
