import { isEnvRef } from './env-ref.js';

const SECRET_KEY = /(pass(word)?|secret|token|api[-_]?key|credential|account)/i;

/**
 * A deep copy safe to print or store: `env()` references show as `env(NAME)`, keys that look secret
 * show as '[redacted]'. Functions (plugin manifests) show as their id.
 */
export function redact(value: unknown, key = ''): unknown {
  if (isEnvRef(value)) return `env(${value.$env})`;
  if (value === null || value === undefined) return value;
  if (typeof value === 'function') return '[function]';
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.kind === 'string' && typeof record.id === 'string' && typeof record.create === 'function') {
      return `plugin:${record.id}`;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(record).sort()) out[k] = redact(record[k], k);
    return out;
  }
  if (typeof value === 'string' && SECRET_KEY.test(key) && value.length > 0) return '[redacted]';
  return value;
}

/**
 * Replace every occurrence of the given secret values (the account id, env() values) in a text. The one redaction
 * function for text: the journal writer, the logger and the CLI's error output all go through it (via scrubDeep).
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3 && out.includes(s)) out = out.split(s).join('[redacted]');
  return out;
}

/**
 * `scrub` applied to every string inside a value (journal row data, log fields), keys included. Returns the value
 * itself when nothing needed redacting, so rows without secrets are not copied.
 */
export function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return walk(value, secrets) as T;
}

function walk(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return scrub(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = walk(value[i], secrets);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    // Errors carry their text in non-enumerable fields; other class instances are kept as they are.
    if (value instanceof Error) return new Error(scrub(value.message, secrets));
    return value;
  }
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value)) {
    const key = scrub(k, secrets);
    const w = walk(v, secrets);
    if (w !== v || key !== k) {
      out ??= { ...(value as Record<string, unknown>) };
      if (key !== k) delete out[k];
      out[key] = w;
    }
  }
  return out ?? value;
}
