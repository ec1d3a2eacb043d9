import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HarvesterError } from '../../core/errors/harvester-error.js';
import { rowValues, type CommitSink, type PendingRow } from './commit-sink.js';
import { dbUrlPassword, redactDbUrl } from './db-url.js';

const SEQ = 0;
const STATE = 1;

/**
 * Synchronous commits on PostgreSQL. `pg` is asynchronous, so the commit runs on a worker thread with its own
 * connection and the calling thread blocks (Atomics.wait) until the worker has COMMITted and answered. The engine
 * thus sees the same synchronous `commit()` as on SQLite: a commit sits at the same point of the event stream on
 * both databases, nothing else runs in between, and replay gives the same rows and digest. The wait is bounded
 * (`timeoutMs`); a commit that fails or times out throws `STORE.COMMIT_FAILED` naming the URL (password redacted).
 *
 * Hand-written (about 60 lines with the worker) rather than a library: the well-known one for this pattern, synckit,
 * is not a dependency, and the protocol here is one request type.
 */
export class PgCommitSink implements CommitSink {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flags: Int32Array;
  private seq = 0;
  private closed = false;
  /** Set when a commit timed out: the worker may still commit it, so a retry could duplicate rows. */
  private broken: string | null = null;
  private readonly label: string;
  private readonly secret: string | null;

  constructor(
    url: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.label = redactDbUrl(url);
    this.secret = dbUrlPassword(url);
    const signal = new SharedArrayBuffer(8);
    this.flags = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const entry = new URL('./pg-commit-worker.ts', import.meta.url).href;
    const tsx = pathToFileURL(
      path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
    ).href;
    const tsconfig = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
    // The worker is TypeScript like the rest: it registers tsx itself (the parent may run under `node --import tsx`
    // or under bin/harvester.js's register(), and a worker inherits neither reliably). A worker that cannot boot
    // reports it through the same state flag as a failed connection.
    const boot = `const { workerData } = require('node:worker_threads');
      import(${JSON.stringify(tsx)})
        .then((m) => { m.register({ tsconfig: ${JSON.stringify(tsconfig)} }); return import(${JSON.stringify(entry)}); })
        .catch((e) => { workerData.port.postMessage({ seq: 0, error: 'commit worker failed to start: ' + (e && e.message) });
          const f = new Int32Array(workerData.signal); Atomics.store(f, 1, 2); Atomics.notify(f, 1); });`;
    this.worker = new Worker(boot, { eval: true, execArgv: [], workerData: { url, signal, port: port2 }, transferList: [port2] });
    this.worker.unref();
    this.worker.on('error', () => {});
    this.ready = new Promise<void>((resolve, reject) => {
      const deadline = performance.now() + this.timeoutMs;
      const poll = (): void => {
        const state = Atomics.load(this.flags, STATE);
        if (state === 0) {
          if (performance.now() > deadline)
            reject(this.failure('OPEN_FAILED', `no connection to ${this.label} within ${this.timeoutMs} ms`));
          else setTimeout(poll, 5);
          return;
        }
        const msg = receiveMessageOnPort(this.port)?.message as { error: string | null } | undefined;
        if (state === 1) resolve();
        else reject(this.failure('OPEN_FAILED', `cannot open database ${this.label}: ${this.clean(msg?.error ?? 'connection failed')}`));
      };
      poll();
    });
    this.ready.catch(() => {});
  }

  commit(rows: readonly PendingRow[]): void {
    if (this.closed) throw this.failure('CLOSED', `journal commit after close (${this.label})`);
    if (this.broken !== null) throw this.failure('COMMIT_FAILED', this.broken);
    this.waitReady();
    if (rows.length === 0) return;
    const seq = ++this.seq;
    this.port.postMessage({ seq, rows: rows.map((r) => [r.table, ...rowValues(r.row)]) });
    this.waitFor(seq);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (Atomics.load(this.flags, STATE) === 1) {
      const seq = ++this.seq;
      this.port.postMessage({ seq, close: true });
      try {
        this.waitFor(seq);
      } catch {
        // closing anyway
      }
    }
    this.port.close();
    await this.worker.terminate();
  }

  private waitReady(): void {
    const deadline = performance.now() + this.timeoutMs;
    while (Atomics.load(this.flags, STATE) === 0) {
      const left = deadline - performance.now();
      if (left <= 0) throw this.failure('OPEN_FAILED', `no connection to ${this.label} within ${this.timeoutMs} ms`);
      Atomics.wait(this.flags, STATE, 0, left);
    }
    if (Atomics.load(this.flags, STATE) !== 1) throw this.failure('OPEN_FAILED', `cannot open database ${this.label}`);
  }

  private waitFor(seq: number): void {
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const done = Atomics.load(this.flags, SEQ);
      if (done >= seq) break;
      const left = deadline - performance.now();
      if (left <= 0) {
        // Unknown outcome: refuse every later commit rather than resend rows the server may already hold.
        this.broken =
          `journal commit to ${this.label}: no answer within ` + `${this.timeoutMs} ms; the journal stops committing (outcome unknown)`;
        throw this.failure('COMMIT_FAILED', this.broken);
      }
      Atomics.wait(this.flags, SEQ, done, left);
    }
    let error: string | null = null;
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const r = m.message as { seq: number; error: string | null };
      if (r.seq === seq && r.error !== null) error = r.error;
    }
    if (error !== null) throw this.failure('COMMIT_FAILED', `journal commit to ${this.label} failed: ${this.clean(error)}`);
  }

  private clean(text: string): string {
    return this.secret === null ? text : text.split(this.secret).join('[redacted]');
  }

  private failure(code: 'OPEN_FAILED' | 'COMMIT_FAILED' | 'CLOSED', message: string): HarvesterError {
    return new HarvesterError(`STORE.${code}`, message, { details: { url: this.label } });
  }
}
