/**
 * Who is calling, and what they may do. Every /v1 route declares the permission it needs (`config.permission`, see
 * guard.ts); a role is a set of permissions; an API key carries scopes (the same names). The actor of every action is
 * the principal, never a field of the body.
 */

export const PERMISSIONS = [
  'mentions:read',
  'mentions:write',
  'experts:read',
  'experts:write',
  'inbox:self',
  'assignments:act',
  'crisis:read',
  'crisis:act',
  'wall:read',
  'sources:manage',
  'webhooks:manage',
  'keys:manage',
  'audit:read',
  'erasure:manage',
  'admin',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'crisis', 'expert', 'kiosk'] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do. An expert's `inbox:self` and `assignments:act` are limited to their own (checked per route). */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  crisis: ['mentions:read', 'experts:read', 'crisis:read', 'crisis:act', 'wall:read'],
  expert: ['inbox:self', 'assignments:act'],
  kiosk: ['wall:read'],
};

export interface Principal {
  /** Stable id: the OIDC subject (`user:<sub>`), `key:<name>`, `kiosk:<id>` or `local`. */
  id: string;
  kind: 'user' | 'key' | 'kiosk' | 'local';
  /** For people and logs: a name or e-mail, a key's name. */
  name: string;
  roles: Role[];
  permissions: ReadonlySet<Permission>;
  /** The expert record a person's account is linked to (their inbox, their assignments). */
  expertId?: string;
  /** Kiosk tokens: author handles and personal data are redacted unless the token allows them. */
  redact?: boolean;
}

export function permissionsOf(roles: readonly Role[], scopes: readonly Permission[] = []): Set<Permission> {
  return new Set([...roles.flatMap((r) => ROLE_PERMISSIONS[r]), ...scopes]);
}

/** Whether the principal may do this; `admin` may do everything. */
export function can(p: Principal, permission: Permission): boolean {
  return p.permissions.has('admin') || p.permissions.has(permission);
}

/** The principal of a local demo with no login configured (loopback only, printed at boot). */
export const LOCAL_ADMIN: Principal = { id: 'local', kind: 'local', name: 'local demo (no login)', roles: ['admin'], permissions: permissionsOf(['admin']) };

/** The actor recorded for an action: the principal's expert record when it acts as that expert, else its id. */
export function actorOf(p: Principal): string {
  return p.expertId ?? p.id;
}

/** Who acknowledged: the logged-in person or key; in the local demo (nobody logged in), the name the page sends. */
export function acknowledgerOf(p: Principal, given: string): string {
  return p.kind === 'local' ? given : p.kind === 'user' ? p.name : p.id;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** The permission a route needs (or any of several); `public` for none. A /v1 route without one is refused. */
    permission?: Permission | readonly Permission[] | 'public';
  }
}
