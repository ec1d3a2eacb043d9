import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { createHarvester } from '../../core/di/container.js';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { benchStrategy } from './bench-strategy.js';

export interface FrameworkRun {
  events: number;
  orders: number;
  fills: number;
  elapsedMs: number;
  steadyMs: number;
  eventsPerSec: number;
  wholeRunEventsPerSec: number;
  /** CPU time of the process (all threads) over the steady window: less swayed by other load than wall time. */
  steadyCpuMs: number;
}

/**
 * The whole framework on one recording: replay feed → books → bench strategy → risk chain → simulated broker →
 * SQLite journal, through the same composition root `harvester run` uses.
 */
export async function runFramework(o: {
  marketData: Record<string, unknown>;
  symbol: string;
  date: string;
  start: string;
  end: string;
  seed?: number;
  dataDir: string;
  strategy?: 'bench' | 'lmp';
}): Promise<FrameworkRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-bench-'));
  try {
    const resolved = await resolveConfig(
      {
        seed: o.seed ?? 1,
        session: { date: o.date, timeZone: 'America/New_York', start: o.start, end: o.end },
        marketData: { use: 'replay', params: o.marketData },
        broker: { use: 'simulated', params: {} },
        store: { use: 'typeorm', params: { file: path.join(dir, 'bench.sqlite') } },
        risk: [
          { use: 'max-position', action: 'reject', params: { maxShares: 1_000 } },
          { use: 'daily-loss', action: 'halt', params: {} },
        ],
        // 'lmp' is the product's default strategy at its defaults (harvester.config.ts); 'bench' the shared L2 arithmetic.
        strategies: [
          o.strategy === 'lmp' ? { use: 'lmp', params: { symbol: o.symbol } } : { use: benchStrategy, params: { symbol: o.symbol } },
        ],
        ...(o.strategy === 'lmp'
          ? { instruments: [{ symbol: o.symbol, tick: 0.01 }], account: { currency: 'USD', startEquity: 100_000 } }
          : {}),
        dataDir: o.dataDir,
      },
      { builtins: await builtinPlugins(), baseDir: process.cwd() },
    );
    const quiet = () => ({ debug: () => {}, info: () => {}, warn: () => {} });
    const runtime = await createHarvester(resolved, {
      sessionId: `bench-${o.symbol}`,
      wallStartedAt: new Date().toISOString(),
      log: quiet,
    });
    // Steady state only: from the session start (connected, subscribed) to the end of playback; startup and the
    // final flush are fixed costs reported separately.
    let playStart = 0;
    let playEnd = 0;
    let cpuStart = process.cpuUsage();
    let cpuEnd = cpuStart;
    runtime.parts.bus.on('session.started', () => {
      playStart = performance.now();
      cpuStart = process.cpuUsage();
    });
    const t0 = performance.now();
    const result = await runtime.engine.run({
      progressEvery: Number.MAX_SAFE_INTEGER,
      onProgress: () => {
        playEnd = performance.now();
        cpuEnd = process.cpuUsage();
      },
    });
    const elapsedMs = performance.now() - t0;
    await runtime.close();
    const steadyMs = playEnd - playStart;
    return {
      events: result.events,
      orders: result.orders,
      fills: result.fills,
      elapsedMs: Math.round(elapsedMs),
      steadyMs: Math.round(steadyMs),
      eventsPerSec: Math.round(result.events / (steadyMs / 1000)),
      wholeRunEventsPerSec: Math.round(result.events / (elapsedMs / 1000)),
      steadyCpuMs: Math.round((cpuEnd.user + cpuEnd.system - cpuStart.user - cpuStart.system) / 1000),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
