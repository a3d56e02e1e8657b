// Package admin serves the administrator's dashboard of a vetlink server:
// "Job & Interface Settings" (the servers connected to the database, the
// job kinds to add, the jobs with their live status and a run-now button)
// and "Webhooks" (subscriptions with their recent success rate, the
// delivery log, one delivery's attempts with resend).
//
// The pages are plain HTML from html/template with one small CSS file,
// embedded, with no script at all: they refresh themselves with a meta
// refresh, and every answer carries Content-Security-Policy
// "default-src 'self'". The dashboard is a client of the admin API
// (/api/admin/…, package openapi), which it calls in-process with the
// administrator's session token: every change it makes is the API's, so
// it is authorised, validated, audited and published exactly as an API
// call is.
//
// Sign-in is a form that logs in through the API (POST /api/users/logins)
// and keeps the session token in an HttpOnly, SameSite=Strict cookie;
// only the SAOR gets in. Every form carries a CSRF token, an HMAC of the
// session under Config.Key (the sign-in form a random value also set as a
// cookie), which a POST must return.
package admin
