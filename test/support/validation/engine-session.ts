import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { builtinPlugins } from '../../../adapters/cli/builtin-plugins.js';
import { WallClock } from '../../../adapters/system-clock/wall-clock.js';
import { env } from '../../../core/config/env-ref.js';
import { resolveConfig } from '../../../core/config/resolve-config.js';
import { createHarvester } from '../../../core/di/container.js';
import { defineStrategy } from '../../../plugins/sdk/define.js';
import type { HarvesterEventName } from '../../../core/events/harvester-events.js';
import type { Strategy } from '../../../ports/strategy.js';
import { type ValidationTarget, sharedAdapterParams } from './target.js';
import { sessionAround } from '../../../core/config/session-window.js';

type StrategyFactory = (ctx: Parameters<Parameters<typeof defineStrategy>[0]['create']>[0]) => Strategy;
export type Runtime = Awaited<ReturnType<typeof createHarvester>>;

export interface EngineSession {
  runtime: Runtime;
  /** The watched kernel bus events, in order. */
  bus: { type: string; p: Record<string, unknown> }[];
  /** Stops the session (orderly: session-end flatten) and closes it; idempotent. */
  stop(): Promise<void>;
}

let sessions = 0;

/**
 * A paper session as `harvester run` builds it (resolveConfig → createHarvester → engine.run), the TWS adapter as
 * broker and feed on `port` (the target, or a proxy in front of it), a SQLite journal, on the wall clock, with
 * `strategy` as its only strategy. The session window spans now (New York time), as a paper session must.
 */
export async function startEngineSession(
  t: ValidationTarget,
  o: {
    port: number;
    clientId: number;
    strategy: StrategyFactory;
    watch: readonly HarvesterEventName[];
    killSwitch?: Record<string, unknown>;
    params?: Record<string, unknown>;
  },
): Promise<EngineSession> {
  const dir = path.join(t.dataDir, `engine-${++sessions}`);
  fs.mkdirSync(dir, { recursive: true });
  const tws = {
    host: '127.0.0.1',
    port: o.port,
    clientId: o.clientId,
    ...sharedAdapterParams(t),
    ...o.params,
  };
  const probe = defineStrategy({ id: 'validation-probe', apiVersion: 1, paramsSchema: z.object({}), create: o.strategy });
  const resolved = await resolveConfig(
    {
      mode: 'paper',
      session: sessionAround(Date.now(), 1, 5),
      account: { id: env('HV_VALIDATION_ACCOUNT'), startEquity: 100_000 },
      instruments: t.symbols.map((symbol) => ({ symbol, tick: 0.01 })),
      marketData: { use: 'tws', params: tws },
      broker: { use: 'tws', params: tws },
      store: { use: 'typeorm', params: { file: path.join(dir, 'validation.sqlite') } },
      risk: [{ use: 'max-position', action: 'reject', params: { maxShares: 1_000 } }],
      strategies: [{ use: 'validation-probe' }],
      ...(o.killSwitch ? { killSwitch: o.killSwitch } : {}),
      dataDir: dir,
    },
    { builtins: [...(await builtinPlugins()), probe], baseDir: process.cwd(), env: { HV_VALIDATION_ACCOUNT: t.account } },
  );
  const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
  const runtime = await createHarvester(resolved, {
    sessionId: `validation-${Date.now().toString(36)}-${sessions}`,
    wallStartedAt: new Date().toISOString(),
    clock: new WallClock(),
    log: quiet,
  });
  const bus: EngineSession['bus'] = [];
  for (const type of o.watch)
    runtime.parts.bus.on(
      type,
      (p: unknown) => {
        bus.push({ type, p: p as Record<string, unknown> });
      },
      'validation',
    );
  const abort = new AbortController();
  const running = runtime.engine.run({ signal: abort.signal });
  let stopped = false;
  return {
    runtime,
    bus,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      abort.abort();
      await running.catch(() => undefined);
      await runtime.close();
    },
  };
}
