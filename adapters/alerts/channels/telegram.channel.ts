import type { Alert, AlertChannel } from '../alert.js';
import { alertText } from '../alert.js';

/** Telegram's Bot API `sendMessage`; the base URL is configurable so tests point it at a local fake. */
export function telegramChannel(baseUrl: string, token: string, chatId: string | number, timeoutMs = 5_000): AlertChannel {
  const url = `${baseUrl.replace(/\/$/, '')}/bot${token}/sendMessage`;
  return {
    name: 'telegram',
    async send(alert: Alert): Promise<void> {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: chatId, text: alertText(alert).slice(0, 4096), disable_web_page_preview: true }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const answer = (await res.json().catch(() => ({}))) as { ok?: boolean; description?: string };
      if (!res.ok || answer.ok !== true)
        throw new Error(`telegram answered ${res.status}${answer.description ? `: ${answer.description}` : ''}`);
    },
  };
}
