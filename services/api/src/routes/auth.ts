import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../auth/principal.js';

/** What the pages need to log people in (public: it holds no secret; the pages' client is a public PKCE client). */
export interface LoginConfig {
  mode: 'local' | 'required';
  oidc?: { issuer: string; clientId: string; scope: string };
}

const LoginConfigSchema = z.object({
  mode: z.enum(['local', 'required']),
  oidc: z.object({ issuer: z.string(), clientId: z.string(), scope: z.string() }).optional().describe('Absent when people log in some other way (an API key)'),
});

const Me = z.object({
  id: z.string(),
  kind: z.enum(['user', 'key', 'kiosk', 'local']),
  name: z.string(),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
  expertId: z.string().optional(),
});

export function authRoutes(app: FastifyInstance, login: LoginConfig): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/v1/auth/config', {
    config: { permission: 'public' },
    schema: { tags: ['auth'], summary: 'How to log in', description: 'The OpenID Connect provider and the pages\' public client, or that the API needs no login (the local demo).', response: { 200: LoginConfigSchema } },
    handler: async () => login,
  });
  r.get('/v1/auth/me', {
    config: { permission: PERMISSIONS },
    schema: { tags: ['auth'], summary: 'Who the caller is', description: 'The principal of this request: roles, permissions and the linked expert record.', response: { 200: Me } },
    handler: async (request) => {
      const p = request.principal;
      return { id: p.id, kind: p.kind, name: p.name, roles: [...p.roles], permissions: [...p.permissions], ...(p.expertId ? { expertId: p.expertId } : {}) };
    },
  });
}
