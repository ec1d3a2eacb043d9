/** RFC 4180: quote a cell holding a comma, a quote or a line break, doubling the quotes inside; null is empty. */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
