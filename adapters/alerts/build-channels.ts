import type { AlertsConfig } from '../../core/config/alerts-schema.js';
import type { ChannelEntry } from './alert-dispatcher.js';
import { smtpChannel } from './channels/smtp.channel.js';
import { telegramChannel } from './channels/telegram.channel.js';
import { webhookChannel } from './channels/webhook.channel.js';

/** The configured channels (env references already resolved by the config loader). */
export function buildChannels(config: AlertsConfig): ChannelEntry[] {
  return config.channels.map((c) => {
    const channel =
      c.type === 'webhook'
        ? webhookChannel(String(c.url), c.shape)
        : c.type === 'telegram'
          ? telegramChannel(c.baseUrl, String(c.token), c.chatId as string | number)
          : smtpChannel({
              host: c.host,
              port: c.port,
              secure: c.secure,
              from: c.from,
              to: c.to,
              ...(c.user !== undefined ? { user: String(c.user) } : {}),
              ...(c.pass !== undefined ? { pass: String(c.pass) } : {}),
            });
    return { channel, minLevel: c.minLevel, levels: c.levels };
  });
}
