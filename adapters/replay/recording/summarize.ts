import { RecordingReader, type CorruptBlock } from './recording-reader.js';
import type { RecordingHeader } from './recording-format.js';

export interface RecordingSummary {
  header: RecordingHeader;
  events: number;
  blocks: number;
  byKind: Record<string, number>;
  firstTime: number | null;
  lastTime: number | null;
  corrupt: CorruptBlock[];
}

/** One streaming pass over a recording: header, counts per kind, time span, corrupt blocks (for `inspect`). */
export async function summarizeRecording(file: string): Promise<RecordingSummary> {
  const reader = RecordingReader.open(file);
  const byKind: Record<string, number> = { quote: 0, depth: 0, trade: 0, status: 0 };
  let firstTime: number | null = null;
  let lastTime: number | null = null;
  try {
    const r = await reader.forEach({
      event: (e) => {
        byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
        if (firstTime === null) firstTime = e.recvTime;
        lastTime = e.recvTime;
      },
    });
    return { header: reader.header, events: r.events, blocks: r.blocks, byKind, firstTime, lastTime, corrupt: r.corrupt };
  } finally {
    reader.close();
  }
}
