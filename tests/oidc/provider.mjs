// A real OpenID Connect provider for the end-to-end tests: oidc-provider with one client, PKCE
// required, and an interaction step that signs in whoever `login_hint` names (the test plays
// the person). `GET /__test/mode?m=...` makes the token endpoint misbehave on purpose, the way
// a broken or hostile provider would: `expired` (an ID token that expired an hour ago) and
// `wrong-aud` (an ID token for another client). `good` restores normal service.
//
// Environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma separated).
import http from 'node:http';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
let mode = 'good';

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URIS.split(','),
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false,
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: sub, email_verified: true, name: sub.split('@')[0] }),
  }),
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['test-cookie-key'] },
});

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.body && ctx.body.id_token && mode !== 'good') {
    const claims = jose.decodeJwt(ctx.body.id_token);
    const now = Math.floor(Date.now() / 1000);
    if (mode === 'expired') { claims.iat = now - 7200; claims.exp = now - 3600; }
    if (mode === 'wrong-aud') { claims.aud = 'someone-else'; }
    ctx.body.id_token = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .sign(privateKey);
  }
});

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname === '/__test/mode') {
    mode = url.searchParams.get('m') || 'good';
    res.end(mode);
    return;
  }
  if (url.pathname.startsWith('/interaction/')) {
    try {
      const details = await provider.interactionDetails(req, res);
      const { prompt, params, session } = details;
      let result;
      if (prompt.name === 'login') {
        result = { login: { accountId: String(params.login_hint || 'nobody@nowhere.example') } };
      } else {
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
        if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
        if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
        result = { consent: { grantId: await grant.save() } };
      }
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
    return;
  }
  provider.callback()(req, res);
});

server.listen(port, '127.0.0.1', () => console.log(`oidc provider listening on ${issuer}`));
