// Package mail is the one way vetlink sends e-mail: prescriptions with
// their PDF, the yes/no questions of messages, address confirmations,
// invitations, the administrator's copy of user comments, reminders.
//
// Mail is never sent from the request that causes it. The request writes
// an outbox row ([Outbox.Enqueue]) in the same database transaction as the
// change it reports, so a rolled-back change mails no one and a committed
// one is never forgotten; a worker ([Outbox.Run]) then delivers the row
// through a [Sender], retrying with backoff ([Policy]) and logging every
// attempt, as the webhook dispatcher does for webhooks. Delivery is
// at-least-once: a worker that dies after the server accepted a mail but
// before the row was marked sent sends it again when its lease expires.
//
// [SMTP] sends through net/smtp from the standard library: STARTTLS and
// AUTH PLAIN are all a submission server (port 587) needs, so no
// dependency is added for it. [Message.Bytes] writes RFC 5322 headers with
// net/mail address formatting and mime.QEncoding, never by pasting user
// text: a CR or LF in any header value is refused ([ErrHeader]).
//
// Attachments that cannot be made when the mail is queued (a prescription
// PDF whose rendering failed) are named by [Attachment.Source] and made by
// [Outbox.Resolve] at each attempt, so the mail is retried, not lost.
package mail
