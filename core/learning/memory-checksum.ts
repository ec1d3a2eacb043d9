import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.js';

/**
 * sha256 of the canonical JSON (keys sorted at every level) of memory content: the same rule as the stores'
 * checksum (ports/memory-store.ts), computed here synchronously so that the loop names a version's checksum in
 * the very decision that uses it, before any asynchronous save has finished.
 */
export function memoryChecksum(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
