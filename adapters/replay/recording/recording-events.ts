import type { MarketEvent } from '../../../core/domain/market.js';
import { RecordingReader, type CorruptBlock } from './recording-reader.js';

/**
 * A recording as an async iterable of (copied) market events, read one block at a time: the reader waits while the
 * consumer works through a block, so memory stays at one block whatever the file size. Corrupt blocks are skipped by
 * the reader and reported to `onCorrupt`; the file is closed when iteration ends or is abandoned.
 */
export async function* recordingEvents(file: string, onCorrupt: (c: CorruptBlock) => void = () => {}): AsyncGenerator<MarketEvent> {
  const reader = RecordingReader.open(file);
  let block: MarketEvent[] = [];
  let release: (() => void) | null = null;
  let ready: (() => void) | null = null;
  let finished = false;
  let failure: unknown = null;
  const stop = new AbortController();
  const reading = reader.forEach({
    event: (e) => { block.push({ ...e } as MarketEvent); },
    corrupt: onCorrupt,
    blockEnd: () => (stop.signal.aborted ? undefined : new Promise<void>((resolve) => {
      release = resolve;
      ready?.();
    })),
  }, stop.signal).then(() => { finished = true; ready?.(); }, (e: unknown) => { failure = e; finished = true; ready?.(); });
  try {
    for (;;) {
      if (release === null && !finished) await new Promise<void>((resolve) => { ready = resolve; });
      ready = null;
      const events = block;
      block = [];
      yield* events;
      if (release !== null) {
        const go: () => void = release;
        release = null;
        go();
      } else if (finished) break;
    }
    if (failure !== null) throw failure;
  } finally {
    // Abandoned early (break, return, error): stop the reader before letting it past its current block.
    stop.abort();
    if (release !== null) (release as () => void)();
    await reading.catch(() => undefined);
    reader.close();
  }
}
