import type { Client } from '@elastic/elasticsearch';
import type { ApiConfig } from '../config.js';
import { expertIdByEmail } from '../es/experts.js';
import type { IndexNames } from '../es/indices.js';
import { envKeyAuthenticator, parseEnvKeys } from './env-keys.js';
import type { AuthOptions, Authenticator } from './guard.js';
import { oidcAuthenticator } from './oidc.js';
import { ROLES, type Role } from './principal.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** "a=admin,b=crisis" → { a: 'admin', b: 'crisis' }, refusing unknown Chorus roles. */
export function parseRoleMap(spec: string | undefined): Record<string, Role> {
  const out: Record<string, Role> = {};
  for (const pair of (spec ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const [from, to] = pair.split('=').map((x) => x.trim());
    if (!from || !to || !(ROLES as readonly string[]).includes(to)) throw new Error(`OIDC_ROLE_MAP: "${pair}" must be providerRole=${ROLES.join('|')}`);
    out[from] = to as Role;
  }
  return out;
}

/**
 * The API's authentication from its configuration. With no login configured it runs in the local demo mode, which it
 * refuses on a non-loopback address unless AUTH_ALLOW_OPEN=on: a company network must not get an open admin API.
 */
export function authFromConfig(config: ApiConfig, es: Client, indices: IndexNames, more: Authenticator[] = []): AuthOptions {
  const authenticators: Authenticator[] = [...more];
  const keys = parseEnvKeys(config.API_KEYS);
  if (keys.length > 0) authenticators.push(envKeyAuthenticator(keys));
  if (config.OIDC_ISSUER) {
    authenticators.push(
      oidcAuthenticator({
        issuer: config.OIDC_ISSUER,
        audience: config.OIDC_AUDIENCE,
        ...(config.OIDC_JWKS_URL ? { jwksUrl: config.OIDC_JWKS_URL } : {}),
        rolesClaim: config.OIDC_ROLES_CLAIM,
        expertClaim: config.OIDC_EXPERT_CLAIM,
        roleMap: parseRoleMap(config.OIDC_ROLE_MAP),
        expertByEmail: (email) => expertIdByEmail(es, indices.experts, email),
        ...(config.OIDC_INTROSPECTION_CLIENT_ID && config.OIDC_INTROSPECTION_CLIENT_SECRET
          ? { introspection: { clientId: config.OIDC_INTROSPECTION_CLIENT_ID, clientSecret: config.OIDC_INTROSPECTION_CLIENT_SECRET, cacheSeconds: config.OIDC_INTROSPECTION_CACHE_SECONDS } }
          : {}),
      }),
    );
  }
  const configured = keys.length > 0 || Boolean(config.OIDC_ISSUER);
  const mode = config.AUTH_MODE === 'auto' ? (configured ? 'required' : 'local') : config.AUTH_MODE;
  // Keys made through the API need someone to make the first one: an admin login or an API_KEYS key.
  if (mode === 'required' && !configured) throw new Error('AUTH_MODE=required needs OIDC_ISSUER or API_KEYS');
  if (mode === 'local' && !LOOPBACK.test(config.HOST) && config.AUTH_ALLOW_OPEN !== 'on') {
    throw new Error(`refusing to serve without login on ${config.HOST}: set OIDC_ISSUER or API_KEYS, bind HOST to 127.0.0.1, or AUTH_ALLOW_OPEN=on`);
  }
  return { mode, authenticators };
}
