import { createHash } from 'node:crypto';

/**
 * sha256 of the canonical JSON (keys sorted at every level) of memory content: the same rule as the stores'
 * checksum (ports/memory-store.ts), computed here synchronously so that the loop names a version's checksum in
 * the very decision that uses it, before any asynchronous save has finished.
 */
export function memoryChecksum(content: unknown): string {
  return createHash('sha256').update(JSON.stringify(sortKeys(content))).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}
