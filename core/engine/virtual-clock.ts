import type { Micros } from '../domain/units.js';
import type { TimerHandle, VirtualClock } from '../../ports/clock.js';

interface Timer extends TimerHandle {
  at: Micros;
  callback: () => void;
  label: string;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to. Timers sit in a binary min-heap ordered by (at, id), so timers due at the
 * same instant fire in the order they were set — the property replay determinism rests on.
 */
export class ManualClock implements VirtualClock {
  readonly kind = 'virtual' as const;
  private time: Micros;
  private nextId = 1;
  private readonly heap: Timer[] = [];
  private pending = 0;

  constructor(start: Micros = 0) {
    this.time = start;
  }

  now(): Micros {
    return this.time;
  }

  setTimer(at: Micros, callback: () => void, label = ''): TimerHandle {
    const timer: Timer = { id: this.nextId++, at: at < this.time ? this.time : at, callback, label, cancelled: false };
    this.push(timer);
    this.pending++;
    return timer;
  }

  setTimeout(delay: Micros, callback: () => void, label = ''): TimerHandle {
    return this.setTimer(this.time + (delay > 0 ? delay : 0), callback, label);
  }

  cancelTimer(handle: TimerHandle): void {
    const timer = handle as Timer;
    if (!timer.cancelled) {
      timer.cancelled = true;
      this.pending--;
    }
  }

  /** Fires due timers one at a time; a timer set by a callback for a time ≤ t fires in this same call. */
  advanceTo(t: Micros): void {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (top.at > t) break;
      this.pop();
      if (top.cancelled) continue;
      top.cancelled = true;
      this.pending--;
      if (top.at > this.time) this.time = top.at;
      top.callback();
    }
    if (t > this.time) this.time = t;
  }

  nextTimerAt(): Micros | null {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap.length > 0 ? this.heap[0]!.at : null;
  }

  pendingTimers(): number {
    return this.pending;
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && this.less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && this.less(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
}
