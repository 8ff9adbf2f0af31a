import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Decision, Slug, type MentionView } from '@chorus/schemas';
import type { ApiContext } from '../context.js';
import { redactMention, redacts } from '../auth/redact.js';
import { formatEvent, type StreamEvent } from '../stream.js';

const Query = z.object({
  brand: Slug.optional(),
  decision: Decision.optional(),
  access_token: z.string().optional().describe('The API key, where the API asks for one and the client cannot send headers (EventSource)'),
});

export function streamRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // Open streams are ended before the server closes; otherwise close() would wait on them forever.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.withTypeProvider<ZodTypeProvider>().get('/v1/stream', {
    config: { permission: ['mentions:read', 'wall:read'] },
    schema: {
      tags: ['stream'],
      summary: 'Live mentions (Server-Sent Events)',
      description:
        'An `event: mention` per mention as soon as it is searchable; `data` is a MentionView. Reconnect with the `Last-Event-ID` header to resume. A comment line every 15 s keeps proxies from closing the connection.',
      querystring: Query,
    },
    handler: async (request, reply) => {
      const { brand, decision } = request.query;
      // A kiosk's stream says what people say, not who: each event's mention redacted as /v1/mentions redacts it.
      const show = redacts(request.principal) ? (e: StreamEvent) => ({ ...e, mention: redactMention(e.mention) }) : (e: StreamEvent) => e;
      const matches = (m: MentionView) => (!brand || m.brand === brand) && (!decision || m.routing.decision === decision);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 3000\n: connected\n\n`);
      const lastId = Number(request.headers['last-event-id']);
      if (Number.isFinite(lastId) && lastId > 0) {
        for (const e of ctx.hub.since(lastId)) if (matches(e.mention)) res.write(formatEvent(show(e)));
      }
      const unsubscribe = ctx.hub.subscribe((e) => {
        if (matches(e.mention)) res.write(formatEvent(show(e)));
      });
      const heartbeat = setInterval(() => res.write(`: heartbeat\n\n`), ctx.heartbeatMs);
      const close = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
      };
      const end = () => {
        close();
        res.end();
      };
      open.add(end);
      request.raw.on('close', close);
    },
  });
}
