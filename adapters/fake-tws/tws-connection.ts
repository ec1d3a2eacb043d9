import type net from 'node:net';
import { TwsMessages } from './messages.js';
import { decodeRequest, type ClientRequest } from './requests.js';
import { encodeFrame, FrameReader, type Field, type Handshake } from './wire.js';

/** What a connection asks of its server. */
export interface ConnectionHost {
  /** The version to answer the handshake with, or null to refuse (the socket is closed). */
  negotiate(conn: TwsConnection, handshake: Handshake): number | null;
  onRequest(conn: TwsConnection, request: ClientRequest, tokens: readonly string[]): void;
  onMalformed(conn: TwsConnection, reason: string, tokens: readonly string[] | null): void;
  onClosed(conn: TwsConnection): void;
  connectionTime(): string;
}

/**
 * One client socket: handshake, framing and outbound writes. Knows nothing about orders or market data.
 *
 * Invariants: nothing is written before the version frame; while `silent`, nothing is written at all (the socket
 * stays open); after `close()`, sends are dropped.
 */
export class TwsConnection {
  clientId: number | null = null;
  sv = 0;
  msgs = new TwsMessages(193);
  /** True once NEXT_VALID_ID went out: the client has released its request queue. */
  ready = false;
  silent = false;
  closed = false;
  framesIn = 0;
  framesOut = 0;
  private readonly reader = new FrameReader();

  constructor(
    readonly id: number,
    readonly socket: net.Socket,
    private readonly host: ConnectionHost,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined); // a reset by the client is a normal end of a test
    socket.on('close', () => {
      this.closed = true;
      host.onClosed(this);
    });
  }

  send(fields: readonly Field[]): void {
    if (this.closed || this.silent) return;
    this.framesOut++;
    this.socket.write(encodeFrame(fields));
  }

  /**
   * Several frames in one socket write: what TWS does with the ticks of one market-data update, so a reader sees
   * them in one read (a per-frame write lets a busy loopback split one quote across two reads).
   */
  sendAll(frames: readonly (readonly Field[])[]): void {
    if (this.closed || this.silent) return;
    this.framesOut += frames.length;
    this.socket.write(Buffer.concat(frames.map((f) => encodeFrame(f))));
  }

  /** Bytes exactly as given: garbage, bad prefixes. Bypasses framing but not silence. */
  sendRaw(bytes: Buffer): void {
    if (this.closed || this.silent) return;
    this.socket.write(bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    for (const ev of this.reader.push(chunk)) {
      if (ev.kind === 'bad-handshake') {
        this.host.onMalformed(this, ev.reason, null);
        this.close();
        return;
      }
      if (ev.kind === 'handshake') {
        const sv = this.host.negotiate(this, ev.handshake);
        if (sv === null) {
          this.close();
          return;
        }
        this.sv = sv;
        this.msgs = new TwsMessages(sv);
        // Written directly: a silent or scripted connection still completes the version exchange.
        this.socket.write(encodeFrame([sv, this.host.connectionTime()]));
        continue;
      }
      this.framesIn++;
      let request: ClientRequest;
      try {
        request = decodeRequest(ev.tokens, this.sv);
      } catch (e) {
        this.host.onMalformed(this, (e as Error).message, ev.tokens);
        continue;
      }
      if (request.kind === 'unknown') this.host.onMalformed(this, `unknown request id ${request.id}`, ev.tokens);
      this.host.onRequest(this, request, ev.tokens);
    }
  }
}
