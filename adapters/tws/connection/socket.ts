import { EventName, type IBApi } from '@stoqey/ib';
import { HarvesterError } from '../../../core/errors/harvester-error.js';
import type { TwsTimers } from './timers.js';

/**
 * The socket under @stoqey/ib and its handshake, nothing else. @stoqey/ib emits `connected` before TWS is ready;
 * TWS is ready at `nextValidId` (calls before it may be dropped, IB connection page), so `open()` resolves there.
 *
 * Every `ib.connect()` ends with exactly one `disconnected` event (refused, closed by TWS, or closed by us), so
 * `socketOpen` is tracked from our call to that event. A new socket is never opened before the old one reported
 * closed: @stoqey/ib keeps one status field per client, and a late `close` of the old socket would clobber it.
 */
export class TwsSocket {
  accounts: string[] = [];
  /** Incremented on every successful handshake: work started on an older link can tell it was superseded. */
  generation = 0;
  up = false;
  socketOpen = false;
  handshaking = false;
  onClosed: () => void = () => {};
  /** Called just before each new socket opens (the inbound frame guard starts its framing over). */
  beforeOpen: () => void = () => {};
  private nextId = 0;
  private closedWaiters: Array<() => void> = [];

  constructor(
    private readonly ib: IBApi,
    private readonly clientId: number,
    private readonly timers: TwsTimers,
  ) {
    ib.on(EventName.managedAccounts, (list: string) => {
      this.accounts = String(list)
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
    });
    ib.on(EventName.nextValidId, (id: number) => this.observeId(id - 1));
    ib.on(EventName.disconnected, () => {
      this.socketOpen = false;
      this.up = false;
      for (const w of this.closedWaiters.splice(0)) w();
      this.onClosed();
    });
  }

  allocateId(): number {
    return this.nextId++;
  }

  /** Ids at or below `id` are taken (nextValidId, or an order id TWS reported). */
  observeId(id: number): void {
    if (id + 1 > this.nextId) this.nextId = id + 1;
  }

  /** Connects with the fixed client id (never incremented: order ownership is per client id, docs/tws-adapter.md#client-id). */
  open(deadlineMs: number): Promise<void> {
    if (this.socketOpen) return Promise.reject(new HarvesterError('BROKER.NOT_CONNECTED', 'previous socket still open'));
    this.handshaking = true;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: HarvesterError): void => {
        if (settled) return;
        settled = true;
        this.handshaking = false;
        cancelTimer();
        this.ib.off(EventName.nextValidId, onReady);
        this.ib.off(EventName.info, onInfo);
        this.ib.off(EventName.error, onError);
        this.ib.off(EventName.disconnected, onClosed);
        if (error !== undefined) reject(error);
        else {
          this.up = true;
          this.generation++;
          resolve();
        }
      };
      // managedAccounts precedes nextValidId on the wire; defer one turn so frames of the same read are applied.
      const onReady = (): void => {
        setImmediate(() =>
          this.socketOpen ? finish() : finish(new HarvesterError('BROKER.NOT_CONNECTED', 'socket closed during handshake')),
        );
      };
      const refuse326 = (code: number): void => {
        if (code === 326)
          finish(
            new HarvesterError(
              'BROKER.CLIENT_ID_IN_USE',
              `client id ${this.clientId} is already in use (IB 326): another instance, or a zombie connection after a gateway restart`,
            ),
          );
      };
      const onInfo = (_m: string, code: number): void => refuse326(code);
      const onError = (_e: Error, code: number): void => refuse326(code);
      const onClosed = (): void => finish(new HarvesterError('BROKER.NOT_CONNECTED', 'socket closed during handshake'));
      const cancelTimer = this.timers.after(deadlineMs, () =>
        finish(new HarvesterError('BROKER.CONNECT_TIMEOUT', `no nextValidId within ${deadlineMs} ms`)),
      );
      this.ib.on(EventName.nextValidId, onReady);
      this.ib.on(EventName.info, onInfo);
      this.ib.on(EventName.error, onError);
      this.ib.on(EventName.disconnected, onClosed);
      this.socketOpen = true;
      this.beforeOpen();
      this.ib.connect(this.clientId);
    });
  }

  /** Forces the socket closed; the `disconnected` event follows asynchronously. */
  close(): void {
    this.up = false;
    if (this.socketOpen) this.ib.disconnect();
  }

  /** Closes and waits for the `disconnected` event (bounded: a socket that never reports is given up after 2 s). */
  closeAndWait(): Promise<void> {
    this.up = false;
    if (!this.socketOpen) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (): void => {
        if (!done) {
          done = true;
          cancel();
          resolve();
        }
      };
      const cancel = this.timers.after(2_000, () => {
        this.socketOpen = false;
        finish();
      });
      this.closedWaiters.push(finish);
      this.ib.disconnect();
    });
  }
}
