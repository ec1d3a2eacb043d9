import type { MarketEvent } from '../../../core/domain/market.js';
import { createFlyweights } from './event-flyweights.js';
import { decodeAt } from './recording-format.js';
import { RecordingReader, type CorruptBlock } from './recording-reader.js';

/**
 * A recording as an async iterable of (copied) market events, pulled one block at a time from
 * `RecordingReader.blocks()`, so memory stays at one block whatever the file size. Corrupt blocks are skipped and
 * reported to `onCorrupt`; the file is closed when iteration ends or is abandoned. One event-loop turn is yielded
 * per block so a long file does not starve sockets and timers.
 */
export async function* recordingEvents(file: string, onCorrupt: (c: CorruptBlock) => void = () => {}): AsyncGenerator<MarketEvent> {
  const reader = RecordingReader.open(file);
  try {
    const fw = createFlyweights(reader.header.symbol);
    for (const b of reader.blocks()) {
      if (b.corrupt !== null) {
        onCorrupt(b.corrupt);
        continue;
      }
      for (let i = 0; i < b.count; i++) {
        const e = decodeAt(b.view, i, fw);
        if (e !== null) yield { ...e } as MarketEvent;
      }
      await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    reader.close();
  }
}
