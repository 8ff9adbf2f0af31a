import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, errors, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ChorusError } from '@chorus/service-kit';
import type { Authenticator } from './guard.js';
import { permissionsOf, ROLES, type Principal, type Role } from './principal.js';

export interface OidcOptions {
  /** The provider's issuer URL, exactly as its tokens carry it in `iss`. */
  issuer: string;
  /** The audience the API's tokens are issued for (`aud`). */
  audience: string;
  /** The JWKS to verify against; default: the issuer's discovery document's `jwks_uri`. */
  jwksUrl?: string;
  /** Where the roles are in the token: a claim name or a dotted path (`realm_access.roles` for Keycloak). */
  rolesClaim: string;
  /** The claim that names the person's expert record, when the provider carries one; else their e-mail is matched. */
  expertClaim: string;
  /** Finds the expert whose e-mail is this one (the account ↔ expert link when no claim says it). */
  expertByEmail?: (email: string) => Promise<string | undefined>;
  /** Provider role names → Chorus roles, e.g. `{ "chorus-admin": "admin" }`; the Chorus names always work. */
  roleMap?: Record<string, Role>;
  /**
   * Token introspection (RFC 7662) as a confidential client of the provider: every person's token is asked about
   * (the answer cached `cacheSeconds`), so a token revoked at the provider stops working here; opaque tokens, which
   * cannot be verified locally, are accepted only this way.
   */
  introspection?: { clientId: string; clientSecret: string; cacheSeconds: number; endpoint?: string };
}

const looksLikeJwt = (s: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(s);

function at(payload: JWTPayload, path: string): unknown {
  let v: unknown = payload;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

interface Discovery {
  jwks_uri?: string;
  introspection_endpoint?: string;
}

/** The provider's discovery document (cached by the caller). */
async function discover(issuer: string): Promise<Discovery> {
  const res = await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`));
  if (!res.ok) throw new Error(`OIDC discovery at ${issuer} answered ${res.status}`);
  return (await res.json()) as Discovery;
}

async function discoverJwks(issuer: string): Promise<URL> {
  const doc = await discover(issuer);
  if (!doc.jwks_uri) throw new Error(`OIDC discovery at ${issuer} has no jwks_uri`);
  return new URL(doc.jwks_uri);
}

interface Introspected extends JWTPayload {
  active?: boolean;
}

/**
 * Bearer tokens from any standard OpenID Connect provider: JWTs verified against its JWKS (signature, issuer, audience,
 * expiry) and, with introspection configured, asked about at the provider too (revocation), opaque tokens only that
 * way. The person's roles come from the configured claim, their expert record from a claim or their e-mail.
 */
export function oidcAuthenticator(options: OidcOptions): Authenticator {
  let keys: JWTVerifyGetKey | undefined;
  const keySet = async () => (keys ??= createRemoteJWKSet(options.jwksUrl ? new URL(options.jwksUrl) : await discoverJwks(options.issuer), { cooldownDuration: 30_000 }));
  const cache = new Map<string, { until: number; payload: Introspected }>();
  // An expert's e-mail → their record, looked up once a minute rather than on every request they make.
  const links = new Map<string, { until: number; expertId: string | undefined }>();
  const linked = async (email: string): Promise<string | undefined> => {
    const hit = links.get(email);
    if (hit && hit.until > Date.now()) return hit.expertId;
    const expertId = await options.expertByEmail!(email);
    if (links.size > 10_000) links.clear();
    links.set(email, { until: Date.now() + 60_000, expertId });
    return expertId;
  };
  let endpoint: string | undefined = options.introspection?.endpoint;
  const introspect = async (token: string): Promise<Introspected> => {
    const i = options.introspection!;
    const digest = createHash('sha256').update(token).digest('hex');
    const hit = cache.get(digest);
    if (hit && hit.until > Date.now()) return hit.payload;
    endpoint ??= (await discover(options.issuer)).introspection_endpoint;
    if (!endpoint) throw new ChorusError('unauthorized', 'the provider offers no token introspection');
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(i.clientId)}:${encodeURIComponent(i.clientSecret)}`).toString('base64')}` },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    }).catch(() => undefined);
    if (!res?.ok) throw new ChorusError('unauthorized', 'the provider could not tell whether the token is still valid');
    const payload = (await res.json()) as Introspected;
    if (cache.size > 10_000) cache.clear();
    if (i.cacheSeconds > 0) cache.set(digest, { until: Date.now() + i.cacheSeconds * 1000, payload });
    return payload;
  };
  return async (credential) => {
    const jwt = looksLikeJwt(credential);
    if (!jwt && !options.introspection) return undefined;
    let payload: JWTPayload;
    if (jwt) {
      try {
        ({ payload } = await jwtVerify(credential, await keySet(), { issuer: options.issuer, audience: options.audience, clockTolerance: 5 }));
      } catch (e) {
        const why = e instanceof errors.JWTExpired ? 'the token has expired' : e instanceof errors.JWTClaimValidationFailed ? `the token's ${e.claim} is not accepted` : 'the token could not be verified';
        throw new ChorusError('unauthorized', why);
      }
      if (options.introspection && !(await introspect(credential)).active) throw new ChorusError('unauthorized', 'the token was revoked or is no longer active');
    } else {
      const found = await introspect(credential);
      if (!found.active) throw new ChorusError('unauthorized', 'unknown, revoked or expired token');
      const aud = Array.isArray(found.aud) ? found.aud : found.aud ? [found.aud] : [];
      if ((found.iss && found.iss !== options.issuer) || !aud.includes(options.audience)) throw new ChorusError('unauthorized', 'the token was not issued for this API');
      payload = found;
    }
    const raw = at(payload, options.rolesClaim);
    const names = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
    const roles = [...new Set(names.map((n) => options.roleMap?.[n] ?? n).filter((n): n is Role => (ROLES as readonly string[]).includes(n)))];
    const email = typeof payload.email === 'string' ? payload.email : undefined;
    let expertId = typeof payload[options.expertClaim] === 'string' ? (payload[options.expertClaim] as string) : undefined;
    if (!expertId && email && roles.includes('expert') && options.expertByEmail) expertId = await linked(email);
    const principal: Principal = {
      id: `user:${payload.sub ?? email ?? 'unknown'}`,
      kind: 'user',
      name: email ?? (typeof payload.name === 'string' ? payload.name : (payload.sub ?? 'user')),
      roles,
      permissions: permissionsOf(roles),
      ...(expertId ? { expertId } : {}),
    };
    return principal;
  };
}
