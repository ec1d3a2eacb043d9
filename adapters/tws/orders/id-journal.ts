import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What identifies one order across a restart: Harvester's coid, TWS's per-client id, IB's permId, the orderRef. */
export interface OrderIdentity {
  coid: string;
  orderId: number;
  /** IB's account-wide id, stable across TWS restarts; null until TWS reported it. */
  permId: number | null;
  orderRef: string;
}

/** Where the journal's lines live: a file in production (FileIdJournalStore), memory in tests. */
export interface IdJournalStore {
  /** Every line written so far, oldest first. */
  load(): string[];
  /** Appends one line; it is written before this returns. */
  append(line: string): void;
  /** Replaces the whole content with `lines` (compaction); never leaves a half-written journal. */
  rewrite(lines: readonly string[]): void;
}

/** The journal file of one client id under the adapter's data directory. */
export function idJournalPath(dataDir: string, clientId: number): string {
  return join(dataDir, `tws-ids-${clientId}.jsonl`);
}

/**
 * Append-only JSON lines through one file descriptor opened in append mode: each line is handed to the OS by a
 * synchronous write before append() returns, so it is in the OS before placeOrder is called and a process crash
 * right after the send never loses the mapping (an OS crash may; the orderRef fallback then remains) — the same
 * guarantee appendFileSync gave, without a mkdir, open and close on every order (docs/tws-adapter.md, "The id journal").
 * Compaction writes a temporary file and renames it over the journal, so a crash during it keeps the old one; the
 * descriptor is then reopened on the new file, since the old one points at the replaced inode.
 */
export class FileIdJournalStore implements IdJournalStore {
  private fd: number | null = null;

  constructor(readonly path: string) {}

  load(): string[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8').split('\n');
  }

  append(line: string): void {
    const fd = this.fd ?? this.open();
    const buf = Buffer.from(`${line}\n`, 'utf8');
    // A regular file takes the whole buffer in one write; the loop only guards a short write (e.g. a signal).
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
  }

  rewrite(lines: readonly string[]): void {
    this.close();
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, lines.map((l) => `${l}\n`).join(''));
    renameSync(tmp, this.path);
  }

  /** Releases the descriptor; a later append opens it again. */
  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  private open(): number {
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a');
    return this.fd;
  }
}

/** For tests and for adapters without a data directory: survives the adapter only if the store object is reused. */
export class MemoryIdJournalStore implements IdJournalStore {
  lines: string[] = [];
  load(): string[] {
    return [...this.lines];
  }
  append(line: string): void {
    this.lines.push(line);
  }
  rewrite(lines: readonly string[]): void {
    this.lines = [...lines];
  }
}

type JournalLine =
  | { op: 'sent'; coid: string; orderId: number; orderRef: string }
  | { op: 'perm'; coid: string; permId: number }
  | { op: 'closed'; coid: string }
  /** The highest order id ever used, kept through compaction: the allocator never goes below it (IB 103). */
  | { op: 'seq'; orderId: number };

/**
 * coid ↔ TWS order id ↔ permId ↔ orderRef for every order this adapter sent (docs/tws-adapter.md#id-journal), so that a new process on the
 * same data directory adopts its orders with their original coids: by permId first (stable across TWS restarts and
 * rebinding), then by orderRef. It holds identifiers only: no account, no prices, no secrets.
 *
 * Loading folds the lines into one entry per coid, skips a torn last line (a crash mid-append), drops orders marked
 * closed and rewrites the file compacted, so the file grows only with the orders of the current run.
 */
export class TwsIdJournal {
  private readonly byCoid = new Map<string, OrderIdentity>();
  private maxId = -1;

  constructor(private readonly store: IdJournalStore = new MemoryIdJournalStore()) {
    const closed = new Set<string>();
    for (const line of store.load()) {
      const r = parse(line);
      if (r === null) continue;
      if (r.op === 'seq') this.maxId = Math.max(this.maxId, r.orderId);
      else if (r.op === 'sent') {
        this.byCoid.set(r.coid, {
          coid: r.coid,
          orderId: r.orderId,
          permId: this.byCoid.get(r.coid)?.permId ?? null,
          orderRef: r.orderRef,
        });
        this.maxId = Math.max(this.maxId, r.orderId);
        closed.delete(r.coid);
      } else if (r.op === 'perm') {
        const e = this.byCoid.get(r.coid);
        if (e !== undefined) e.permId = r.permId;
      } else closed.add(r.coid);
    }
    for (const coid of closed) this.byCoid.delete(coid);
    store.rewrite(this.compacted());
  }

  /** Before the order goes out: a crash after the send must still find it. */
  sent(coid: string, orderId: number, orderRef: string): void {
    const prev = this.byCoid.get(coid);
    this.byCoid.set(coid, { coid, orderId, permId: prev?.permId ?? null, orderRef });
    this.maxId = Math.max(this.maxId, orderId);
    this.write({ op: 'sent', coid, orderId, orderRef });
  }

  /** TWS reported the order's permId (written once per order, not on every report). */
  identified(coid: string, permId: number): void {
    const e = this.byCoid.get(coid);
    if (e === undefined || !permId || e.permId === permId) return;
    e.permId = permId;
    this.write({ op: 'perm', coid, permId });
  }

  /** An order this run adopted (found by its orderRef or journal entry): its current ids are journaled too. */
  adopted(identity: OrderIdentity): void {
    const e = this.byCoid.get(identity.coid);
    if (e === undefined || e.orderId !== identity.orderId) this.sent(identity.coid, identity.orderId, identity.orderRef);
    if (identity.permId !== null) this.identified(identity.coid, identity.permId);
  }

  /** The order reached a terminal state: nothing to recover any more; the next compaction drops it. */
  closed(coid: string): void {
    if (!this.byCoid.delete(coid)) return;
    this.write({ op: 'closed', coid });
  }

  /** The journaled order TWS reports: by permId first, then by orderRef (an entry with another permId is another order). */
  match(permId: number | null | undefined, orderRef: string | null | undefined): OrderIdentity | undefined {
    const entries = [...this.byCoid.values()];
    if (permId) {
      const hit = entries.find((e) => e.permId === permId);
      if (hit !== undefined) return hit;
    }
    if (!orderRef) return undefined;
    return entries.reverse().find((e) => e.orderRef === orderRef && (e.permId === null || !permId || e.permId === permId));
  }

  /**
   * The journaled order behind a venue report, by the venue's own ids only: the permId, or the order id (with a
   * permId that does not contradict it). An orderRef is text anyone can write, so it never identifies an execution:
   * a report that only *claims* to be ours (an `hv:` orderRef, or one we journaled, under an order id we never
   * used) is not ours (docs/tws-wire-safety.md, "Executions").
   */
  byVenueIds(orderId: number | null | undefined, permId: number | null | undefined): OrderIdentity | undefined {
    const entries = [...this.byCoid.values()];
    if (permId) {
      const hit = entries.find((e) => e.permId === permId);
      if (hit !== undefined) return hit;
    }
    if (orderId === null || orderId === undefined || orderId < 0) return undefined;
    return entries.find((e) => e.orderId === orderId && (e.permId === null || !permId || e.permId === permId));
  }

  /** The highest order id this client ever used (−1: none): ids allocated later must exceed it. */
  get maxOrderId(): number {
    return this.maxId;
  }

  entries(): OrderIdentity[] {
    return [...this.byCoid.values()].map((e) => ({ ...e }));
  }

  private write(r: JournalLine): void {
    this.store.append(JSON.stringify(r));
  }

  private compacted(): string[] {
    const lines: string[] = [];
    if (this.maxId >= 0) lines.push(JSON.stringify({ op: 'seq', orderId: this.maxId }));
    for (const e of this.byCoid.values()) {
      lines.push(JSON.stringify({ op: 'sent', coid: e.coid, orderId: e.orderId, orderRef: e.orderRef }));
      if (e.permId !== null) lines.push(JSON.stringify({ op: 'perm', coid: e.coid, permId: e.permId }));
    }
    return lines;
  }
}

function parse(line: string): JournalLine | null {
  if (line.trim() === '') return null;
  let r: { op?: unknown; coid?: unknown; orderId?: unknown; permId?: unknown; orderRef?: unknown };
  try {
    r = JSON.parse(line) as typeof r;
  } catch {
    return null; // a torn last line from a crash mid-append: the entries before it are intact
  }
  const id = (x: unknown): x is number => Number.isInteger(x);
  if (r.op === 'seq') return id(r.orderId) ? { op: 'seq', orderId: r.orderId } : null;
  if (typeof r.coid !== 'string') return null;
  if (r.op === 'sent') return id(r.orderId) ? { op: 'sent', coid: r.coid, orderId: r.orderId, orderRef: String(r.orderRef ?? '') } : null;
  if (r.op === 'perm') return id(r.permId) ? { op: 'perm', coid: r.coid, permId: r.permId } : null;
  return r.op === 'closed' ? { op: 'closed', coid: r.coid } : null;
}
