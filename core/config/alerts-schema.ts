import { z } from 'zod';

const envRef = z.object({ $env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/), optional: z.boolean().optional() }).strict();
const secret = z.union([z.string().min(1), envRef]);

export const ALERT_LEVELS = ['critical', 'warning', 'info'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];
const level = z.enum([...ALERT_LEVELS, 'off']);

/** The alert types Harvester raises (docs/alerts.md says what triggers each). */
export const ALERT_TYPES = [
  'kill-switch',
  'disconnect',
  'stale-data',
  'reject-storm',
  'read-only',
  'entitlement',
  'reconciliation',
  'learning-rollback',
  'flatten-failed',
  'process-died',
  'plugin-error',
  'session',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** A per-type level override: a type set to 'off' is never sent on that channel. */
const levels = z.partialRecord(z.enum(ALERT_TYPES), level).default({});

const base = {
  /** The least severe level this channel sends. */
  minLevel: z.enum(ALERT_LEVELS).default('warning'),
  levels,
};

const webhook = z
  .object({
    type: z.literal('webhook'),
    url: secret,
    /** Body shape: a generic JSON object, or Slack's / Discord's incoming-webhook shape. */
    shape: z.enum(['json', 'slack', 'discord']).default('json'),
    ...base,
  })
  .strict();

const telegram = z
  .object({
    type: z.literal('telegram'),
    /** Bot API base URL; tests point it at a local fake. */
    baseUrl: z.string().url().default('https://api.telegram.org'),
    token: secret,
    chatId: z.union([z.string().min(1), z.number().int(), envRef]),
    ...base,
  })
  .strict();

const smtp = z
  .object({
    type: z.literal('smtp'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    secure: z.boolean().default(false),
    user: secret.optional(),
    pass: secret.optional(),
    from: z.string().min(3),
    to: z.union([z.string().min(3), z.array(z.string().min(3)).min(1)]),
    ...base,
  })
  .strict();

export const alertsSchema = z
  .object({
    channels: z.array(z.discriminatedUnion('type', [webhook, telegram, smtp])).default([]),
    /** Level of each alert type before channel overrides. */
    levels: levels,
    /** A broker link down longer than this is a critical alert (a blip that recovers sooner is not). */
    disconnectAfterSec: z.number().positive().max(3600).default(30),
    /** This many order rejects within the window is a reject storm. */
    rejectStorm: z
      .object({ count: z.number().int().min(2).default(5), windowSec: z.number().positive().default(60) })
      .strict()
      .default({ count: 5, windowSec: 60 }),
    /** The same alert (type + key) is sent once per this window. */
    dedupeSec: z.number().nonnegative().default(300),
    /** At most this many alerts per channel per minute; the rest are counted and summarised. */
    maxPerMinute: z.number().int().positive().default(20),
    /** Delivery attempts per alert and channel, with exponential backoff from `retryBaseMs`. */
    retries: z.number().int().min(1).max(10).default(4),
    retryBaseMs: z.number().int().positive().default(500),
    /** The dead-man's switch: a heartbeat file a separate watcher process reads; a missed beat is `process-died`. */
    deadMan: z
      .object({
        enabled: z.boolean().default(true),
        intervalMs: z.number().int().min(100).default(1_000),
        missAfterMs: z.number().int().min(200).default(5_000),
        /** How long the session may take to start (load or generate the day, connect, recover) before it counts as hung. */
        startupMs: z.number().int().min(1_000).default(300_000),
      })
      .strict()
      .default({ enabled: true, intervalMs: 1_000, missAfterMs: 5_000, startupMs: 300_000 }),
  })
  .strict();

export type AlertsConfig = z.output<typeof alertsSchema>;
export type AlertChannelConfig = AlertsConfig['channels'][number];
