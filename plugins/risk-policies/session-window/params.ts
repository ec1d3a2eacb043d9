import { IANAZone } from 'luxon';
import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24h)');
const toMinutes = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
const window = z
  .object({ start: hhmm, end: hhmm })
  .strict()
  .refine((w) => toMinutes(w.end) > toMinutes(w.start), { message: 'end must be after start' });

export const sessionWindowParams = z
  .object({
    /** Entries are allowed in [start, end) local time (docs/trading-safety.md#time-window: 09:30–11:15 New York). */
    start: hhmm.default('09:30'),
    end: hhmm.default('11:15'),
    /** An optional second window, e.g. an afternoon session after the stability phase. */
    second: window.optional(),
    timeZone: z
      .string()
      .default('America/New_York')
      .refine((z) => IANAZone.isValidZone(z), { message: 'unknown IANA time zone' }),
  })
  .strict()
  .refine((p) => toMinutes(p.end) > toMinutes(p.start), { message: 'end must be after start', path: ['end'] });

export type SessionWindowParams = z.output<typeof sessionWindowParams>;
