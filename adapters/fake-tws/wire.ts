/**
 * TWS API framing as the `@stoqey/ib` client speaks it (V100+): a 4-byte big-endian length, then UTF-8 fields
 * joined by NUL with a trailing NUL after the last field. The handshake is `"API\0"` + length + `"v<min>..<max>"`.
 *
 * Invariant: every frame written by {@link encodeFrame} has a prefix equal to `Buffer.byteLength(payload)` and ends
 * with 0x00 — the client glues an unterminated last field onto the next frame (docs/tws-wire-safety.md#inbound-frames).
 */
export type Field = string | number | boolean | null | undefined;

const NUL = '\0';

/** Encodes one frame. Booleans go out as 1/0 (the client reads `"true"` as false), null/undefined as "". */
export function encodeFrame(fields: readonly Field[]): Buffer {
  let text = '';
  for (const f of fields) text += fieldText(f) + NUL;
  const payload = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}

export function fieldText(f: Field): string {
  if (f === null || f === undefined) return '';
  if (typeof f === 'boolean') return f ? '1' : '0';
  return String(f);
}

/** Raw bytes with an arbitrary length prefix, for garbage and oversized-frame faults. */
export function rawFrame(length: number, body: Buffer | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const head = Buffer.alloc(4);
  head.writeUInt32BE(length >>> 0, 0);
  return Buffer.concat([head, b]);
}

export interface Handshake {
  minVersion: number;
  maxVersion: number;
  raw: string;
}

export type ReaderEvent =
  | { kind: 'handshake'; handshake: Handshake }
  | { kind: 'frame'; tokens: string[] }
  | { kind: 'bad-handshake'; reason: string };

/**
 * Incremental reader for the client → server direction. Handles any TCP segmentation. The first unit is the
 * handshake, then length-prefixed frames; a frame's trailing NUL yields a final empty element, which is dropped.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private handshaken = false;
  /** Inbound frames larger than this are treated as a protocol error (the client never sends such). */
  static readonly MAX_FRAME = 0xffffff;

  push(chunk: Buffer): ReaderEvent[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: ReaderEvent[] = [];
    if (!this.handshaken) {
      if (this.buf.length < 8) return out;
      if (this.buf.toString('latin1', 0, 4) !== 'API\0') {
        out.push({ kind: 'bad-handshake', reason: 'missing "API\\0" prefix' });
        this.buf = Buffer.alloc(0);
        return out;
      }
      const n = this.buf.readUInt32BE(4);
      if (n > 1024) {
        out.push({ kind: 'bad-handshake', reason: `handshake length ${n}` });
        this.buf = Buffer.alloc(0);
        return out;
      }
      if (this.buf.length < 8 + n) return out;
      const raw = this.buf.toString('ascii', 8, 8 + n);
      this.buf = this.buf.subarray(8 + n);
      this.handshaken = true;
      const parsed = parseVersionRange(raw);
      if (!parsed) out.push({ kind: 'bad-handshake', reason: `bad version range "${raw}"` });
      else out.push({ kind: 'handshake', handshake: { ...parsed, raw } });
    }
    while (this.buf.length >= 4) {
      const n = this.buf.readUInt32BE(0);
      if (n > FrameReader.MAX_FRAME) {
        out.push({ kind: 'bad-handshake', reason: `frame length ${n}` });
        this.buf = Buffer.alloc(0);
        return out;
      }
      if (this.buf.length < 4 + n) break;
      const tokens = this.buf.toString('utf8', 4, 4 + n).split(NUL);
      this.buf = this.buf.subarray(4 + n);
      if (tokens.length > 0 && tokens[tokens.length - 1] === '') tokens.pop();
      out.push({ kind: 'frame', tokens });
    }
    return out;
  }
}

/** `"v100..193"` → {100, 193}; `"v193"` → {193, 193}. */
export function parseVersionRange(raw: string): { minVersion: number; maxVersion: number } | null {
  const m = /^v(\d+)(?:\.\.(\d+))?$/.exec(raw);
  if (!m) return null;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  return min <= max ? { minVersion: min, maxVersion: max } : null;
}

/** IB's "unset double" sentinel: the client's readers turn it into undefined. */
export const UNSET_DOUBLE = '1.7976931348623157E308';
/** IB's "unset int" sentinel. */
export const UNSET_INT = 2147483647;
