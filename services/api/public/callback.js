// The end of the login: the provider sent the browser back with a code; this tab's PKCE verifier turns it into an
// access token, kept in this browser, and the page that asked for the login is opened again.
const status = document.getElementById('status');
const params = new URLSearchParams(location.search);
const pending = JSON.parse(sessionStorage.getItem('chorus.login') ?? 'null');
sessionStorage.removeItem('chorus.login');

async function finish() {
  if (params.get('error')) throw new Error(`${params.get('error')}: ${params.get('error_description') ?? 'the provider refused the login'}`);
  if (!pending || pending.state !== params.get('state')) throw new Error('this login was not started here (the state does not match): open the page again');
  const res = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: pending.redirect, client_id: pending.clientId, code_verifier: pending.verifier }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.access_token) throw new Error(body.error_description ?? body.error ?? `the token endpoint answered ${res.status}`);
  localStorage.setItem('chorus.apiKey', body.access_token);
  localStorage.setItem('chorus.tokenExpiresAt', String(Date.now() + (Number(body.expires_in ?? 300) - 10) * 1000));
  location.replace(pending.back);
}

finish().catch((e) => {
  status.textContent = `Login failed: ${e.message}`;
});
