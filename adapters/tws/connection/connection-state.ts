import { EventEmitter } from 'eventemitter3';
import type { ErrorCode } from '../../../core/errors/error-codes.js';
import type { Micros } from '../../../core/domain/units.js';
import { CONNECTION_TRANSITIONS, type ConnectionState } from '../../../ports/broker-adapter.js';
import type { ConnectionEvents, ConnectionNotice } from './connection.types.js';

/**
 * The connection's observable state: the state machine (only the transitions in CONNECTION_TRANSITIONS, each one
 * emitted as `state`), what the heartbeat measured and the reconnect count that `health()` reports. Kept apart from
 * the socket work in TwsConnection so that the rules about which transitions exist live in one short place.
 */
export class TwsConnectionState extends EventEmitter<ConnectionEvents> {
  state: ConnectionState = 'Disconnected';
  lastHeartbeatAt: Micros | null = null;
  /** TWS time minus local receive time, ±1 s (currentTime has whole-second resolution). */
  clockSkewUs: number | null = null;
  reconnects = 0;

  move(to: ConnectionState, reason: string): boolean {
    if (this.state === to || !CONNECTION_TRANSITIONS[this.state].includes(to)) return false;
    const from = this.state;
    this.state = to;
    this.emit('state', from, to, reason);
    return true;
  }

  protected notice(code: number, harvesterCode: ErrorCode, severity: ConnectionNotice['severity'], message: string): void {
    this.emit('notice', { code, harvesterCode, severity, message });
  }
}
