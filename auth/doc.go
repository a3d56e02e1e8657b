// Package auth checks the reference server's credentials: user passwords,
// application API keys and session tokens, as the VCPR API 2.1.0 uses them.
//
// A client logs in with POST /api/users/logins {apikey, identifier,
// password} and gets {user, token}; later requests carry the application's
// key in X-APIKEY and the user's token in X-Auth-Token; GET
// /api/users/logins renews the token. The HTTP layer maps those onto
// [Service.Login], [Service.Authenticate] and [Service.Renew].
//
// # Passwords
//
// Passwords are hashed with argon2id and stored in the PHC string format
// ($argon2id$v=19$m=19456,t=2,p=1$salt$hash), OWASP's minimum parameters
// ([DefaultPasswordParams]); a hash made with other parameters verifies
// with its own. A password has at least [MinPasswordLen] characters.
//
// Failed logins are counted per identifier, whether or not a user has that
// name: after [ThrottleAfter] consecutive failures each attempt must wait a
// growing delay, after [LockAfter] the identifier is locked for [LockFor];
// a success resets the count. Refusals are a [*LockError] with the
// RetryAfter to advertise. An unknown name, a REMOVED user and a wrong
// password get the same [ErrBadCredentials] after the same hashing work.
//
// # API keys
//
// An API key names an application. [Service.CreateAPIKey] makes one
// ("vlk_" and 32 random bytes, base64url) and shows it once; the store
// keeps only its SHA-256. [Service.EnsureAPIKey] adopts a key the operator
// supplies (VETLINK_API_KEY), at every start, harmlessly.
//
// # Tokens
//
// A token is a JWT signed with HS256 under [Service.Key], with the claims
// sub (the user ID), iat, exp, jti and gen, the user's session generation.
// Setting a password or calling [Service.RevokeSessions] advances the
// generation and so revokes every token of that user at once, on every
// server sharing the database, without a token table. Verification checks
// the signature in constant time, accepts only "alg":"HS256", allows
// [ClockSkew] on the times, and reads the generation from the [Store].
//
// # Storage
//
// [Store] is what auth needs from a database, in its own words; package
// store implements it (store.DB.Auth) beside rx's users, and
// authtest.TestStore is its conformance suite.
package auth
