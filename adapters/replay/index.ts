import path from 'node:path';
import { toPrice } from '../../core/domain/units.js';
import { defineAdapter } from '../../plugins/sdk/define.js';
import { replayParams } from './params.js';
import { cachedGeneratedRecording } from './generated-recording.js';
import { RecordingReader } from './recording/recording-reader.js';
import { ReplayFeed } from './replay-feed.js';

export { ReplayFeed } from './replay-feed.js';
export { RecordingReader } from './recording/recording-reader.js';
export { RecordingWriter } from './recording/recording-writer.js';
export { generateSession } from './generator/market-generator.js';
export { generateToFile } from './generated-recording.js';

export default defineAdapter({
  id: 'replay',
  apiVersion: 1,
  description: 'Replays a Harvester recording (or a generated session) on the virtual clock.',
  provides: ['market-data'],
  paramsSchema: replayParams,
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
