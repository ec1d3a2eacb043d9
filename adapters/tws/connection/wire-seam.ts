import type { IBApi } from '@stoqey/ib';
import { TwsFrameGuard, type FrameGuardSink } from './frame-guard.js';

/** The parts of @stoqey/ib 1.6.10's internals the seam touches (`IBApi.controller`, its `socket` and `decoder`). */
interface LibraryInternals {
  controller?: {
    socket?: { onData?: (data: Buffer) => void; serverVersion?: number };
    decoder?: { dataQueue?: unknown[]; emitQueue?: unknown[] };
  };
}

/**
 * Puts a {@link TwsFrameGuard} between the socket and @stoqey/ib's decoder without modifying the library
 * (docs/tws-wire-safety.md, "The seam"). The library's `Socket` registers its TCP handler as
 * `.on("data", (data) => this.onData(data))`, so the method is looked up on the instance at every chunk: an own
 * property `onData` on that instance receives the raw bytes first, and hands the checked frames to the prototype's
 * `onData`, one whole frame at a time. The alternative, a loopback pass-through proxy, would add a second socket
 * and a port per client for the same check. The shape is verified here, so a library upgrade that moves these
 * internals fails at construction, loudly, rather than leaving the guard silently bypassed.
 */
export function installFrameGuard(ib: IBApi, sink: Omit<FrameGuardSink, 'deliver' | 'decoderThrew'>): TwsFrameGuard {
  const controller = (ib as unknown as LibraryInternals).controller;
  const socket = controller?.socket;
  const original = socket?.onData;
  if (socket === undefined || typeof original !== 'function' || controller?.decoder === undefined) {
    throw new Error(
      '@stoqey/ib internals changed: IBApi.controller.socket.onData / ' +
        'controller.decoder not found; the inbound frame guard cannot be installed',
    );
  }
  const decoder = controller.decoder;
  const guard = new TwsFrameGuard(
    {
      deliver: (frame) => original.call(socket, frame),
      dropped: (fault, detail, fatal) => sink.dropped(fault, detail, fatal),
      // A throw left the rest of that frame's tokens queued; the next frame would be read from the middle of it.
      decoderThrew: () => {
        decoder.dataQueue = [];
        decoder.emitQueue = [];
      },
    },
    () => socket.serverVersion ?? 0,
  );
  socket.onData = (data: Buffer): void => {
    try {
      guard.feed(data);
    } catch (e) {
      // The guard itself must never throw into the socket's 'data' emitter (an uncaughtException).
      sink.dropped('decoder-threw', `frame guard: ${(e as Error)?.message ?? String(e)}`, true);
    }
  };
  return guard;
}
