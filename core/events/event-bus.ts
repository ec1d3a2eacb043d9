import { EventEmitter } from 'eventemitter3';
import type { Disposer } from '../../ports/create-token.js';
import type { HarvesterEventName, HarvesterEvents } from './harvester-events.js';

export type ErrorTimeSource = () => number;

/**
 * Typed publish/subscribe for the kernel. eventemitter3 neither catches a throwing listener nor treats 'error'
 * specially, so each listener is wrapped once, at subscription: a throw becomes a `plugin.error` event naming the
 * listener's owner and the loop goes on. The wrapper is created per subscription, not per event, so emitting
 * allocates nothing.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private reporting = false;

  constructor(private readonly now: ErrorTimeSource = () => 0) {}

  on<K extends HarvesterEventName>(event: K, listener: (payload: HarvesterEvents[K]) => void, owner = 'kernel'): Disposer {
    const wrapped = (payload: HarvesterEvents[K]): void => {
      try {
        listener(payload);
      } catch (error) {
        this.reportListenerError(owner, event, error);
      }
    };
    this.emitter.on(event, wrapped as (...args: unknown[]) => void);
    let disposed = false;
    return () => {
      if (disposed) return;
      disposed = true;
      this.emitter.off(event, wrapped as (...args: unknown[]) => void);
    };
  }

  emit<K extends HarvesterEventName>(event: K, payload: HarvesterEvents[K]): void {
    this.emitter.emit(event, payload);
  }

  hasListeners(event: HarvesterEventName): boolean {
    return this.emitter.listenerCount(event) > 0;
  }

  /** Run a plugin callback with the same isolation a listener gets. Returns false when it threw. */
  guard(owner: string, event: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (error) {
      this.reportListenerError(owner, event, error);
      return false;
    }
  }

  reportListenerError(owner: string, event: string, error: unknown): void {
    // A plugin.error listener that throws must not recurse forever.
    if (this.reporting) return;
    this.reporting = true;
    try {
      const err = error as { code?: unknown; message?: unknown };
      this.emitter.emit('plugin.error', {
        pluginId: owner,
        event,
        code: typeof err?.code === 'string' ? err.code : 'PLUGIN.LISTENER_THREW',
        message: typeof err?.message === 'string' ? err.message : String(error),
        at: this.now(),
      });
    } finally {
      this.reporting = false;
    }
  }

  removeAll(): void {
    this.emitter.removeAllListeners();
  }
}
