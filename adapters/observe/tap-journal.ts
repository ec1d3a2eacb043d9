import type { Journal, JournalEntry } from '../../ports/journal.js';

export type RowListener = (sessionId: string, entry: JournalEntry) => void;

/**
 * The session's Journal with observers beside it (alerts, the dashboard): every appended row is shown to each
 * listener after the real journal took it. Listeners only queue or copy; a listener that throws is dropped from that
 * row, never from the journal. Every other method is the real journal's own, bound to it, so the rows, their order,
 * their durability and the digest are untouched.
 */
export function tapJournal(inner: Journal, listeners: readonly RowListener[]): Journal {
  if (listeners.length === 0) return inner;
  const append = (sessionId: string, entry: JournalEntry): void => {
    inner.append(sessionId, entry);
    for (const l of listeners) {
      try {
        l(sessionId, entry);
      } catch {
        // An observer's fault must never reach the order path that appended the row.
      }
    }
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'append') return append;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
