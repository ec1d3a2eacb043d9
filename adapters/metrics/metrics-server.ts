import fastifyFactory from 'fastify';
import type { Registry } from 'prom-client';

/** `/metrics` for Prometheus on 127.0.0.1 (no secrets are exported; a remote Prometheus reaches it through a tunnel). */
export async function startMetricsServer(registry: Registry, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const app = fastifyFactory({ logger: false });
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  await app.listen({ host: '127.0.0.1', port });
  const addr = app.server.address();
  const bound = typeof addr === 'object' && addr !== null ? addr.port : port;
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    close: async () => {
      await app.close();
    },
  };
}
