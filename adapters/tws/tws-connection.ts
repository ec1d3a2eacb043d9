import { EventName, IBApi } from '@stoqey/ib';
import { EventEmitter } from 'eventemitter3';
import { HarvesterError } from '../../core/errors/harvester-error.js';
import { CONNECTION_TRANSITIONS, type ConnectionState } from '../../ports/broker-adapter.js';
import type { Clock } from '../../ports/clock.js';
import { ruleFor } from './error-table.js';

export interface TwsConnectionOptions {
  host: string;
  port: number;
  clientId: number;
  clock: Clock;
  connectTimeoutMs: number;
  /** Reconnect ladder (ms); seeded jitter of up to 20 % is added to each step. */
  backoffMs: readonly number[];
  jitter: () => number;
}

export interface ConnectionEvents {
  state: (from: ConnectionState, to: ConnectionState, reason: string) => void;
  /** An IB error/info code, routed: reqId −1 for session-level ones. */
  code: (code: number, reqId: number, message: string) => void;
  /** A new link is up (after a reconnect): subscribers re-request and reconcile. */
  restored: () => void;
}

/**
 * One socket per client id. Owns the connection state machine (only the transitions in CONNECTION_TRANSITIONS),
 * the order-id allocator seeded from nextValidId, the handshake deadline, and the bounded reconnect ladder.
 */
export class TwsConnection extends EventEmitter<ConnectionEvents> {
  readonly ib: IBApi;
  state: ConnectionState = 'Disconnected';
  accounts: string[] = [];
  private nextOrderId = 0;
  private userClosed = false;
  private attempts = 0;

  constructor(private readonly o: TwsConnectionOptions) {
    super();
    this.ib = new IBApi({ host: o.host, port: o.port });
    this.ib.on(EventName.managedAccounts, (list: string) => { this.accounts = list.split(',').map((a) => a.trim()).filter(Boolean); });
    this.ib.on(EventName.nextValidId, (id: number) => { if (id > this.nextOrderId) this.nextOrderId = id; });
    this.ib.on(EventName.error, (err: Error, code: number, reqId: number) => this.onCode(code ?? -1, reqId ?? -1, err?.message ?? String(err)));
    this.ib.on(EventName.info, (message: string, code: number) => this.onCode(code, -1, message));
    this.ib.on(EventName.disconnected, () => this.onDisconnected());
  }

  /** Resolves once TWS sent nextValidId and the managed accounts; rejects on the deadline or 326. */
  connect(): Promise<void> {
    if (this.state !== 'Disconnected') return Promise.resolve();
    this.userClosed = false;
    this.move('Connecting', 'requested');
    return this.handshake();
  }

  disconnect(): void {
    this.userClosed = true;
    if (this.state === 'Disconnected') return;
    this.ib.disconnect();
    this.move('Disconnected', 'requested');
  }

  /** One allocator for every order id this client sends. */
  allocateOrderId(): number {
    return this.nextOrderId++;
  }

  move(to: ConnectionState, reason: string): void {
    if (this.state === to) return;
    if (!CONNECTION_TRANSITIONS[this.state].includes(to)) return;
    const from = this.state;
    this.state = to;
    this.emit('state', from, to, reason);
  }

  private handshake(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (error?: HarvesterError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.ib.off(EventName.nextValidId, onReady);
        this.off('code', onCode);
        if (error) {
          this.ib.disconnect();
          if (this.state !== 'Disconnected') this.move('Disconnected', error.message);
          reject(error);
        } else resolve();
      };
      const onReady = (): void => {
        // managedAccounts precedes nextValidId on the wire; the accounts are known here.
        setImmediate(() => done());
      };
      const onCode = (code: number): void => {
        if (code === 326) done(new HarvesterError('BROKER.CLIENT_ID_IN_USE', `client id ${this.o.clientId} is already in use (IB 326): choose another fixed client id`));
      };
      const timer = setTimeout(() => done(new HarvesterError('BROKER.CONNECT_TIMEOUT', `no nextValidId from ${this.o.host}:${this.o.port} within ${this.o.connectTimeoutMs} ms`)), this.o.connectTimeoutMs);
      this.ib.on(EventName.nextValidId, onReady);
      this.on('code', onCode);
      this.ib.connect(this.o.clientId);
    });
  }

  private onCode(code: number, reqId: number, message: string): void {
    const rule = ruleFor(code);
    if (rule.action === 'connectivity') {
      if (code === 1100 || code === 2110) this.move('Degraded', `IB ${code}`);
      else if (this.state === 'Degraded') this.move('Connected', `IB ${code}`);
      if (code === 1101) this.emit('restored');
    }
    this.emit('code', code, reqId, message);
  }

  private onDisconnected(): void {
    if (this.userClosed || this.state === 'Disconnected' || this.state === 'Connecting') return;
    this.move('Reconnecting', 'socket closed');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const ladder = this.o.backoffMs;
    if (this.attempts >= ladder.length) {
      this.move('Halting', `reconnect failed after ${this.attempts} attempts`);
      this.move('Disconnected', 'gave up');
      return;
    }
    const base = ladder[this.attempts++]!;
    setTimeout(() => {
      if (this.userClosed || this.state !== 'Reconnecting') return;
      this.handshakeAgain().then(
        () => { this.attempts = 0; this.emit('restored'); },
        () => this.scheduleReconnect(),
      );
    }, Math.round(base * (1 + 0.2 * this.o.jitter()))).unref?.();
  }

  private handshakeAgain(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { this.ib.off(EventName.nextValidId, ok); reject(new Error('timeout')); }, this.o.connectTimeoutMs);
      const ok = (): void => { clearTimeout(timer); this.ib.off(EventName.nextValidId, ok); resolve(); };
      this.ib.on(EventName.nextValidId, ok);
      this.ib.connect(this.o.clientId);
    });
  }
}
