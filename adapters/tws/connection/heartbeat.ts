import type { TwsTimers } from './timers.js';

export interface HeartbeatOptions {
  /** Period between probes while the link is up. */
  intervalMs: number;
  /** How long one probe may wait for its `currentTime`. */
  timeoutMs: number;
  /** Consecutive unanswered probes that mean the link is dead. */
  maxMisses: number;
}

export interface HeartbeatHooks {
  /** Sends reqCurrentTime; resolves with TWS's time (epoch seconds) or rejects on its deadline. */
  probe: () => Promise<number>;
  beat: (serverSeconds: number) => void;
  dead: (misses: number) => void;
}

/**
 * Detects a socket that is open but dead (TWS frozen, a half-open TCP link, a frame whose length prefix never
 * completes): only an answer proves the link alive, so the adapter asks (reqCurrentTime) instead of trusting the
 * socket state. A `currentTime` proves the socket and TWS alive, nothing about IB's servers (that is 1100's job).
 */
export class TwsHeartbeat {
  private generation = 0;
  private misses = 0;
  private cancelTick: (() => void) | null = null;
  running = false;

  constructor(
    private readonly o: HeartbeatOptions,
    private readonly timers: TwsTimers,
    private readonly hooks: HeartbeatHooks,
  ) {}

  start(): void {
    this.stop();
    this.running = true;
    this.misses = 0;
    this.schedule(this.generation);
  }

  stop(): void {
    this.generation++;
    this.running = false;
    this.cancelTick?.();
    this.cancelTick = null;
  }

  private schedule(gen: number): void {
    this.cancelTick = this.timers.after(this.o.intervalMs, () => {
      this.cancelTick = null;
      this.probe(gen);
    });
  }

  private probe(gen: number): void {
    if (gen !== this.generation) return;
    this.hooks.probe().then(
      (serverSeconds) => {
        if (gen !== this.generation) return;
        this.misses = 0;
        this.hooks.beat(serverSeconds);
        this.schedule(gen);
      },
      () => {
        if (gen !== this.generation) return;
        this.misses++;
        if (this.misses >= this.o.maxMisses) {
          this.stop();
          this.hooks.dead(this.misses);
        } else this.probe(gen); // probe again at once: a second miss confirms, a late answer clears
      },
    );
  }
}
