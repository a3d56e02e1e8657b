package openapi

import (
	"context"
	"fmt"
	netmail "net/mail"
	"strings"

	vmail "github.com/vetlink/vetlink/mail"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
)

// The kinds of the mail the API queues (mail.Message.Kind).
const (
	mailPrescription = "prescription"
	mailMessage      = "message"
	mailComment      = "comment"
	mailAccount      = "account" // invitations and address confirmations
)

// queue writes m to the outbox in the transaction of ctx when the API's
// Mailer is its Outbox, so that the mail commits with the change that
// issued its token or not at all; it returns nil then. With another Mailer
// it returns m, to be sent after the commit (send).
func (h *API) queue(ctx context.Context, m *mail) (*mail, error) {
	if m == nil || h.cfg.Outbox == nil || h.cfg.Mailer != Mailer(h.cfg.Outbox) {
		return m, nil
	}
	_, err := h.cfg.Outbox.Enqueue(ctx, vmail.Message{Kind: mailAccount, To: []netmail.Address{{Address: m.to}},
		Subject: m.subject, Text: m.body})
	return nil, err
}

// recipient is user u as a mail recipient; ok is false when u has no
// address.
func recipient(u rx.User) (netmail.Address, bool) {
	if u.Email == "" {
		return netmail.Address{}, false
	}
	return netmail.Address{Name: strings.TrimSpace(u.Name()), Address: u.Email}, true
}

// queuePrescriptionMail queues, in the transaction of ctx, the mail of a
// new prescription with its PDF to the client (emailToClient) and the VOR
// (emailToVOR). When the PDF cannot be made now the mail names it by its
// source, so the outbox makes it again at each attempt, and the returned
// problem is the prescribe response's pdfError. Without an Outbox nothing
// is queued.
func (h *API) queuePrescriptionMail(ctx context.Context, p rx.Prescription, toClient, toVOR bool) (*ProblemDetails, error) {
	ob := h.cfg.Outbox
	if ob == nil || !toClient && !toVOR {
		return nil, nil
	}
	vor, err := h.cfg.Rx.Store.User(ctx, p.VOR)
	if err != nil {
		return nil, err
	}
	mor, err := h.cfg.Rx.Store.User(ctx, p.MOR)
	if err != nil {
		return nil, err
	}
	var to []netmail.Address
	for _, want := range []struct {
		yes bool
		u   rx.User
	}{{toClient, mor}, {toVOR, vor}} {
		if r, ok := recipient(want.u); want.yes && ok {
			to = append(to, r)
		} else if want.yes {
			h.logger.WarnContext(ctx, "prescription not mailed: user has no e-mail address", "rx", p.ID, "user", int64(want.u.ID))
		}
	}
	if len(to) == 0 {
		return nil, nil
	}
	att := vmail.Attachment{Name: pdfName(p.ID), ContentType: "application/pdf"}
	var pdfErr *ProblemDetails
	if b, err := h.documents().render(ctx, p); err != nil {
		att.Source = prescriptionSource + p.ID
		pdfErr = pdfProblem(err)
		h.logger.WarnContext(ctx, "prescription PDF not made; its mail waits in the outbox", "rx", p.ID, "err", err)
	} else {
		att.Data = b
	}
	expires := "does not expire"
	if !p.Expiration.IsZero() {
		expires = "expires " + p.Expiration.UTC().Format("January 2, 2006 15:04 UTC")
	}
	body := fmt.Sprintf("%s has prescribed %q to %s.\n\nPrescription %s: %d refill(s); %s.\n\n"+
		"The prescription, with its dosing, withdrawal times and (for an extra-label use) the labeling of 21 CFR 530.12, is attached as a PDF.\n",
		vor.Name(), p.Protocol.Name, mor.Name(), p.ID, p.Refills, expires)
	msg := vmail.Message{Kind: mailPrescription, To: to, Subject: "Prescription " + p.ID + ": " + p.Protocol.Name,
		Text: body, Attachments: []vmail.Attachment{att}}
	if r, ok := recipient(vor); ok {
		msg.ReplyTo = &r
	}
	if _, err := ob.Enqueue(ctx, msg); err != nil {
		return nil, err
	}
	return pdfErr, nil
}

// queueMessageMail queues, in the transaction of ctx, the e-mail of a
// message (modes=EMAIL) to its recipient; a message that asks a question
// carries a yes and a no link (/messages/ok/{token}/), each good once,
// until the token expires.
func (h *API) queueMessageMail(ctx context.Context, sent site.SentMessage, token string) error {
	ob := h.cfg.Outbox
	if ob == nil {
		return nil
	}
	from, err := h.cfg.Rx.Store.User(ctx, sent.Message.From)
	if err != nil {
		return err
	}
	to, err := h.cfg.Rx.Store.User(ctx, sent.Message.To)
	if err != nil {
		return err
	}
	r, ok := recipient(to)
	if !ok {
		h.logger.WarnContext(ctx, "message not mailed: recipient has no e-mail address", "message", sent.ID, "user", int64(to.ID))
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s sent you a message on vetlink:\n\n%s\n", from.Name(), plainText(sent.Message.Message))
	if d := plainText(sent.Message.Detail); d != "" {
		fmt.Fprintf(&b, "\n%s\n", d)
	}
	if token != "" {
		link := h.publicBase(ctx) + "/messages/ok/" + token + "/"
		fmt.Fprintf(&b, "\nAnswer with one of these links before %s (only the first answer counts):\n\n    Yes: %s?response=true\n    No:  %s?response=false\n",
			sent.Expires.UTC().Format("2006-01-02 15:04 UTC"), link, link)
	}
	msg := vmail.Message{Kind: mailMessage, To: []netmail.Address{r}, Subject: sent.Message.Subject, Text: b.String()}
	if fr, ok := recipient(from); ok {
		msg.ReplyTo = &fr
	}
	_, err = ob.Enqueue(ctx, msg)
	return err
}

// queueCommentMail queues, in the transaction of ctx, a copy of a user's
// comment to every administrator (SAOR) with an address.
func (h *API) queueCommentMail(ctx context.Context, a rx.Actor, c site.Comment) error {
	ob := h.cfg.Outbox
	if ob == nil {
		return nil
	}
	admins, err := h.cfg.Rx.Store.Users(ctx, []rx.UserType{rx.SAOR})
	if err != nil {
		return err
	}
	var to []netmail.Address
	for _, u := range admins {
		if r, ok := recipient(u); ok {
			to = append(to, r)
		}
	}
	if len(to) == 0 {
		return nil
	}
	who := "An anonymous user"
	if c.UserID != 0 {
		who = fmt.Sprintf("%s (%s, user %d)", a.User.Name(), a.User.Uname, a.User.ID)
	}
	body := fmt.Sprintf("%s left a comment on vetlink at %s:\n\n%s\n", who, c.Created.UTC().Format("2006-01-02 15:04 UTC"), c.Comment)
	_, err = ob.Enqueue(ctx, vmail.Message{Kind: mailComment, To: to, Subject: "vetlink: a user comment", Text: body})
	return err
}

// publicBase is where the links of mails point: Config.PublicURL, or the
// scheme and host of the request.
func (h *API) publicBase(ctx context.Context) string {
	base := strings.TrimSuffix(h.cfg.PublicURL, "/")
	if base == "" {
		base, _ = ctx.Value(baseURLKey{}).(string)
	}
	return base
}

// mailed wakes the outbox after a transaction that queued mail committed.
func (h *API) mailed() {
	if h.cfg.Outbox != nil {
		h.cfg.Outbox.Wake()
	}
}

// plainText removes the tags of a message's HTML for its plain-text mail.
func plainText(html string) string {
	var b strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	s := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&nbsp;", " ", "&quot;", `"`, "&#39;", "'").Replace(b.String())
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// emailMode reports whether a message's modes ask for e-mail: EMAIL, the
// only mode defined, is the default when none is given.
func emailMode(modes *[]MessageMode) bool {
	if modes == nil || len(*modes) == 0 {
		return true
	}
	for _, m := range *modes {
		if m == MessageMode(site.EMail) {
			return true
		}
	}
	return false
}

// GetMessages lists the last messages a user sent or received, with the
// answers to their questions (site.Service.Messages: the user or the
// SAOR).
func (h *API) GetMessages(ctx context.Context, request GetMessagesRequestObject) (GetMessagesResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	user := a.User.ID
	if id := request.Params.UserId; id != nil && *id != 0 {
		user = rx.UserID(*id)
	}
	ms, err := h.cfg.Site.Messages(ctx, a, user)
	if err != nil {
		return nil, err
	}
	ms = nonNilSlice(ms)
	return GetMessages200JSONResponse{Messages: &ms}, nil
}
