import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The pages people use, plain HTML and modules over the public API: no build step, nothing to install. */
export const PUBLIC_DIR = join(__dirname, '..', '..', 'public');

export const PAGES = { '/wall': 'wall.html', '/crisis': 'crisis.html', '/inbox/:expertId': 'inbox.html', '/login/callback': 'callback.html' } as const;

/** The pages and their files, each page with the Content-Security-Policy they satisfy. */
export async function pageRoutes(app: FastifyInstance, csp: string): Promise<void> {
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/ui/', index: false, maxAge: 60_000 });
  for (const [path, file] of Object.entries(PAGES)) {
    app.get(path, { schema: { hide: true } as never }, (_request, reply) => reply.header('cache-control', 'no-cache').header('content-security-policy', csp).sendFile(file));
  }
}
