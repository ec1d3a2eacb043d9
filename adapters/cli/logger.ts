import pino from 'pino';
import type { StrategyLog } from '../../ports/strategy.js';
import { scrub } from '../../core/config/redact.js';

/**
 * Structured logs on stderr (stdout belongs to summaries and `--json`). Every line passes through `scrub`, so a
 * secret that reached a foreign message (a TWS error text, say) is still redacted.
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
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a, secrets) : a)) as Parameters<typeof method>);
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
