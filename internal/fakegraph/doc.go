// Package fakegraph is a local Microsoft Graph and Microsoft Entra token
// endpoint for tests and measurements, written from Microsoft's
// documentation, served over TLS as the real ones are.
//
// Graph: GET /beta/auditLogs/signIns ("List signIns", beta) with the
// $filter a collector sends, signInEventTypes/any(t: t eq 'TYPE') and
// createdDateTime ge/le (no type filter means interactive sign-ins
// only, as the real service), $top from 1 to 1000 (1000 by default, the
// real maximum), newest first, and @odata.nextLink with an opaque
// $skiptoken (the position after the last sign-in served, so a sign-in
// added later does not shift the pages of a listing under way).
// Requests need a bearer token the token endpoint issued; errors have
// Graph's shape, {"error":{"code":…,"message":…}}.
//
// Token endpoint: the OpenID configuration azidentity asks for
// (GET /{tenant}/v2.0/.well-known/openid-configuration) and the OAuth 2.0
// client credentials grant (POST /{tenant}/oauth2/v2.0/token with
// client_id, client_secret, scope and grant_type), which checks the
// secret and issues JWT-shaped tokens carrying the tenant (tid). Instance
// discovery is Microsoft's own host, which azidentity skips when told
// (DisableInstanceDiscovery), as for every authority it does not know.
//
// Sign-ins are held as their Graph JSON, in memory or in a file
// (Options.Dir), indexed by type, time and id, so a million fit in a
// few tens of MB of index. Faults on demand: responses 429 and 503 with
// Retry-After (Throttle), tokens that stop working after a number of
// requests (Options.TokenUses: 401 InvalidAuthenticationToken), a
// connection dropped midway through a page's body (Drop), a page that is
// not JSON (Malform), and sign-ins added late with an old createdDateTime
// (Add at any time). Requests are recorded, without their tokens, for
// assertions (Requests).
package fakegraph
