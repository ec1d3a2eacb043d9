import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { OperatorHandler, OperatorResult } from '../../core/operator/operator-commands.js';
import {
  controlFailure as fail,
  decodeControlRequest,
  decodeControlResult,
  encodeControlRequest,
  encodeControlResult,
} from '../../core/operator/control-protocol.js';

export type { OperatorHandler, OperatorResult } from '../../core/operator/operator-commands.js';

/** Where a running session advertises its control port: `<dataDir>/control.json`. */
export const CONTROL_FILE = 'control.json';

/**
 * What keeps the control socket (loopback, but reachable by any local process) from being knocked over: a
 * connection cap, idle timeouts, a request-size limit and a rate limit on failed requests. Defaults suit one
 * operator typing commands; a flood costs the process a bounded amount of work (test/integration/control-flood.spec.ts).
 */
export interface ControlLimits {
  /** Open connections at most; at the cap a new one evicts the oldest connection that has not authenticated. */
  maxConnections: number;
  /** A connection that has not sent a valid request within this long is closed (ms). */
  idleMs: number;
  /** An authenticated connection idle this long is closed (ms). */
  authenticatedIdleMs: number;
  /** Longest request line, in characters; longer closes the connection. */
  maxLineChars: number;
  /** Bad requests (not JSON, wrong token, invalid command) one connection may send before it is closed. */
  maxFailuresPerConnection: number;
  /** Bad requests answered per second across all connections; beyond it a failing connection is closed unanswered. */
  maxFailuresPerSecond: number;
}

export const DEFAULT_CONTROL_LIMITS: ControlLimits = Object.freeze({
  maxConnections: 32,
  idleMs: 5_000,
  authenticatedIdleMs: 60_000,
  maxLineChars: 16 * 1024,
  maxFailuresPerConnection: 3,
  maxFailuresPerSecond: 20,
});

interface ControlFile {
  host: '127.0.0.1';
  port: number;
  pid: number;
  /** Shared secret; the file is mode 0600, so only the user running Harvester can send commands. */
  token: string;
}

export interface ControlServer {
  readonly port: number;
  readonly file: string;
  /** The session's operator secret; the dashboard accepts the same one. */
  readonly token: string;
  /** Connections refused or closed by the limits, by reason (for tests and the session's diagnostics). */
  readonly dropped: Readonly<Record<'cap' | 'idle' | 'too-long' | 'failures' | 'rate', number>>;
  close(): Promise<void>;
}

function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

interface Conn {
  socket: Socket;
  authenticated: boolean;
  failures: number;
}

/**
 * Operator control server: TCP on 127.0.0.1 only, an ephemeral port; the wire format is
 * core/operator/control-protocol.ts (one JSON command with the token per line, one `OperatorResult` line back).
 * Requests on one connection are answered in order. Bad input gets `{ok:false}` within the limits above, then the
 * connection is closed; the server never crashes on it, and every socket error is contained here.
 */
export async function startControlServer(opts: {
  dataDir: string;
  handler: OperatorHandler;
  onError?: (e: unknown) => void;
  limits?: Partial<ControlLimits>;
  now?: () => number;
}): Promise<ControlServer> {
  const limits: ControlLimits = { ...DEFAULT_CONTROL_LIMITS, ...opts.limits };
  const token = randomBytes(24).toString('hex');
  const conns = new Set<Conn>();
  const dropped = { cap: 0, idle: 0, 'too-long': 0, failures: 0, rate: 0 };
  let windowStart = 0;
  let windowFailures = 0;
  const failureAllowed = (): boolean => {
    const now = (opts.now ?? Date.now)();
    if (now - windowStart >= 1000) {
      windowStart = now;
      windowFailures = 0;
    }
    return ++windowFailures <= limits.maxFailuresPerSecond;
  };

  const server: Server = createServer((socket) => {
    // Errors first: a peer that resets mid-flood must not surface as an unhandled 'error'.
    socket.on('error', () => undefined);
    if (conns.size >= limits.maxConnections) {
      let oldest: Conn | undefined;
      for (const c of conns)
        if (!c.authenticated) {
          oldest = c;
          break;
        }
      if (oldest === undefined) {
        dropped.cap++;
        socket.destroy();
        return;
      }
      dropped.cap++;
      drop(oldest);
    }
    const conn: Conn = { socket, authenticated: false, failures: 0 };
    conns.add(conn);
    socket.setEncoding('utf8');
    socket.setTimeout(limits.idleMs, () => {
      dropped.idle++;
      drop(conn);
    });
    let buffer = '';
    let chain: Promise<void> = Promise.resolve();
    const reply = (r: OperatorResult) => {
      if (!socket.destroyed) socket.write(encodeControlResult(r));
    };
    socket.on('data', (chunk: string) => {
      if (socket.destroyed) return;
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        if (nl > limits.maxLineChars) break;
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line === '') continue;
        const verdict = check(line);
        if (verdict.ok) {
          if (!conn.authenticated) {
            conn.authenticated = true;
            socket.setTimeout(limits.authenticatedIdleMs);
          }
          chain = chain.then(() => run(verdict.command).then(reply));
          continue;
        }
        conn.failures++;
        if (!failureAllowed()) {
          dropped.rate++;
          drop(conn);
          return;
        }
        chain = chain.then(() => reply(fail(verdict.error, verdict.invalid === true)));
        if (conn.failures >= limits.maxFailuresPerConnection) {
          dropped.failures++;
          void chain.then(() => socket.end());
          socket.pause();
          buffer = '';
          return;
        }
      }
      if (buffer.length > limits.maxLineChars) {
        dropped['too-long']++;
        reply(fail(`request too long (more than ${limits.maxLineChars} characters)`));
        socket.end();
        socket.pause();
        buffer = '';
      }
    });
    socket.on('close', () => conns.delete(conn));
  });
  server.on('error', (e) => opts.onError?.(e));

  function drop(conn: Conn): void {
    conns.delete(conn);
    conn.socket.destroy();
  }

  function check(line: string): ReturnType<typeof decodeControlRequest> {
    return decodeControlRequest(line, (given) => sameToken(given, token));
  }

  async function run(command: Parameters<OperatorHandler['handle']>[0]): Promise<OperatorResult> {
    try {
      return await opts.handler.handle(command);
    } catch (e) {
      opts.onError?.(e);
      return fail(`handler failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await mkdir(opts.dataDir, { recursive: true });
  const file = join(opts.dataDir, CONTROL_FILE);
  const content: ControlFile = { host: '127.0.0.1', port, pid: process.pid, token };
  // `mode` applies only when the file is created: an existing control.json (say 0644 from an older run) would keep
  // its permissions, so the token goes to a fresh 0600 file that replaces it, and is chmod-ed again to be sure.
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(content)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, file);
  await chmod(file, 0o600);

  let closed = false;
  return {
    port,
    file,
    token,
    dropped,
    async close() {
      if (closed) return;
      closed = true;
      for (const c of conns) c.socket.destroy();
      conns.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Only remove the file if it is still ours (a newer session may have replaced it).
      try {
        const current = JSON.parse(await readFile(file, 'utf8')) as ControlFile;
        if (current.token === token) await rm(file, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

/** Client side, for `harvester control`: read the control file, send one command, await one reply. */
export async function sendControlCommand(opts: {
  dataDir: string;
  command: Readonly<Record<string, unknown>>;
  timeoutMs?: number;
}): Promise<OperatorResult> {
  const file = join(opts.dataDir, CONTROL_FILE);
  let info: ControlFile;
  try {
    info = JSON.parse(await readFile(file, 'utf8')) as ControlFile;
  } catch {
    return fail(`no running session found (${file} is missing or unreadable)`);
  }
  return new Promise<OperatorResult>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: info.port });
    socket.setEncoding('utf8');
    let buffer = '';
    let done = false;
    const finish = (r: OperatorResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish(fail(`no answer within ${opts.timeoutMs ?? 5000} ms`)), opts.timeoutMs ?? 5000);
    socket.on('connect', () => socket.write(encodeControlRequest(opts.command, info.token)));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      finish(decodeControlResult(buffer.slice(0, nl)));
    });
    socket.on('error', (e) => finish(fail(`cannot reach the session on 127.0.0.1:${info.port}: ${e.message}`)));
    socket.on('close', () => finish(fail('connection closed without an answer')));
  });
}
