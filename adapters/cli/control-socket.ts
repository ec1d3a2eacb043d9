import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseOperatorCommand, type OperatorHandler, type OperatorResult } from '../../core/risk/operator-commands.js';

export type { OperatorHandler, OperatorResult } from '../../core/risk/operator-commands.js';

/** Where a running session advertises its control port: `<dataDir>/control.json`. */
export const CONTROL_FILE = 'control.json';
const MAX_LINE = 16 * 1024;

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
  close(): Promise<void>;
}

function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function fail(error: string): OperatorResult {
  return { ok: false, state: 'unknown', reasons: [error] };
}

/**
 * Operator control server: TCP on 127.0.0.1 only, an ephemeral port, newline-delimited JSON.
 * Request: `{"token", "command", "operatorId", "note"?, "symbol"?}`; reply: one JSON `OperatorResult` line per request.
 * Requests on one connection are answered in order. Bad input gets `{ok:false}`; the server never crashes on it.
 */
export async function startControlServer(opts: { dataDir: string; handler: OperatorHandler; onError?: (e: unknown) => void }): Promise<ControlServer> {
  const token = randomBytes(24).toString('hex');
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    let buffer = '';
    let chain: Promise<void> = Promise.resolve();
    const reply = (r: OperatorResult) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(r)}\n`);
    };
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE && !buffer.includes('\n')) {
        reply(fail('request too long'));
        socket.destroy();
        return;
      }
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line === '') continue;
        chain = chain.then(() => handleLine(line).then(reply));
      }
    });
    socket.on('error', (e) => opts.onError?.(e));
    socket.on('close', () => sockets.delete(socket));
  });

  async function handleLine(line: string): Promise<OperatorResult> {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return fail('not JSON');
    }
    if (typeof msg !== 'object' || msg === null) return fail('expected a JSON object');
    const { token: given, ...rest } = msg as Record<string, unknown>;
    if (!sameToken(given, token)) return fail('bad or missing token');
    const parsed = parseOperatorCommand(rest);
    if (!parsed.ok) return fail(parsed.error);
    try {
      return await opts.handler.handle(parsed.command);
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
  await writeFile(file, `${JSON.stringify(content)}\n`, { mode: 0o600 });

  let closed = false;
  return {
    port,
    file,
    token,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
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
export async function sendControlCommand(opts: { dataDir: string; command: Record<string, unknown>; timeoutMs?: number }): Promise<OperatorResult> {
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
    socket.on('connect', () => socket.write(`${JSON.stringify({ ...opts.command, token: info.token })}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      try {
        finish(JSON.parse(buffer.slice(0, nl)) as OperatorResult);
      } catch {
        finish(fail('malformed reply'));
      }
    });
    socket.on('error', (e) => finish(fail(`cannot reach the session on 127.0.0.1:${info.port}: ${e.message}`)));
    socket.on('close', () => finish(fail('connection closed without an answer')));
  });
}
