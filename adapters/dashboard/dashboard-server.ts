import { timingSafeEqual } from 'node:crypto';
import fastifyFactory, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { parseOperatorCommand, type OperatorCommand, type OperatorResult } from '../../core/operator/operator-commands.js';
import { dashboardPage } from './dashboard-page.js';
import type { SessionView } from './session-view.js';

export interface DashboardOptions {
  /** 0 picks a free port. Always bound to 127.0.0.1. */
  port: number;
  /** The session's control token: the same secret `harvester control` uses. */
  token: string;
  view: SessionView;
  apply: (cmd: OperatorCommand) => Promise<OperatorResult>;
  /** How often the page gets a fresh state over the websocket. */
  pushMs?: number;
}

export interface DashboardServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const COOKIE = 'hv_token';

/**
 * The live dashboard: fastify on 127.0.0.1 only. Every request must carry the session's token (the `hv_token` cookie
 * the first `/?token=` visit sets, or `Authorization: Bearer`); a bad or missing one gets a bare 401. The Host header
 * must name the loopback address and port (a DNS-rebinding page cannot reach it under another name), and every
 * state-changing request and websocket must come from the dashboard's own Origin. Buttons go through
 * `apply` — the journaled operator path `harvester control` takes.
 */
export async function startDashboard(o: DashboardOptions): Promise<DashboardServer> {
  const app: FastifyInstance = fastifyFactory({ logger: false, bodyLimit: 16 * 1024 });
  await app.register(websocket, { options: { maxPayload: 4096 } });
  let port = o.port;
  const hosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const tokenOk = (req: FastifyRequest): boolean => {
    const auth = req.headers.authorization;
    const bearer = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    return same(bearer ?? cookie(req.headers.cookie, COOKIE), o.token);
  };
  const deny = (reply: FastifyReply, code: number) =>
    reply
      .code(code)
      .header('cache-control', 'no-store')
      .type('text/plain')
      .send(code === 401 ? 'unauthorized' : 'forbidden');

  app.addHook('onRequest', async (req, reply) => {
    if (!hosts().has(String(req.headers.host ?? ''))) return deny(reply, 403);
    const origin = req.headers.origin;
    const changing = req.method !== 'GET' || req.headers.upgrade !== undefined;
    if (changing && (typeof origin !== 'string' || !origins().has(origin))) return deny(reply, 403);
    if (req.url.startsWith('/?token=') || req.url === '/favicon.ico') return undefined;
    if (!tokenOk(req)) return deny(reply, 401);
    return undefined;
  });

  app.get('/', async (req, reply) => {
    const q = (req.query as { token?: string }).token;
    if (q !== undefined) {
      if (!same(q, o.token)) return deny(reply, 401);
      // Move the token from the URL into an HttpOnly, same-site cookie, so it leaves the address bar and history.
      return reply.header('set-cookie', `${COOKIE}=${o.token}; HttpOnly; SameSite=Strict; Path=/`).redirect('/', 303);
    }
    return reply
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
      .type('text/html')
      .send(dashboardPage());
  });
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());
  app.get('/api/state', async (_req, reply) => reply.header('cache-control', 'no-store').send(o.view.snapshot()));
  app.post('/api/control', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseOperatorCommand({ operatorId: 'dashboard', ...body });
    if (!parsed.ok) return reply.code(400).send({ ok: false, state: o.view.snapshot().killSwitch, reasons: [parsed.error] });
    return reply.send(await o.apply(parsed.command));
  });
  app.get('/api/stream', { websocket: true }, (socket) => {
    const send = () => {
      if (socket.readyState === 1) socket.send(JSON.stringify(o.view.snapshot()));
    };
    send();
    const timer = setInterval(send, o.pushMs ?? 500);
    socket.on('close', () => clearInterval(timer));
    socket.on('message', () => {
      /* the stream is one-way; commands go through POST /api/control */
    });
  });

  await app.listen({ host: '127.0.0.1', port: o.port });
  const addr = app.server.address();
  port = typeof addr === 'object' && addr !== null ? addr.port : o.port;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      await app.close();
    },
  };
}

function same(a: string | undefined, b: string): boolean {
  if (a === undefined || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
