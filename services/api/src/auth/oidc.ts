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
}

const looksLikeJwt = (s: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(s);

function at(payload: JWTPayload, path: string): unknown {
  let v: unknown = payload;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/** Discovers the provider's JWKS URI (cached by jose's remote key set afterwards). */
async function discoverJwks(issuer: string): Promise<URL> {
  const res = await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`));
  if (!res.ok) throw new Error(`OIDC discovery at ${issuer} answered ${res.status}`);
  const doc = (await res.json()) as { jwks_uri?: string; issuer?: string };
  if (!doc.jwks_uri) throw new Error(`OIDC discovery at ${issuer} has no jwks_uri`);
  return new URL(doc.jwks_uri);
}

/**
 * Bearer JWTs from any standard OpenID Connect provider, verified against its JWKS (signature, issuer, audience,
 * expiry): the person's roles come from the configured claim, their expert record from a claim or their e-mail.
 */
export function oidcAuthenticator(options: OidcOptions): Authenticator {
  let keys: JWTVerifyGetKey | undefined;
  const keySet = async () => (keys ??= createRemoteJWKSet(options.jwksUrl ? new URL(options.jwksUrl) : await discoverJwks(options.issuer), { cooldownDuration: 30_000 }));
  return async (credential) => {
    if (!looksLikeJwt(credential)) return undefined;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(credential, await keySet(), { issuer: options.issuer, audience: options.audience, clockTolerance: 5 }));
    } catch (e) {
      const why = e instanceof errors.JWTExpired ? 'the token has expired' : e instanceof errors.JWTClaimValidationFailed ? `the token's ${e.claim} is not accepted` : 'the token could not be verified';
      throw new ChorusError('unauthorized', why);
    }
    const raw = at(payload, options.rolesClaim);
    const names = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
    const roles = [...new Set(names.map((n) => options.roleMap?.[n] ?? n).filter((n): n is Role => (ROLES as readonly string[]).includes(n)))];
    const email = typeof payload.email === 'string' ? payload.email : undefined;
    let expertId = typeof payload[options.expertClaim] === 'string' ? (payload[options.expertClaim] as string) : undefined;
    if (!expertId && email && roles.includes('expert') && options.expertByEmail) expertId = await options.expertByEmail(email);
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
