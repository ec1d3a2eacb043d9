/**
 * `--stages` for bench/tick-to-order.ts: when each sample passed the stages of the path, in µs after the venue
 * published its frame (one monotonic clock for both threads). Wraps a few methods of the unmodified @stoqey/ib client
 * and of JournalWriter, only when asked: the plain figures are measured without these wrappers.
 */
import { createRequire } from 'node:module';
import { JournalWriter } from '../../core/engine/journal-writer.js';

export const STAGES = ['recv', 'decoded', 'onBook', 'commitIn', 'commitOut', 'placeOrder', 'encoded', 'written', 'end'] as const;
export type Stage = (typeof STAGES)[number];

interface Proto {
  [k: string]: (this: unknown, ...a: unknown[]) => unknown;
}

export class StageClock {
  private readonly rows = new Map<number, Partial<Record<Stage, number>>>();
  private readonly shared: BigInt64Array;

  constructor(clock: SharedArrayBuffer) {
    this.shared = new BigInt64Array(clock);
  }

  /** The first time the current sample reaches `stage`. */
  mark(stage: Stage): void {
    const t = process.hrtime.bigint();
    const i = Number(this.shared[0]);
    let row = this.rows.get(i);
    if (row === undefined) this.rows.set(i, (row = {}));
    row[stage] ??= Number(t - this.shared[1]!) / 1000;
  }

  install(): void {
    const req = createRequire(import.meta.url);
    const socket = req('@stoqey/ib/dist/core/io/socket.js').Socket.prototype as Proto;
    const controller = req('@stoqey/ib/dist/core/io/controller.js').Controller.prototype as Proto;
    const self = this;
    const wrap = (proto: Proto, name: string, around: (orig: Proto[string], self: unknown, a: unknown[]) => unknown): void => {
      const orig = proto[name]!;
      proto[name] = function (this: unknown, ...a: unknown[]) {
        return around(orig, this, a);
      };
    };
    wrap(socket, 'onData', (orig, s, a) => {
      self.mark('recv');
      return orig.apply(s, a);
    });
    wrap(controller, 'emitEvent', (orig, s, a) => {
      if (String(a[0]).startsWith('updateMktDepth')) self.mark('decoded');
      return orig.apply(s, a);
    });
    const api = req('@stoqey/ib/dist/api/api.js').IBApi.prototype as Proto;
    wrap(api, 'placeOrder', (orig, s, a) => {
      self.mark('placeOrder');
      return orig.apply(s, a);
    });
    wrap(socket, 'send', (orig, s, a) => {
      const place = firstLeaf(a[0]) === 3; // PLACE_ORDER
      if (place) self.mark('encoded');
      const r = orig.apply(s, a);
      if (place) self.mark('written');
      return r;
    });
    const w = JournalWriter.prototype as unknown as Proto;
    wrap(w, 'durable', (orig, s, a) => {
      self.mark('commitIn');
      const r = orig.apply(s, a);
      self.mark('commitOut');
      return r;
    });
  }

  /** Per stage p50/p90/p99 (µs after publication) over the measured samples, and the same for each step. */
  summary(latencyUs: readonly number[], from: number): string {
    const lines: string[] = [];
    const rows: Partial<Record<Stage, number>>[] = [];
    for (let i = from; i < latencyUs.length; i++) {
      if (Number.isNaN(latencyUs[i])) continue;
      rows.push({ ...this.rows.get(i), end: latencyUs[i]! });
    }
    const q = (xs: number[], p: number): number => Math.round(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? Number.NaN);
    let prev: Stage | null = null;
    for (const s of STAGES) {
      const at = rows
        .map((r) => r[s])
        .filter((x): x is number => x !== undefined)
        .sort((a, b) => a - b);
      let step = '';
      if (prev !== null) {
        const p = prev;
        const d = rows
          .filter((r) => r[s] !== undefined && r[p] !== undefined)
          .map((r) => r[s]! - r[p]!)
          .sort((a, b) => a - b);
        step = `  step from ${p}: p50 ${q(d, 0.5)} p90 ${q(d, 0.9)} p99 ${q(d, 0.99)}`;
      }
      lines.push(`${s.padEnd(9)} n ${String(at.length).padStart(5)}  at p50 ${q(at, 0.5)} p90 ${q(at, 0.9)} p99 ${q(at, 0.99)}${step}`);
      prev = s;
    }
    return lines.join('\n');
  }
}

function firstLeaf(x: unknown): unknown {
  while (Array.isArray(x)) x = x[0];
  return x;
}
