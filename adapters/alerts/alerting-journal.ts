import type { Journal, JournalEntry } from '../../ports/journal.js';
import type { AlertRules, RaisedAlert } from './alert-rules.js';

/**
 * The session's Journal with alerting beside it: every appended row is shown to the alert rules after the real
 * journal took it, and what they raise goes to `raise` (which only queues). Every other method is the real journal's
 * own, bound to it, so the rows, their order, their durability and the digest are untouched.
 */
export function alertingJournal(inner: Journal, rules: AlertRules, raise: (a: RaisedAlert, sessionId: string) => void): Journal {
  const append = (sessionId: string, entry: JournalEntry): void => {
    inner.append(sessionId, entry);
    for (const a of rules.onRow(entry, Date.now())) raise(a, sessionId);
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'append') return append;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
