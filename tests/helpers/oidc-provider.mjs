#!/usr/bin/env node
/**
 * A real OpenID Connect provider for the tests (node-oidc-provider, the certified implementation), on loopback:
 *   node tests/helpers/oidc-provider.mjs <port> <api-base-url>
 * Prints `ready <issuer>` when it listens. Clients: `chorus-pages` (public, authorization code + PKCE, redirecting to
 * <api>/login/callback) and `chorus-short` (confidential, client credentials, secret `short-secret-0123456789`,
 * access tokens that expire after 2 s), `chorus-opaque` (client credentials, secret `opaque-secret-0123456789`, opaque
 * tokens the provider can revoke) and `chorus-api` (secret `api-secret-0123456789`, introspecting). Access tokens are JWTs for the audience `chorus-api` carrying `roles`, `email`
 * and `chorus_expert`. Any login works at the development login form; the account's roles come from its name:
 * `admin-…` admin, `crisis-…` crisis, `expert-<expertId>` expert linked to that expert, `kiosk-…` kiosk.
 */
import Provider from 'oidc-provider';

const [port, api] = [Number(process.argv[2]), process.argv[3]];
const issuer = `http://127.0.0.1:${port}`;
const RESOURCE = 'urn:chorus:api';

function rolesOf(login) {
  const [role, ...rest] = login.split('-');
  const roles = ['admin', 'crisis', 'expert', 'kiosk'].includes(role) ? [role] : [];
  return { roles, expert: role === 'expert' ? rest.join('-') : undefined };
}

const provider = new Provider(issuer, {
  clients: [
    { client_id: 'chorus-pages', token_endpoint_auth_method: 'none', redirect_uris: [`${api}/login/callback`], grant_types: ['authorization_code'], response_types: ['code'] },
    { client_id: 'chorus-short', client_secret: 'short-secret-0123456789', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
    // Opaque (reference) access tokens, which the provider stores and can revoke; the API learns of them by introspection.
    { client_id: 'chorus-opaque', client_secret: 'opaque-secret-0123456789', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
    // The API itself, introspecting tokens.
    { client_id: 'chorus-api', client_secret: 'api-secret-0123456789', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
  ],
  async findAccount(_ctx, sub) {
    return { accountId: sub, claims: async () => ({ sub, email: `${sub}@acme.test`, name: sub }) };
  },
  claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
  scopes: ['openid', 'email', 'profile', 'api'],
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, _resource, client) => ({
        scope: 'api',
        audience: 'chorus-api',
        accessTokenTTL: client.clientId === 'chorus-short' ? 2 : 600,
        accessTokenFormat: client.clientId === 'chorus-opaque' ? 'opaque' : 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  async extraTokenClaims(_ctx, token) {
    if (!token.accountId) return { roles: ['admin'] }; // a machine token (client credentials)
    const { roles, expert } = rolesOf(token.accountId);
    return { roles, email: `${token.accountId}@acme.test`, ...(expert ? { chorus_expert: expert } : {}) };
  },
  loadExistingGrant: async (ctx) => {
    // Consent is implied for the first-party pages: one login form, no consent screen.
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile api');
    grant.addResourceScope(RESOURCE, 'api');
    await grant.save();
    return grant;
  },
  pkce: { required: () => true },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Session: 3600, Interaction: 600, Grant: 3600 },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${issuer}\n`));
