import path from 'node:path';
import { z } from 'zod';
import { toPrice } from '../../core/domain/units.js';
import { defineAdapter } from '../../plugins/sdk/define.js';
import { cachedGeneratedRecording } from './generated-recording.js';
import { RecordingReader } from './recording/recording-reader.js';
import { ReplayFeed } from './replay-feed.js';

export { ReplayFeed } from './replay-feed.js';
export { RecordingReader } from './recording/recording-reader.js';
export { RecordingWriter } from './recording/recording-writer.js';
export { generateSession } from './generator/market-generator.js';
export { generateToFile } from './generated-recording.js';

const params = z
  .object({
    /**
     * A Harvester recording (.hrec), relative to the working directory, or several (one symbol each), played as one
     * stream merged by receive time.
     */
    recording: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Generate a session instead (cached under <dataDir>/recordings); the window is the config's session. */
    generate: z
      .object({
        symbol: z.string().min(1).default('HRVST'),
        /** Defaults to the config seed. */
        seed: z.number().int().nonnegative().optional(),
        /** Opening price, dollars. */
        startPrice: z.number().positive().default(32.5),
        tick: z.number().positive().default(0.01),
        intensity: z.number().positive().max(50).default(1),
        incidents: z.boolean().default(true),
        /**
         * `none` (the default when absent): no learnable signal. `planted`: a hidden quality per shelf episode,
         * seen only through the shelf's size (adapters/replay/generator/planted.ts). No default is written, so an
         * existing config resolves, and journals, exactly as before.
         */
        signal: z.enum(['none', 'planted', 'null']).optional(),
        /** Planted only: the observable–outcome link flipped (the poisoned regime). */
        invert: z.boolean().optional(),
        /** Planted only: the planted market's version (default the newest; 3 stays selectable). */
        plantedVersion: z.union([z.literal(3), z.literal(4)]).optional(),
      })
      .strict()
      .optional(),
    lineBudget: z.number().int().positive().default(100),
    depthBudget: z.number().int().positive().default(3),
    recvLatencyUs: z.number().int().nonnegative().default(0),
    /**
     * T_stale in ms (card FEED-23, docs/conformance-cards.md#feed-23); 0 = off, since the kill switch makes any `feed.stale` SAFE_MODE and
     * recorded tapes go quiet.
     */
    staleMs: z.number().int().nonnegative().default(0),
  })
  .strict()
  .refine((p) => (p.recording === undefined) !== (p.generate === undefined), {
    message: 'give exactly one of recording or generate',
    path: ['recording'],
  });

export default defineAdapter({
  id: 'replay',
  apiVersion: 1,
  description: 'Replays a Harvester recording (or a generated session) on the virtual clock.',
  provides: ['market-data'],
  paramsSchema: params,
  create: (ctx) => {
    const p = ctx.params;
    const files =
      p.recording !== undefined
        ? (Array.isArray(p.recording) ? p.recording : [p.recording]).map((f) => path.resolve(f))
        : [
            cachedGeneratedRecording(ctx.dataDir, {
              seed: p.generate!.seed ?? ctx.seed,
              symbol: p.generate!.symbol,
              date: ctx.session.date,
              timeZone: ctx.session.timeZone,
              startTime: ctx.session.start,
              endTime: ctx.session.end,
              tick: toPrice(p.generate!.tick),
              startPrice: toPrice(p.generate!.startPrice),
              intensity: p.generate!.intensity,
              incidents: p.generate!.incidents,
              ...(p.generate!.signal === undefined ? {} : { signal: p.generate!.signal }),
              ...(p.generate!.invert === undefined ? {} : { invert: p.generate!.invert }),
              ...(p.generate!.plantedVersion === undefined ? {} : { plantedVersion: p.generate!.plantedVersion }),
            }),
          ];
    // Open each file once up front: a missing or foreign file fails at startup, naming it, not mid-session.
    for (const file of files) RecordingReader.open(file).close();
    const feed = new ReplayFeed({
      files,
      clock: ctx.clock,
      sessionEnd: ctx.session.end,
      lineBudget: p.lineBudget,
      depthBudget: p.depthBudget,
      recvLatencyUs: p.recvLatencyUs,
      instrument: (symbol) => ctx.instrument(symbol),
      staleUs: p.staleMs * 1000,
    });
    return { feed, close: () => feed.dispose() };
  },
});
