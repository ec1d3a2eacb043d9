import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Micros } from '../../../core/domain/units.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

/**
 * A scheduled IB server reset, in wall time of `timeZone` (New York by default). IB's schedule is published in New
 * York time and moves with US DST, so windows are evaluated with luxon in that zone — never with a fixed UTC offset.
 */
export const resetWindowSchema = z
  .object({
    /** ISO weekdays (1 = Monday … 7 = Sunday) on which the window starts; omitted = every day. */
    days: z.array(z.number().int().min(1).max(7)).min(1).optional(),
    start: hhmm,
    end: hhmm,
    /** Days from the start day to the end day; default 0 when end > start, else 1 (the window wraps midnight). */
    spanDays: z.number().int().min(0).max(6).optional(),
    timeZone: z.string().default('America/New_York'),
    label: z.string().optional(),
  })
  .strict();

export type ResetWindow = z.input<typeof resetWindowSchema>;

/**
 * IBAutomater's windows with their 15-minute safety margins (docs/tws-adapter.md#reset-windows): the daily North America
 * reset (23:30–01:00 ET) and the weekend (Friday 22:45 → Sunday 02:00 ET). IB moves them around holidays, so they
 * live in config; these are only the defaults.
 */
export const DEFAULT_RESET_WINDOWS: readonly ResetWindow[] = [
  { start: '23:30', end: '01:00', label: 'daily North America reset' },
  { days: [5], start: '22:45', end: '02:00', spanDays: 2, label: 'weekend' },
];

export interface ResetWindowHit {
  window: ResetWindow;
  /** When this occurrence of the window started and ends (epoch µs). */
  startsAt: Micros;
  endsAt: Micros;
}

function minutes(s: string): [number, number] {
  return [Number(s.slice(0, 2)), Number(s.slice(3, 5))];
}

/** The occurrence of `w` that starts on the local day `day` (start of day in the window's zone). */
function occurrence(w: ResetWindow, day: DateTime): { start: DateTime; end: DateTime } {
  const [sh, sm] = minutes(w.start);
  const [eh, em] = minutes(w.end);
  const span = w.spanDays ?? (eh * 60 + em > sh * 60 + sm ? 0 : 1);
  // luxon resolves a wall time that DST skips (02:30 on spring-forward day) forward, and an ambiguous one (01:30 on
  // fall-back day) to its first occurrence; either way the window stays anchored to New York wall time.
  const start = day.set({ hour: sh, minute: sm, second: 0, millisecond: 0 });
  const end = day.plus({ days: span }).set({ hour: eh, minute: em, second: 0, millisecond: 0 });
  return { start, end };
}

/**
 * The reset window that contains `epochMicros`, or null. Pure: depends only on its arguments.
 * Start inclusive, end exclusive.
 */
export function inResetWindow(epochMicros: Micros, windows: readonly ResetWindow[]): ResetWindowHit | null {
  const ms = Math.floor(epochMicros / 1000);
  for (const w of windows) {
    const zone = w.timeZone ?? 'America/New_York';
    const local = DateTime.fromMillis(ms, { zone });
    if (!local.isValid) continue;
    const maxSpan = w.spanDays ?? 1;
    // An occurrence containing t started on the local day of t or up to `maxSpan` days before it.
    for (let back = 0; back <= maxSpan; back++) {
      const day = local.startOf('day').minus({ days: back });
      if (w.days !== undefined && !w.days.includes(day.weekday)) continue;
      const { start, end } = occurrence(w, day);
      if (ms >= start.toMillis() && ms < end.toMillis()) {
        return { window: w, startsAt: start.toMillis() * 1000, endsAt: end.toMillis() * 1000 };
      }
    }
  }
  return null;
}
