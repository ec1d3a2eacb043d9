import { HarvesterError } from '../../core/errors/harvester-error.js';

/** Where the store lives, from a `--db-url` or `store.params.url`. */
export type StoreTarget = { driver: 'sqlite'; file: string } | { driver: 'postgres'; url: string };

/** The accepted forms (freqtrade's / SQLAlchemy's convention: three slashes then the path, four for an absolute one). */
export const ACCEPTED_DB_URLS: readonly string[] = [
  'sqlite:///relative/path.sqlite',
  'sqlite:////absolute/path.sqlite',
  'postgres://user:password@host:port/database',
  'postgresql://user:password@host:port/database',
];

/** Parse a database URL; an unknown scheme or a malformed URL is refused with the accepted forms. */
export function parseDbUrl(text: string): StoreTarget {
  const refuse = (why: string): never => {
    throw new HarvesterError(
      'STORE.URL_INVALID',
      `database url ${redactDbUrl(text)}: ${why}; accepted forms: ${ACCEPTED_DB_URLS.join(', ')}`,
      { details: { url: redactDbUrl(text) } },
    );
  };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    if (!text.startsWith('sqlite:///') || text.length <= 'sqlite:///'.length)
      refuse('a SQLite url is sqlite:/// followed by the file path');
    return { driver: 'sqlite', file: decodeURIComponent(text.slice('sqlite:///'.length)) };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      return refuse('not a valid URL');
    }
    if (u.hostname === '') refuse('no host');
    if (u.pathname.length <= 1) refuse('no database name');
    return { driver: 'postgres', url: text };
  }
  return refuse(scheme === undefined ? 'no scheme' : `unknown scheme '${scheme}'`);
}

/** The URL with its password replaced by `[redacted]` (for logs, errors and stored config). Not a URL: unchanged. */
export function redactDbUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):([^@/?#]*)@/i, (_m, head: string) => `${head}:[redacted]@`);
}

/** The password in a URL, if any, to scrub it from foreign error messages. */
export function dbUrlPassword(text: string): string | null {
  try {
    const p = new URL(text).password;
    return p === '' ? null : decodeURIComponent(p);
  } catch {
    return null;
  }
}
