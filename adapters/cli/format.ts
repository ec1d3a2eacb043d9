import { DateTime } from 'luxon';

/** Clock µs → wall time in the session's zone, as an operator reads it (09:31:37.990, not 13:31:37Z). */
export function clockTime(us: number, timeZone: string, withDate = false): string {
  return DateTime.fromMillis(Math.floor(us / 1000), { zone: timeZone }).toFormat(withDate ? 'yyyy-MM-dd HH:mm:ss.SSS' : 'HH:mm:ss.SSS');
}

/** Integer ten-thousandths → "$12.3456"-style text with the given decimals. */
export function dollars(units: number, decimals = 2): string {
  const v = units / 10_000;
  return `${v < 0 ? '-' : ''}$${Math.abs(v).toFixed(decimals)}`;
}

/**
 * Notes and gate values hold prices as integer ten-thousandths (the kernel's unit). For display, numbers after a
 * price word (limit, stop, tp1, tp2, R, at, netPnl=…) and gate values whose gate names a price are shown in dollars.
 */
export function humanizeNote(note: string): string {
  return (
    note
      .replace(
        /\b(limit|stop|tp\d|target|at|price|entry|exit|shelf|vwap|netPnl=|grossPnl=|pnl=)\s?(-?\d{4,})\b/gi,
        (_m, word: string, n: string) => `${word}${word.endsWith('=') ? '' : ' '}${dollars(Number(n))}`,
      )
      // LMP's "R 200" is the risk per share (entry − stop) in price units.
      .replace(/\bR (\d+)\b/g, (_m, n: string) => `R ${dollars(Number(n))}/sh`)
  );
}

const PRICE_GATE = /price|vwap|shelf|stop|limit|tp\d|target|bid|ask|spread|pnl/i;

export function gateValue(name: string, v: unknown): string {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 100 && PRICE_GATE.test(name) ? dollars(v) : String(v);
}
