/** Why an inbound frame was dropped before the client library saw it. */
export type FrameFault = 'length-prefix' | 'no-terminator' | 'bad-message-id' | 'bad-field' | 'bad-json' | 'decoder-threw';

export interface FrameGuardStats {
  /** Frames handed to the client library. */
  passed: number;
  /** Frames dropped, in total and by fault. */
  dropped: number;
  byFault: Partial<Record<FrameFault, number>>;
}

export interface FrameGuardSink {
  /** A whole, checked frame (length prefix included), for the library's own data handler. */
  deliver(frame: Buffer): void;
  /** A frame was dropped; `fatal` when the framing itself is lost (nothing after it on this socket can be read). */
  dropped(fault: FrameFault, detail: string, fatal: boolean): void;
  /** The library's decoder threw on a frame the guard passed: its queue must be emptied (see TwsWireSeam). */
  decoderThrew(error: unknown): void;
}

/**
 * The largest frame accepted. @stoqey/ib gives up only once 16 MiB are buffered (`MAX_V100_MESSAGE_LENGTH`); a
 * prefix above that can never complete, so it is a lost framing at once rather than a silent stall.
 */
export const MAX_FRAME_BYTES = 0xffffff;

/** Incoming message ids the client library has a decoder for (@stoqey/ib `IN_MSG_ID`, 1.6.10): 1–21, 45–47, 49–59, 61–107. */
function knownMessageId(id: number): boolean {
  return (id >= 1 && id <= 21) || (id >= 45 && id <= 47) || (id >= 49 && id <= 59) || (id >= 61 && id <= 107);
}

const INTEGER = /^-?\d{1,10}$/;
const ERR_MSG = 4;
/** ERR_MSG carries `advancedOrderRejectJson` from this server version on (TWS API `ADVANCED_ORDER_REJECT`). */
const SV_ADVANCED_ORDER_REJECT = 166;
/** From this server version on, the library un-escapes `\uXXXX` in ERR_MSG texts before parsing the JSON. */
const SV_ENCODE_MSG_ASCII7 = 153;

/**
 * Checks every inbound TWS frame before @stoqey/ib decodes it (docs/tws-wire-safety.md). The library trusts the
 * wire: a negative length prefix spins its framing loop synchronously forever, and an unparsable JSON field throws a
 * SyntaxError out of its socket handler. The guard does its own framing on the raw bytes and passes on only frames
 * that are whole and well-formed:
 *
 * - the 4-byte big-endian length is within 1..{@link MAX_FRAME_BYTES}; anything else loses the framing for good (the
 *   next frame's start is unknowable), so the rest of that socket is discarded and the sink is told `fatal`;
 * - the payload ends with the NUL field terminator (else the library glues its last field onto the next frame);
 * - after the handshake frame, the first field is a known message id;
 * - ERR_MSG has integer id and code fields, and a non-empty `advancedOrderRejectJson` parses as JSON, exactly as the
 *   library will parse it.
 *
 * A dropped frame with intact framing costs only that frame. Invariant: the library only ever sees whole frames, so
 * its own buffer and fragment state are empty between frames.
 */
export class TwsFrameGuard {
  readonly stats: FrameGuardStats = { passed: 0, dropped: 0, byFault: {} };
  private buf: Buffer = Buffer.alloc(0);
  private handshakeDone = false;
  private lost = false;

  constructor(
    private readonly sink: FrameGuardSink,
    private readonly serverVersion: () => number,
  ) {}

  /** A new socket: framing starts over with its handshake frame. */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.handshakeDone = false;
    this.lost = false;
  }

  /** True after a lost framing, until the next `reset()`: everything further on this socket is discarded. */
  get framingLost(): boolean {
    return this.lost;
  }

  /** The link is given up (a burst of bad frames): nothing more from this socket reaches the library. */
  abandon(): void {
    this.buf = Buffer.alloc(0);
    this.lost = true;
  }

  /** Raw bytes from the socket, in any segmentation. */
  feed(chunk: Buffer): void {
    if (this.lost) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (!this.lost && this.buf.length >= 4) {
      const size = this.buf.readInt32BE(0);
      if (size <= 0 || size > MAX_FRAME_BYTES) {
        this.buf = Buffer.alloc(0);
        this.lost = true;
        this.drop('length-prefix', `length prefix ${size} outside 1..${MAX_FRAME_BYTES}`, true);
        return;
      }
      if (this.buf.length < 4 + size) return; // the rest of the frame is still on its way
      const frame = this.buf.subarray(0, 4 + size);
      this.buf = this.buf.subarray(4 + size);
      const fault = this.check(frame.subarray(4));
      if (fault !== null) {
        this.drop(fault[0], fault[1], false);
        continue;
      }
      this.handshakeDone = true;
      this.stats.passed++;
      try {
        this.sink.deliver(frame);
      } catch (e) {
        // Whatever the guard did not foresee, the library's throw ends here: that frame is lost, not the process.
        this.drop('decoder-threw', (e as Error)?.message ?? String(e), false);
        this.sink.decoderThrew(e);
      }
    }
  }

  private check(payload: Buffer): [FrameFault, string] | null {
    if (payload[payload.length - 1] !== 0) return ['no-terminator', 'payload does not end with the NUL field terminator'];
    if (!this.handshakeDone) return null; // "<serverVersion>\0<connectionTime>\0": the library validates the version
    // The id is read from the bytes (no string per market-data frame); only ERR_MSG is split into fields.
    const end = payload.indexOf(0);
    const id = digits(payload, end);
    if (id === null || !knownMessageId(id)) return ['bad-message-id', `message id '${payload.toString('latin1', 0, Math.min(end, 16))}'`];
    if (id === ERR_MSG) return this.checkError(payload.toString('utf8', 0, payload.length - 1).split('\0'));
    return null;
  }

  /** ERR_MSG: [4, version, id, code, text, advancedOrderRejectJson?] (the JSON field from sv 166). */
  private checkError(f: string[]): [FrameFault, string] | null {
    if (!INTEGER.test(f[1] ?? '')) return ['bad-field', 'ERR_MSG version is not an integer'];
    if (Number(f[1]) < 2) return null;
    if (!INTEGER.test(f[2] ?? '') || !INTEGER.test(f[3] ?? '')) return ['bad-field', 'ERR_MSG id or code is not an integer'];
    const sv = this.serverVersion();
    const json = f[5] ?? '';
    if (sv < SV_ADVANCED_ORDER_REJECT || json === '') return null;
    try {
      JSON.parse(sv >= SV_ENCODE_MSG_ASCII7 ? unescapeLikeTheLibrary(json) : json);
    } catch (e) {
      return ['bad-json', `ERR_MSG ${f[3]} advancedOrderRejectJson: ${(e as Error).message}`];
    }
    return null;
  }

  private drop(fault: FrameFault, detail: string, fatal: boolean): void {
    this.stats.dropped++;
    this.stats.byFault[fault] = (this.stats.byFault[fault] ?? 0) + 1;
    this.sink.dropped(fault, detail, fatal);
  }
}

/** The unsigned decimal in `b[0..end)` (at most 6 digits, as every message id), or null. */
function digits(b: Buffer, end: number): number | null {
  if (end <= 0 || end > 6) return null;
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x39) return null;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** The library's `decodeUnicodeEscapedString`: each `\uXXXX` (6 characters) becomes one character, first one first. */
function unescapeLikeTheLibrary(s: string): string {
  let v = s;
  for (;;) {
    const i = v.indexOf('\\u');
    if (i === -1 || v.length - i < 6) return v;
    const esc = v.substring(i, i + 6);
    v = v.replace(esc, String.fromCharCode(parseInt(esc.replace('\\u', ''), 16)));
  }
}
