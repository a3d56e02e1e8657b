// Package site keeps the application's own records behind the VCPR
// Protocol Editor API: users' mailing addresses and preferences (their
// Profile), login visits, comments to the site managers, messages between
// users with an optional yes/no question, e-mail confirmation tokens, help
// screens, and log lines sent by clients.
//
// Its types round-trip the VCPR wire JSON (Address, UserPrefs, Profile,
// Login as Visit, Comment, SimpleMessage as Message, MessageMode,
// HelpScreen). Users, their types and their relationships are package rx's:
// site takes an rx.Actor for every call a user makes and decides with the
// May… functions of this package, which build on rx's relations.
//
// # Authorization
//
//   - Own records (address, profile, visits, messages sent and received):
//     the user themselves — even while their account is pending, so that
//     sign-up can complete a profile — and the SAOR for anyone's
//     (MayManage).
//   - Comments: any logged-in user who is not REMOVED (MayComment). A
//     comment is the actor's own, or anonymous.
//   - Messages: a SAOR, VOR, MOR or TOR may message a user they are
//     related to by any rx relation, in either direction; the SAOR may
//     message anyone (MayMessage). Reaching the site managers is what
//     comments are for.
//   - Help screens: anyone reads, even without logging in; only the SAOR
//     writes and deletes (MayEditHelp).
//   - Client log lines: anyone but a REMOVED user, anonymous callers
//     included; a line longer than MaxLogMessage bytes is cut.
//
// # Tokens
//
// A message sent with a question (Service.Send with ask set) and an e-mail
// confirmation (Service.IssueEmailToken) each carry a random token of 256
// bits, returned once to the caller for the link it mails. Only the
// token's SHA-256 hash is stored, so reading the database does not reveal a
// live token. A token is used at most once (the answer or the confirmation
// is recorded by one conditional write, so two concurrent clicks cannot
// both succeed) and expires after MessageTokenTTL or EmailTokenTTL.
//
// # Errors
//
// Every failure is an *Error naming the operation, the input at fault and
// the rule, wrapping rx.ErrInvalid, rx.ErrNotFound, rx.ErrForbidden,
// rx.ErrConflict or ErrExpired, so errors.Is(err, rx.ErrNotFound) holds
// and one mapping to HTTP problems serves rx and site alike.
//
// # Storage
//
// site declares the Store it needs and imports no SQL; package store
// implements it on SQLite and PostgreSQL (store.DB.Site).
package site
