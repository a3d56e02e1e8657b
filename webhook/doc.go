// Package webhook notifies other systems that vetlink data changed: an HTTP
// POST per event to each subscribed URL, signed, retried until the receiver
// answers, logged, and never lost.
//
// # Events and subscriptions
//
// A [Catalogue] lists the event types a vetlink installation publishes, each
// with the parameter that identifies the changed resource:
// "consultation.created_or_updated" with "consultation_id", "case.created"
// with "case_id" ([DefaultCatalogue] has vetlink's own resources and the
// practice-management events integrators already know). A [Subscription]
// asks for some event types to be posted to a URL, organisation-wide or for
// one department (an event whose department is unknown never reaches a
// department-limited subscription), as the thin form body
// "consultation_id=123" or the Standard Webhooks JSON envelope
// {"type", "timestamp", "data"} ([Payload]). A subscription's Events may
// name a prefix, "prescription.*", for every type under it, now and as the
// catalogue grows. Each subscription may also set its own attempt
// Timeout, Headers sent with every delivery (never the signature's,
// webhook-event or Content-Type, which [Subscription.Validate] refuses by
// name), and a RateLimit in deliveries a second. [Service.SendTest] sends a
// "webhook.test" event to one subscription, logged like any other.
//
// # Webhook, then GET
//
// A delivery says only what changed, never the object itself: the
// receiver reads the object afterwards, as it is now. Every vetlink event
// of [DefaultCatalogue] names the collection of the integration API that
// serves its object ([EventKind.Resource]); the Param's value is the
// object's key in that collection, so "case_id=123" of "case.created"
// (Resource "cases") is read with GET /api/0.1/cases/123/, with a token
// holding the collection's permission (package restapi lists them).
// The practice-management events name no Resource: the embedding
// application that publishes them serves their objects through its own
// API. The payload is the same either way; the Resource is documentation
// and the restapi index, not part of what is posted.
//
// # Publishing: the transactional outbox
//
// [Service.Publish] writes the event and one pending [Delivery] per
// matching subscription through the [Store]. Called with the context of the
// transaction that makes the business change (store's DB.InTx), it commits
// with the change or not at all: a rolled-back change sends nothing.
//
// # Delivering
//
// A [Dispatcher] claims due deliveries under a lease, posts them and
// records each [Attempt] in the delivery log. Delivery is at least once:
// a dispatcher that dies leaves its claims to lapse, and the deliveries
// are sent again with the same webhook-id, which receivers use to drop
// duplicates. Several dispatchers may share one PostgreSQL database (claims
// use SKIP LOCKED). Any 2xx is success (only 200 with
// [Subscription.Strict200]); redirects are never followed.
// At its defaults a dispatcher claims in batches of up to 200 and records
// outcomes in batches (one transaction for many), and each subscription's
// in-flight cap adapts to its receiver: from 4, doubling each round trip
// while attempts succeed within a second, up to 64, halved on a failure or
// a slow answer. On PostgreSQL an enqueue's commit notifies dispatchers in
// every process (LISTEN/NOTIFY, the [Notifier] interface), so a publisher
// in another process is delivered in milliseconds rather than at the next
// poll. The [Policy]
// retries on a schedule (at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h,
// ±20 % jitter; [Policy.Retries] sets another count), waits at least 60 s
// after 429 or a timeout, honours Retry-After within bounds, and disables a
// subscription on 410 Gone, after 120 h of failures, or when the [Guard]
// refuses its address, publishing [EventSubscriptionDisabled]. Each
// subscription has an in-flight cap and a circuit breaker, so one hung
// receiver never slows the others. A [Guard] checks every connection after
// DNS resolution, and every subscription's URL when it is created or
// updated, and refuses internal addresses unless allowlisted.
// [Service.Resend] and [Service.Recover] send failed deliveries again.
//
// # Signing and verifying
//
// Messages follow the Standard Webhooks specification
// (https://www.standardwebhooks.com): three headers, webhook-id,
// webhook-timestamp and webhook-signature, where the signature is
// "v1,"+base64(HMAC-SHA256(secret, id+"."+timestamp+"."+body)) for a shared
// "whsec_…" secret, or "v1a,"+base64(Ed25519 signature) for a "whsk_…"
// signing key whose "whpk_…" public key the receiver holds. Every delivery
// also names its event type in a webhook-event header ([HeaderEvent]),
// which is not signed and which verification ignores. A [Signer]
// makes the header; a [Verifier] checks it, and its [Verifier.Middleware]
// guards an http.Handler. Several keys may be active at once so that a
// secret can be rotated ([Service.RotateSecret]); [Key.WithExpiry] retires
// the old one.
//
// # Receiving
//
// A Go receiver wraps its handler in [Verifier.Middleware]. Receivers in
// other languages use the Standard Webhooks libraries, which verify
// vetlink's signatures as they are (the bench module tests the Go and
// JavaScript ones). One trap with the thin form bodies: the JavaScript
// library's Webhook.verify parses the body as JSON once a signature
// matches, and has no option to turn that off (there is no
// {jsonParse: false}; checked at standard-webhooks commit b2fa7b8, August
// 2026). On "consultation_id=123" it throws a SyntaxError, not a
// WebhookVerificationError. Either subscribe with [FormatJSON], or treat a
// SyntaxError from verify as "signature valid, body not JSON" (it is
// thrown only after a signature matched) and read the body with
// URLSearchParams:
//
//	let params;
//	try {
//		wh.verify(rawBody, headers);
//	} catch (e) {
//		if (!(e instanceof SyntaxError)) throw e; // a bad signature
//	}
//	params = new URLSearchParams(rawBody.toString()); // consultation_id=123
//
// Pass the raw body (a Buffer or string, before any body parser), and tell
// form events apart by the webhook-event header ([HeaderEvent]).
//
// # Metrics and traces
//
// A [Dispatcher]'s [Observer] is told of every attempt (subscription, event
// type, attempt number, latency, status, verdict), and [Service.Backlog]
// reports what waits per subscription and the age of the oldest; an
// adapter in the program exports them (the package imports no telemetry).
//
// # Retention and stranded deliveries
//
// [Service.Prune] deletes the delivery log older than a cut-off, in short
// batches, never touching a pending delivery. Deliveries that were pending
// when their subscription was disabled fail with it; once the subscription
// is enabled again they are stranded ([Service.Stranded]) until
// [Service.RecoverStranded] sends them. The vetview job kind
// "webhook-maintenance" (package vetview/jobs) does both on a schedule.
//
// # Storage
//
// The package holds no SQL: package store implements [Store] (and the
// optional [MatchingStore], [Transactor], [Notifier] and [BacklogStore])
// on SQLite and PostgreSQL, and
// package webhooktest is the conformance suite every implementation runs.
package webhook
