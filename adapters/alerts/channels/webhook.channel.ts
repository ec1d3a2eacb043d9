import type { Alert, AlertChannel } from '../alert.js';
import { alertText } from '../alert.js';

/** A generic JSON webhook, or Slack's (`text`) and Discord's (`content`) incoming-webhook shapes. */
export function webhookChannel(url: string, shape: 'json' | 'slack' | 'discord', timeoutMs = 5_000): AlertChannel {
  return {
    name: `webhook:${shape}`,
    async send(alert: Alert): Promise<void> {
      const body =
        shape === 'slack'
          ? { text: alertText(alert) }
          : shape === 'discord'
            ? { content: alertText(alert).slice(0, 2000) }
            : {
                type: alert.type,
                level: alert.level,
                key: alert.key,
                title: alert.title,
                detail: alert.detail,
                sessionId: alert.sessionId,
                at: alert.at,
              };
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      await res.arrayBuffer();
    },
  };
}
