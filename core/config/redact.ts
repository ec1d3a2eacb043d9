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

/** Replace every occurrence of the given secret values in a text (for log lines built from foreign messages). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('[redacted]');
  return out;
}
