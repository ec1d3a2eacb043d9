import { EventName, IBApi } from '@stoqey/ib';

export interface Recorded {
  name: string;
  args: unknown[];
}

/** Client-side protocol failure codes: decoder over/underrun (505), socket/buffer (502), version (506). */
export const DECODER_CODES: ReadonlySet<number> = new Set([505, 502, 506]);

/**
 * Drives the unmodified `@stoqey/ib` client against a fake TWS and records every event it emits, so specs can wait
 * for an event and then assert that no decoder error happened along the way.
 */
export class IbHarness {
  readonly events: Recorded[] = [];
  private waiters: Array<{ name: string; pred: (args: unknown[]) => boolean; resolve: (a: unknown[]) => void }> = [];

  constructor(readonly ib: IBApi) {
    ib.on(EventName.all, (name: string, args: unknown[]) => {
      if (name === EventName.received || name === EventName.sent) return;
      this.events.push({ name, args });
      for (const w of [...this.waiters]) {
        if (w.name === name && w.pred(args)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(args);
        }
      }
    });
  }

  /** Connects with an explicit host, port and client id; resolves on NEXT_VALID_ID unless `ready` is false. */
  static async connect(port: number, clientId: number, ready = true): Promise<IbHarness> {
    const h = new IbHarness(new IBApi({ host: '127.0.0.1', port }));
    const next = ready ? h.waitFor(EventName.nextValidId) : Promise.resolve([]);
    h.ib.connect(clientId);
    await next;
    return h;
  }

  /** Resolves with the args of the first matching event, past or future. */
  waitFor(name: string, pred: (args: unknown[]) => boolean = () => true, timeoutMs = 4000): Promise<unknown[]> {
    const seen = this.events.find((e) => e.name === name && pred(e.args));
    if (seen) return Promise.resolve(seen.args);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${name}; saw ${this.names().join(', ')}`));
      }, timeoutMs);
      const done = (a: unknown[]): void => {
        clearTimeout(timer);
        resolve(a);
      };
      this.waiters.push({ name, pred, resolve: done });
    });
  }

  /** Events of one name, in arrival order. */
  all(name: string): unknown[][] {
    return this.events.filter((e) => e.name === name).map((e) => e.args);
  }

  names(): string[] {
    return this.events.map((e) => e.name);
  }

  /** `error` events the client raised about the wire itself. */
  decoderErrors(): string[] {
    return this.all(EventName.error)
      .filter((a) => DECODER_CODES.has(a[1] as number))
      .map((a) => `${a[1]} ${(a[0] as Error).message}`);
  }

  /** Error codes (of `error` events) in order. */
  errorCodes(): number[] {
    return this.all(EventName.error).map((a) => a[1] as number);
  }

  infoCodes(): number[] {
    return this.all(EventName.info).map((a) => a[1] as number);
  }

  /** Waits until everything sent so far has round-tripped: a currentTime answer follows all earlier answers. */
  async settle(): Promise<void> {
    const before = this.all(EventName.currentTime).length;
    this.ib.reqCurrentTime();
    await this.waitFor(EventName.currentTime, () => this.all(EventName.currentTime).length > before);
  }

  disconnect(): void {
    if (this.ib.isConnected) this.ib.disconnect();
  }
}
