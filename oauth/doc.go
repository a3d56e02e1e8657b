// Package oauth is vetlink's OAuth 2.0 authorization server for the
// integration API, the integration catalogue and its registrations, and
// the permission model the integration API checks.
//
// (The package tour grows with the package; see [Principal], [Verifier]
// and [Middleware] for the API other handlers authenticate with.)
package oauth
