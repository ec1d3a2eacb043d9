import fs from 'node:fs';
import path from 'node:path';
import type { AlertLevel, AlertsConfig, AlertType } from '../../core/config/alerts-schema.js';
import type { Alert, AlertChannel } from './alert.js';

const RANK: Readonly<Record<AlertLevel, number>> = { critical: 3, warning: 2, info: 1 };

export interface ChannelEntry {
  channel: AlertChannel;
  minLevel: AlertLevel;
  levels: Partial<Record<AlertType, AlertLevel | 'off'>>;
}

export interface OutboxRecord {
  state: 'raised' | 'sent' | 'failed' | 'suppressed';
  channel?: string;
  attempt?: number;
  error?: string;
  latencyMs?: number;
  alert: Alert;
}

/**
 * Delivers alerts off the hot path: `raise` only appends to a durable outbox file and queues; each channel drains
 * its own queue with retries and exponential backoff, a per-minute cap and de-duplication by type + key. Every
 * outcome (raised, sent with its latency, failed with the error, suppressed) is appended to the outbox
 * (<dataDir>/alerts/<session>.jsonl), which is the alert journal: it survives a crash and is kept out of the trading
 * journal's digest, whose rows must not depend on how fast a webhook answers.
 */
export class AlertDispatcher {
  private readonly queues = new Map<ChannelEntry, Alert[]>();
  private readonly busy = new Set<ChannelEntry>();
  private readonly lastSent = new Map<string, number>();
  private readonly sentThisMinute = new Map<ChannelEntry, { minute: number; count: number; dropped: number }>();
  private readonly idle: (() => void)[] = [];
  private readonly fd: number | null;
  private closed = false;

  constructor(
    private readonly channels: readonly ChannelEntry[],
    private readonly config: Pick<AlertsConfig, 'dedupeSec' | 'maxPerMinute' | 'retries' | 'retryBaseMs'>,
    outboxFile: string | null,
    private readonly onRecord: (r: OutboxRecord) => void = () => {},
  ) {
    if (outboxFile !== null) fs.mkdirSync(path.dirname(outboxFile), { recursive: true });
    this.fd = outboxFile === null ? null : fs.openSync(outboxFile, 'a', 0o600);
    for (const c of channels) this.queues.set(c, []);
  }

  get channelCount(): number {
    return this.channels.length;
  }

  raise(alert: Alert): void {
    if (this.closed) return;
    const dedupeKey = `${alert.type}|${alert.key}`;
    const last = this.lastSent.get(dedupeKey);
    if (last !== undefined && alert.raisedWallMs - last < this.config.dedupeSec * 1000) {
      this.record({ state: 'suppressed', error: 'duplicate within the de-dup window', alert });
      return;
    }
    this.lastSent.set(dedupeKey, alert.raisedWallMs);
    this.record({ state: 'raised', alert });
    for (const c of this.channels) {
      const level = c.levels[alert.type] ?? alert.level;
      if (level === 'off' || RANK[level] < RANK[c.minLevel]) continue;
      this.queues.get(c)!.push(alert);
      void this.drain(c);
    }
  }

  /** Resolves when every queued alert has been delivered or given up on (bounded by the retry schedule). */
  async settled(): Promise<void> {
    if (this.busy.size === 0) return;
    await new Promise<void>((r) => this.idle.push(r));
  }

  /** Waits for deliveries in flight (at most `maxWaitMs`), then closes the channels and the outbox. */
  async close(maxWaitMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.settled(),
      new Promise<void>((r) => {
        timer = setTimeout(r, maxWaitMs);
      }),
    ]);
    clearTimeout(timer);
    this.closed = true;
    for (const c of this.channels) await c.channel.close?.();
    if (this.fd !== null) fs.closeSync(this.fd);
  }

  private async drain(c: ChannelEntry): Promise<void> {
    if (this.busy.has(c)) return;
    this.busy.add(c);
    const queue = this.queues.get(c)!;
    try {
      while (queue.length > 0) {
        const alert = queue.shift()!;
        if (!this.underCap(c, alert)) continue;
        await this.deliver(c, alert);
      }
    } finally {
      this.busy.delete(c);
      if (this.busy.size === 0) for (const r of this.idle.splice(0)) r();
    }
  }

  private underCap(c: ChannelEntry, alert: Alert): boolean {
    const minute = Math.floor(Date.now() / 60_000);
    let w = this.sentThisMinute.get(c);
    if (w === undefined || w.minute !== minute) {
      w = { minute, count: 0, dropped: 0 };
      this.sentThisMinute.set(c, w);
    }
    if (w.count >= this.config.maxPerMinute && alert.level !== 'critical') {
      w.dropped++;
      this.record({ state: 'suppressed', channel: c.channel.name, error: `over ${this.config.maxPerMinute} alerts a minute`, alert });
      return false;
    }
    w.count++;
    return true;
  }

  private async deliver(c: ChannelEntry, alert: Alert): Promise<void> {
    for (let attempt = 1; attempt <= this.config.retries; attempt++) {
      try {
        await c.channel.send(alert);
        this.record({ state: 'sent', channel: c.channel.name, attempt, latencyMs: Date.now() - alert.raisedWallMs, alert });
        return;
      } catch (error) {
        const last = attempt === this.config.retries;
        this.record({ state: 'failed', channel: c.channel.name, attempt, error: (error as Error).message, alert });
        if (last) return;
        await new Promise((r) => setTimeout(r, this.config.retryBaseMs * 2 ** (attempt - 1)));
      }
    }
  }

  private record(r: OutboxRecord): void {
    if (this.fd !== null) fs.writeSync(this.fd, `${JSON.stringify({ wallMs: Date.now(), ...r })}\n`);
    this.onRecord(r);
  }
}
