import pino from 'pino';
import type { StrategyLog } from '../../ports/strategy.js';
import { scrubDeep } from '../../core/config/redact.js';

/**
 * Structured logs on stderr (stdout belongs to summaries and `--json`). Every message and every field passes
 * through `scrubDeep` (core/config/redact.ts, the same function the journal writer uses), so a secret that reached
 * a foreign message (a TWS error text, say) is still redacted.
 */
export function createLogFactory(level: string, secrets: readonly string[] = []): (pluginId: string) => StrategyLog {
  const root = pino(
    {
      level,
      base: undefined,
      timestamp: false,
      redact: { paths: ['*.password', '*.secret', '*.token', '*.account', '*.apiKey'], censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, scrubDeep(args, secrets) as Parameters<typeof method>);
        },
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
  return (pluginId: string) => {
    const child = root.child({ plugin: pluginId });
    return {
      debug: (message, fields) => child.debug(fields ?? {}, message),
      info: (message, fields) => child.info(fields ?? {}, message),
      warn: (message, fields) => child.warn(fields ?? {}, message),
    };
  };
}
