// Package oauth is vetlink's OAuth 2.0 authorization server for the
// integration API (/api/0.1/), the integration catalogue with its
// registrations, and the permission model the integration API checks.
//
// # The library, and why
//
// The protocol is not hand-written: [Server] is the op package of
// github.com/zitadel/oidc/v3 (v3.52.0), the OpenID Connect provider that
// ZITADEL maintains and runs in its own identity product. A correction to
// how it is often described: the library's OpenID certification covers its
// relying party (the Basic and Config RP profiles); certifying the
// provider is a goal its README lists, not yet done. It is still the best
// fit: op parses and validates every request, authenticates clients,
// checks PKCE, answers token, revocation and introspection requests with
// RFC 6749 §5.2 errors, and serves discovery and the JWKS; this package
// implements only its Storage over vetlink's store (opstorage.go) and adds
// the login and consent page, the catalogue and the verifier. Two
// alternatives were weighed and not used: go-oauth2/oauth2 is small but
// has no OpenID Connect, no certification either, and leaves PKCE rules
// and refresh-token reuse detection to its user; ory/fosite is thorough
// and well reviewed but a framework of many interfaces (a dozen storage
// roles, its own session types) whose glue would be larger than this
// package, and it is meant to be used behind Ory Hydra rather than
// embedded.
//
// # Endpoints
//
// [Server.Handler] serves, under the issuer URL ([Config.Issuer]):
//
//	GET  /oauth/authorize                  authorization endpoint (code flow)
//	GET  /oauth/login, POST /oauth/login   login and consent page
//	POST /oauth/token                      client_credentials, authorization_code, refresh_token
//	POST /oauth/revoke                     RFC 7009 revocation
//	POST /oauth/introspect                 RFC 7662 introspection
//	GET  /oauth/userinfo, /oauth/keys      OpenID Connect userinfo, JWKS
//	GET  /.well-known/oauth-authorization-server   RFC 8414 metadata
//	GET  /.well-known/openid-configuration         OpenID Connect Discovery
//
// # Grants and their rules
//
//   - client_credentials: confidential clients only, authenticated with
//     HTTP Basic (or client_secret_post). No scope asks for every scope the
//     client was granted; a scope it was not granted is invalid_scope.
//   - authorization_code with PKCE: S256 only ("plain" is refused); a
//     public client must send a challenge, a confidential one may. Scopes
//     the client was not granted are dropped from the request and the
//     token's scope says what was granted (RFC 6749 §3.3). A code lives
//     AuthRequestTTL and is used once: a second exchange fails with
//     invalid_grant and revokes every token issued for the code (RFC 6749
//     §4.1.2).
//   - refresh_token, issued with the offline_access scope: each use
//     rotates it; presenting a used one again revokes its whole family,
//     the newest tokens included (RFC 9700 §4.14.2).
//
// # Tokens
//
// Access tokens are opaque: op encrypts "<record id>:<subject>" with
// AES-256-GCM under a key derived from [Config.Key], and every check reads
// the record. JWTs were not chosen: they cannot be revoked before they
// expire without a lookup anyway, and vetlink must revoke at once (an
// organisation removing an integration, a reused refresh token); the
// lookup also gives the verifier the permission group's current grants.
// Client secrets, codes and refresh tokens are stored as their SHA-256; the
// RSA key that signs ID tokens is stored sealed under the server's secret
// key (package store). [Server.Purge] deletes expired requests and tokens
// (the reference server's "oauth-purge" job kind calls it): every
// client_credentials grant adds a record.
//
// # The integration catalogue
//
// An administrator defines integrations ([Catalogue.Define]): name,
// description, visibility (all, some organisations, some countries), grant
// and client type, redirect URIs, scopes, and how a registration is
// announced: by e-mail or to a hookup URL. When an organisation adds one
// ([Catalogue.Add]), vetlink makes a permission group granting the
// integration's scopes, the virtual user "Integration <name>" in it, and
// client credentials, and sends the [RegistrationDocument] (provet_id,
// client_id, client_secret, algorithm, authorization_grant_type,
// client_type, redirect_uris, token_url, authorize_url,
// openid_autodiscovery_url) — to the hookup URL as a webhook delivery of
// the event [EventIntegrationRegistered], signed like every vetlink
// webhook (Standard Webhooks, with the secret Define returned) and retried
// by the webhook dispatcher, its body the envelope {"type", "timestamp",
// "data"} whose data is the document; or by e-mail through a [Mailer].
// Removing it ([Catalogue.Remove], [Catalogue.Delete]) revokes the client
// and every token at once.
//
// [Catalogue.AdminHandler] serves this to the SAOR as plain JSON under
// /api/admin/integrations (see its documentation for the routes).
//
// An organisation adds integrations itself: [Catalogue.OrganisationHandler]
// serves its members (and the SAOR), with the same session credentials,
//
//	GET    /api/organisations/{org}/integrations        the catalogue as org sees it, each with its registration or null
//	POST   /api/organisations/{org}/integrations/{id}   add it: 201 with the registration (the secret goes to the integration only)
//	DELETE /api/organisations/{org}/integrations/{id}   remove it, revoking its credentials and tokens: 204
//
// Who is an organisation, its country and its members come from
// [Catalogue.Organisations], an [OrganisationDirectory]; with one set,
// [Catalogue.Add] refuses an ID that names no organisation
// ([ErrNoOrganisation]) from the admin API too. The reference server's
// directory reads vetlink's CLINIC and FARM users: a clinic's VORs and a
// farm's MORs (MEMBER relations) are their members, and the country is
// the organisation's address's.
//
// # Permissions
//
// A [Permission] names what an endpoint of the integration API needs
// ("cases.read"); a scope of the same name asks for it. A token's
// [Principal] holds the permissions among its scopes, and for an
// integration's virtual user only those its group still grants.
// [Middleware] authenticates a request with a [Verifier] ([*Server] is
// one), [Require] answers 403 with a problem naming the missing
// permission. An authorization-code token acts as the vetlink user who
// consented ([Principal.User]): the integration API must still apply that
// user's own rights (rx's authorization) to what it returns.
package oauth
