import net from 'node:net';

/**
 * A loopback TCP relay between Harvester's TWS adapter and a TWS (the fake one or a real paper TWS/Gateway), so
 * the link faults of docs/live-validation-runbook.md (a dropped connection, a silent socket, a gateway that is not up yet) can be made the
 * same way against both: `cut()` drops every relayed connection, `pause()` holds TWS → client bytes (a socket that
 * stays open and says nothing), `listen()` can come late (nothing accepts until then). It also counts the client's
 * API messages per second from their length prefixes, which is what TWS's 50 messages/s limit counts.
 */
export class LinkProxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket; held: Buffer[] }>();
  private paused = false;
  /** Wall-clock ms of every client → TWS API message (after the handshake prefix). */
  readonly clientMessages: number[] = [];
  accepted = 0;

  private constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
    readonly port: number,
  ) {}

  /** Reserves a free loopback port without listening on it yet (a "gateway not started" for the adapter). */
  static async reserve(upstreamHost: string, upstreamPort: number): Promise<LinkProxy> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return new LinkProxy(upstreamHost, upstreamPort, port);
  }

  static async start(upstreamHost: string, upstreamPort: number): Promise<LinkProxy> {
    const p = await LinkProxy.reserve(upstreamHost, upstreamPort);
    await p.listen();
    return p;
  }

  async listen(): Promise<void> {
    if (this.server !== null) return;
    const server = net.createServer((client) => this.relay(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Drops every relayed connection (both ends), as a crashed gateway or a pulled cable does. */
  cut(): void {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
  }

  /** While on, TWS → client bytes are held (the socket stays open and silent); off releases them in order. */
  pause(on: boolean): void {
    this.paused = on;
    if (on) return;
    for (const p of this.pairs) for (const b of p.held.splice(0)) p.client.write(b);
  }

  /** The most client API messages seen within any one-second window. */
  maxPerSecond(): number {
    let best = 0;
    let lo = 0;
    for (let hi = 0; hi < this.clientMessages.length; hi++) {
      while (this.clientMessages[hi]! - this.clientMessages[lo]! >= 1_000) lo++;
      best = Math.max(best, hi - lo + 1);
    }
    return best;
  }

  async stop(): Promise<void> {
    this.cut();
    const s = this.server;
    this.server = null;
    if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private relay(client: net.Socket): void {
    this.accepted++;
    const upstream = net.connect(this.upstreamPort, this.upstreamHost);
    const pair = { client, upstream, held: [] as Buffer[] };
    this.pairs.add(pair);
    const drop = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    let pending = Buffer.alloc(0);
    let handshake = true;
    client.on('data', (b: Buffer) => {
      upstream.write(b);
      // Count messages by their 4-byte length prefix; the very first bytes are "API\0" then the version frame.
      pending = Buffer.concat([pending, b]);
      if (handshake && pending.length >= 4 && pending.subarray(0, 4).toString('latin1') === 'API\0') {
        pending = pending.subarray(4);
        handshake = false;
      }
      while (pending.length >= 4) {
        const len = pending.readUInt32BE(0);
        if (pending.length < 4 + len) break;
        pending = pending.subarray(4 + len);
        this.clientMessages.push(Date.now());
      }
    });
    upstream.on('data', (b: Buffer) => {
      if (this.paused) pair.held.push(b);
      else client.write(b);
    });
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('error', drop);
    upstream.on('error', drop);
  }
}
