package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
)

func userResource(id rx.UserID) string { return fmt.Sprint(int64(id)) }

// ---- users and relationships

// GetUsers lists the IDs of the active users of the types asked for (VOR
// when none): a VOR may list VORs and CLINICs, the SAOR any type
// (rx.MayListUsers).
func (h *API) GetUsers(ctx context.Context, request GetUsersRequestObject) (GetUsersResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	types := []rx.UserType{rx.VOR}
	if p := request.Params.Usertypes; p != nil && len(*p) > 0 {
		types = types[:0]
		for _, t := range *p {
			types = append(types, rx.UserType(t))
		}
	}
	us, err := h.cfg.Rx.Users(ctx, a, types)
	if err != nil {
		return nil, err
	}
	items := make([]struct {
		Users *int64 `json:"users,omitempty"`
	}, len(us))
	for i, u := range us {
		id := int64(u.ID)
		items[i].Users = &id
	}
	return GetUsers200JSONResponse{Vors: &items}, nil
}

// GetVORs lists the active veterinarians with their display names.
func (h *API) GetVORs(ctx context.Context, request GetVORsRequestObject) (GetVORsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	us, err := h.cfg.Rx.Users(ctx, a, []rx.UserType{rx.VOR})
	if err != nil {
		return nil, err
	}
	items := make([]struct {
		Id   *int64  `json:"id,omitempty"`
		Name *string `json:"name,omitempty"`
	}, len(us))
	for i, u := range us {
		id, name := int64(u.ID), u.Name()
		items[i].Id, items[i].Name = &id, &name
	}
	return GetVORs200JSONResponse{Vors: &items}, nil
}

// UpdateUser changes the e-mail, names, suffix and phone of body.user
// (rx.Service.UpdateUser decides who may) and publishes
// user.created_or_updated.
func (h *API) UpdateUser(ctx context.Context, request UpdateUserRequestObject) (UpdateUserResponseObject, error) {
	if request.Body == nil || request.Body.User == nil {
		return nil, invalid("user", "is required")
	}
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		u, err := h.cfg.Rx.UpdateUser(ctx, a, *request.Body.User)
		if err != nil {
			return err
		}
		return pub.publish(ctx, eventUserChanged, userResource(u.ID), u)
	})
	if err != nil {
		return nil, err
	}
	n := int32(1)
	return UpdateUser200JSONResponse{UpdatedRecords: &n}, nil
}

// GetUser answers user id if the caller may read it (rx.MayReadUser).
func (h *API) GetUser(ctx context.Context, request GetUserRequestObject) (GetUserResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.cfg.Rx.User(ctx, a, rx.UserID(request.Id))
	if err != nil {
		return nil, err
	}
	return GetUser200JSONResponse{User: &u}, nil
}

// DeleteUser marks user id REMOVED (the SAOR anyone, a VOR its clients),
// revokes every token of that user in the same transaction, and
// publishes user.deactivated.
func (h *API) DeleteUser(ctx context.Context, request DeleteUserRequestObject) (DeleteUserResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	id := rx.UserID(request.Id)
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		if err := h.cfg.Rx.RemoveUser(ctx, a, id); err != nil {
			return err
		}
		if err := h.cfg.Auth.RevokeSessions(ctx, id); err != nil {
			return err
		}
		return pub.publish(ctx, eventUserDeactivated, userResource(id), nil)
	})
	if err != nil {
		return nil, err
	}
	n := int32(1)
	return DeleteUser200JSONResponse{Deleted: &n}, nil
}

// GetVisits lists the last logins of user id: for the user and the SAOR.
func (h *API) GetVisits(ctx context.Context, request GetVisitsRequestObject) (GetVisitsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	vs, err := h.cfg.Site.Visits(ctx, a, rx.UserID(request.Id))
	if err != nil {
		return nil, err
	}
	return GetVisits200JSONResponse{Visits: &vs}, nil
}

// CreateSandboxClient creates an MOR named by the body that is a CLIENT of
// the calling VOR, marked as its sandbox.
func (h *API) CreateSandboxClient(ctx context.Context, request CreateSandboxClientRequestObject) (CreateSandboxClientResponseObject, error) {
	if request.Body == nil {
		return nil, invalid("body", "is required")
	}
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	var u rx.User
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		u, err = h.cfg.Rx.CreateSandboxClient(ctx, a, *request.Body)
		if err != nil {
			return err
		}
		return pub.publish(ctx, eventUserChanged, userResource(u.ID), u)
	})
	if err != nil {
		return nil, err
	}
	return CreateSandboxClient200JSONResponse{SandboxClient: &u.Uname}, nil
}

// DeleteSandboxClient deletes the calling VOR's sandbox clients with their
// relations (irreversibly; prescriptions stay) and answers how many.
func (h *API) DeleteSandboxClient(ctx context.Context, request DeleteSandboxClientRequestObject) (DeleteSandboxClientResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	var n int
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		n, err = h.cfg.Rx.DeleteSandboxClients(ctx, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	d := int32(n)
	return DeleteSandboxClient200JSONResponse{Deleted: &d}, nil
}

// GetRelations adds a relationship between two existing users (the VCPR
// names it so): rx.MayRelate decides. It answers the right user's uname
// and publishes user.created_or_updated for that user.
func (h *API) GetRelations(ctx context.Context, request GetRelationsRequestObject) (GetRelationsResponseObject, error) {
	if request.Body == nil {
		return nil, invalid("body", "is required")
	}
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	r := *request.Body
	if r.Kind == "" {
		r.Kind = rx.Client
	}
	if r.Left == 0 {
		r.Left = a.ID()
	}
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		if err := h.cfg.Rx.Relate(ctx, a, r); err != nil {
			return err
		}
		// The catalogue has no event of its own for a relationship; the
		// user it makes someone's client or employee has changed.
		return pub.publish(ctx, eventUserChanged, userResource(r.Right), r)
	})
	if err != nil {
		return nil, err
	}
	// The actor now relates to the right user (or is the SAOR), so it may
	// read it.
	a, err = h.actor(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.cfg.Rx.User(ctx, a, r.Right)
	if err != nil {
		return nil, err
	}
	return GetRelations200JSONResponse(u.Uname), nil
}

// MyRightRelations lists the users on the right of the caller's
// relationships of the kind asked for (CLIENT when absent), with their
// address and preferences as Profiles when withAddress is set.
func (h *API) MyRightRelations(ctx context.Context, request MyRightRelationsRequestObject) (MyRightRelationsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	kind := rx.Client
	if p := request.Params.Relationship; p != nil {
		kind = *p
	}
	us, err := h.cfg.Rx.RightRelated(ctx, a, kind)
	if err != nil {
		return nil, err
	}
	withAddress := request.Params.WithAddress != nil && *request.Params.WithAddress
	items := make([]MyRightRelations200JSONResponseBody_Prescriptions_Item, len(us))
	for i, u := range us {
		var v any = u
		if withAddress {
			// The actor is related to u, not u's manager: the profile
			// is read from the store as u's own record.
			p, err := h.cfg.Site.Store.Profile(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			p.User = u
			v = p
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if err := items[i].UnmarshalJSON(b); err != nil {
			return nil, err
		}
	}
	return MyRightRelations200JSONResponse{Prescriptions: &items}, nil
}

// CreateRightRelation creates the user of the body with the type of
// usertype, in the relationship asked for with the caller: a VOR adds a
// CLIENT MOR, an MOR an EMPLOYEE TOR (rx.Service.AddUser). The new user
// has no password until they set one: when mail is configured and the
// user has an e-mail address, an invitation token is issued in the same
// transaction and its link mailed with it, through the outbox
// (SetPasswordWithToken). It publishes user.created_or_updated.
func (h *API) CreateRightRelation(ctx context.Context, request CreateRightRelationRequestObject) (CreateRightRelationResponseObject, error) {
	if request.Body == nil {
		return nil, invalid("body", "is required")
	}
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	u := *request.Body
	u.Type = request.Params.Usertype
	var m *mail
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		u, err = h.cfg.Rx.AddUser(ctx, a, u, request.Params.Relationship)
		if err != nil {
			return err
		}
		m, err = h.invitation(ctx, u, a.User)
		if err != nil {
			return err
		}
		if m, err = h.queue(ctx, m); err != nil {
			return err
		}
		return pub.publish(ctx, eventUserChanged, userResource(u.ID), u)
	})
	if err != nil {
		return nil, err
	}
	h.send(ctx, m)
	h.mailed()
	return CreateRightRelation200JSONResponse{User: &u}, nil
}

// CreateUser creates an account of any type with its password, in no
// relationship: the SAOR only (rx.Service.AddUser with no relation kind).
// It publishes user.created_or_updated. vetlink's addition: it lets an
// administrator onboard the first veterinarian in one call.
func (h *API) CreateUser(ctx context.Context, request CreateUserRequestObject) (CreateUserResponseObject, error) {
	if request.Body == nil {
		return nil, invalid("body", "is required")
	}
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	u := request.Body.User
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		u, err = h.cfg.Rx.AddUser(ctx, a, u, "")
		if err != nil {
			return err
		}
		if err := h.cfg.Auth.SetPassword(ctx, u.ID, request.Body.Password); err != nil {
			return err
		}
		return pub.publish(ctx, eventUserChanged, userResource(u.ID), u)
	})
	if err != nil {
		return nil, err
	}
	return CreateUser200JSONResponse{User: &u}, nil
}

// ChangePassword sets user id's password. The user themself proves who
// they are with currentPassword, checked by auth under the failed-login
// rule of their uname (outside a transaction, so that a failure counts);
// without it, or for someone else, only the SAOR may
// (rx.MayResetPassword). Either way every token of the user is revoked
// (auth advances the session generation). vetlink's addition.
func (h *API) ChangePassword(ctx context.Context, request ChangePasswordRequestObject) (ChangePasswordResponseObject, error) {
	if request.Body == nil {
		return nil, invalid("body", "is required")
	}
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	id, b := rx.UserID(request.Id), request.Body
	n := int32(1)
	if b.CurrentPassword != nil && id == a.ID() {
		if _, err := h.cfg.Auth.ChangePassword(ctx, a.User.Uname, *b.CurrentPassword, b.Password); err != nil {
			return nil, err
		}
		return ChangePassword200JSONResponse{UpdatedRecords: &n}, nil
	}
	if err := rx.MayResetPassword(a, id); err != nil {
		return nil, err
	}
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		return h.cfg.Auth.SetPassword(ctx, id, b.Password)
	})
	if err != nil {
		return nil, err
	}
	return ChangePassword200JSONResponse{UpdatedRecords: &n}, nil
}

// ConfirmVOR makes the PREVOR id a VOR: the SAOR only.
func (h *API) ConfirmVOR(ctx context.Context, request ConfirmVORRequestObject) (ConfirmVORResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	var u rx.User
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		u, err = h.cfg.Rx.ConfirmVOR(ctx, a, rx.UserID(request.Params.Id))
		if err != nil {
			return err
		}
		return pub.publish(ctx, eventUserChanged, userResource(u.ID), u)
	})
	if err != nil {
		return nil, err
	}
	return ConfirmVOR200JSONResponse{Vor: &u}, nil
}

// ---- addresses and profiles

// UpdateAddress creates or replaces the address of body.user.userId (the
// caller's own when 0): the user and the SAOR (site.MayManage).
func (h *API) UpdateAddress(ctx context.Context, request UpdateAddressRequestObject) (UpdateAddressResponseObject, error) {
	if request.Body == nil || request.Body.User == nil {
		return nil, invalid("user", "is required")
	}
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ad := *request.Body.User
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		_, err := h.cfg.Site.UpdateAddress(ctx, a, ad)
		return err
	})
	if err != nil {
		return nil, err
	}
	n := int32(1)
	return UpdateAddress200JSONResponse{UpdatedRecords: &n}, nil
}

// GetAddress answers the address of user id: the user and the SAOR; 404
// when none is saved.
func (h *API) GetAddress(ctx context.Context, request GetAddressRequestObject) (GetAddressResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ad, err := h.cfg.Site.Address(ctx, a, rx.UserID(request.Id))
	if err != nil {
		return nil, err
	}
	return GetAddress200JSONResponse{User: &ad}, nil
}

// UpdateProfile changes the names, suffix, phone, address and preferences
// of the profile's user (the caller's own when id is 0): the user and the
// SAOR. Uname, type and e-mail are kept (updateUser changes the e-mail).
func (h *API) UpdateProfile(ctx context.Context, request UpdateProfileRequestObject) (UpdateProfileResponseObject, error) {
	if request.Body == nil || request.Body.User == nil {
		return nil, invalid("user", "is required")
	}
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	p := *request.Body.User
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		p, err = h.cfg.Site.UpdateProfile(ctx, a, p)
		if err != nil {
			return err
		}
		return pub.publish(ctx, eventUserChanged, userResource(p.User.ID), p.User)
	})
	if err != nil {
		return nil, err
	}
	return UpdateProfile200JSONResponse{Profile: &p}, nil
}

// CreateProfile signs up a new, pending account (rx.Service.SignUp: VOR →
// UNVOR, MOR → UNMOR), sets its password through auth (argon2id) and
// saves its address and preferences, in one transaction; when mail is
// configured it issues the token that confirms the address in the same
// transaction and mails the link after the commit.
func (h *API) CreateProfile(ctx context.Context, request CreateProfileRequestObject) (CreateProfileResponseObject, error) {
	if request.Body == nil {
		return nil, invalid("body", "is required")
	}
	p := request.Body.User
	var m *mail
	err := h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		u, err := h.cfg.Rx.SignUp(ctx, p.User)
		if err != nil {
			return err
		}
		if err := h.cfg.Auth.SetPassword(ctx, u.ID, request.Body.Password); err != nil {
			return err
		}
		p.User = u
		p.Address.UserID, p.Prefs.UserID = u.ID, u.ID
		p, err = h.cfg.Site.UpdateProfile(ctx, rx.Actor{User: u}, p)
		if err != nil {
			return err
		}
		m, err = h.confirmation(ctx, u)
		if err != nil {
			return err
		}
		if m, err = h.queue(ctx, m); err != nil {
			return err
		}
		return pub.publish(ctx, eventUserChanged, userResource(u.ID), u)
	})
	if err != nil {
		return nil, err
	}
	h.send(ctx, m)
	h.mailed()
	rid := RequestID(ctx)
	return CreateProfile200JSONResponse{Body: p, Headers: CreateProfile200ResponseHeaders{XRequestId: &rid}}, nil
}

// GetProfile answers the address part of user id's profile (the document
// declares the answer an Address): the user and the SAOR.
func (h *API) GetProfile(ctx context.Context, request GetProfileRequestObject) (GetProfileResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	p, err := h.cfg.Site.Profile(ctx, a, rx.UserID(request.Id))
	if err != nil {
		return nil, err
	}
	p.Address.UserID = p.User.ID
	return GetProfile200JSONResponse{User: &p.Address}, nil
}

// ConfirmToken uses an e-mail confirmation token once and answers a small
// page; the account then moves on (rx.Service.ConfirmEmail).
func (h *API) ConfirmToken(ctx context.Context, request ConfirmTokenRequestObject) (ConfirmTokenResponseObject, error) {
	var u rx.User
	err := h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		t, err := h.cfg.Site.ConfirmEmail(ctx, request.Token)
		if err != nil {
			return err
		}
		u, err = h.cfg.Rx.ConfirmEmail(ctx, t.UserID)
		if err != nil {
			return err
		}
		return pub.publish(ctx, eventUserChanged, userResource(u.ID), u)
	})
	if err != nil {
		return nil, err
	}
	body := page("E-mail address confirmed",
		fmt.Sprintf("Thank you: the e-mail address of %s is confirmed.", u.Uname))
	return ConfirmToken200TexthtmlResponse{Body: bytes.NewReader(body), ContentLength: int64(len(body))}, nil
}

// SetPasswordWithToken uses a mailed token once, sets the password of its
// user (auth, argon2id) and moves a pending account on as ConfirmToken
// does (rx.Service.ConfirmEmail), in one transaction: a weak password
// leaves the token unused. vetlink's addition on the reference's path.
func (h *API) SetPasswordWithToken(ctx context.Context, request SetPasswordWithTokenRequestObject) (SetPasswordWithTokenResponseObject, error) {
	if request.Body == nil {
		return nil, invalid("body", "is required")
	}
	var u rx.User
	err := h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		t, err := h.cfg.Site.ConfirmEmail(ctx, request.Token)
		if err != nil {
			return err
		}
		if err := h.cfg.Auth.SetPassword(ctx, t.UserID, request.Body.Password); err != nil {
			return err
		}
		u, err = h.cfg.Rx.ConfirmEmail(ctx, t.UserID)
		if err != nil {
			return err
		}
		return pub.publish(ctx, eventUserChanged, userResource(u.ID), u)
	})
	if err != nil {
		return nil, err
	}
	return SetPasswordWithToken200JSONResponse{User: &u}, nil
}

// ---- mail

// mail is a message to send once the transaction that issued its token
// has committed.
type mail struct {
	user              rx.UserID
	to, subject, body string
}

// invitation issues the token with which u, just created by inviter,
// sets a password, and writes the mail that carries its link. It is nil
// when mail is not configured or u has no e-mail address.
func (h *API) invitation(ctx context.Context, u rx.User, inviter rx.User) (*mail, error) {
	link, expires, err := h.emailLink(ctx, u)
	if link == "" || err != nil {
		return nil, err
	}
	body := fmt.Sprintf("%s has invited you to vetlink as %s, under the user name %s.\n\n"+
		"Choose your password (at least %d characters) by sending it to this link, once, before %s:\n\n"+
		"    POST %s\n    {\"password\": \"...\"}\n\n"+
		"with your application's API key (X-APIKEY); then sign in with your user name and that password.\n",
		inviter.Name(), u.Type, u.Uname, auth.MinPasswordLen, expires, link)
	return &mail{user: u.ID, to: u.Email, subject: "Your vetlink account", body: body}, nil
}

// confirmation issues the token that confirms the address of u, who just
// signed up, and writes the mail that carries its link; nil when mail is
// not configured.
func (h *API) confirmation(ctx context.Context, u rx.User) (*mail, error) {
	link, expires, err := h.emailLink(ctx, u)
	if link == "" || err != nil {
		return nil, err
	}
	body := fmt.Sprintf("Someone, we hope you, asked for a vetlink account under the user name %s with this address.\n\n"+
		"Confirm the address by opening this link before %s:\n\n    %s\n\nIf it was not you, ignore this mail.\n",
		u.Uname, expires, link)
	return &mail{user: u.ID, to: u.Email, subject: "Confirm your e-mail address for vetlink", body: body}, nil
}

// emailLink issues an e-mail token for u (site.IssueEmailToken, as u) in
// the transaction of ctx and returns its link and when it expires (UTC,
// as written in the mail); "" when mail is not configured or u has no
// address to mail it to.
func (h *API) emailLink(ctx context.Context, u rx.User) (link, expires string, err error) {
	if h.cfg.Mailer == nil || u.Email == "" {
		return "", "", nil
	}
	t, token, err := h.cfg.Site.IssueEmailToken(ctx, rx.Actor{User: u}, u.ID)
	if err != nil {
		return "", "", err
	}
	base := strings.TrimSuffix(h.cfg.PublicURL, "/")
	if base == "" {
		base, _ = ctx.Value(baseURLKey{}).(string)
	}
	return base + "/api/users/token/" + token, t.Expires.UTC().Format("2006-01-02 15:04 UTC"), nil
}

// send mails m (nil: nothing). The request has succeeded already: a
// failure is logged, not answered.
func (h *API) send(ctx context.Context, m *mail) {
	if m == nil {
		return
	}
	if err := h.cfg.Mailer.Mail(ctx, m.to, m.subject, m.body); err != nil {
		h.logger.ErrorContext(ctx, "mail not sent", "request_id", RequestID(ctx), "user", int64(m.user), "subject", m.subject, "err", err)
	}
}

type baseURLKey struct{}

// withBaseURL keeps the scheme and Host of the request in its context, for
// the links of mails when Config.PublicURL is empty.
func withBaseURL(f StrictHandlerFunc, operationID string) StrictHandlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, request any) (any, error) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		return f(context.WithValue(ctx, baseURLKey{}, scheme+"://"+r.Host), w, r, request)
	}
}

// ---- comments, messages, help, log

// RecordComment records a comment to the site managers: any logged-in
// user; anonymous when userId is absent or 0.
func (h *API) RecordComment(ctx context.Context, request RecordCommentRequestObject) (RecordCommentResponseObject, error) {
	if request.Body == nil {
		return nil, invalid("body", "is required")
	}
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	c := *request.Body
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		c, err = h.cfg.Site.RecordComment(ctx, a, c)
		if err != nil {
			return err
		}
		return h.queueCommentMail(ctx, a, c)
	})
	if err != nil {
		return nil, err
	}
	h.mailed()
	n := int32(1)
	return RecordComment200JSONResponse{Recorded: &n}, nil
}

// SendMessage sends a SimpleMessage to a related user (site.Send), or,
// for a RenewRequest, asks the prescribing VOR to renew a prescription
// (rx.Service.RequestRenewal). It answers the message as sent.
func (h *API) SendMessage(ctx context.Context, request SendMessageRequestObject) (SendMessageResponseObject, error) {
	if request.Body == nil {
		return nil, invalid("body", "is required")
	}
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	typ, err := request.Body.Discriminator()
	if err != nil {
		return nil, invalid("_type", "is required")
	}
	raw, err := request.Body.MarshalJSON()
	if err != nil {
		return nil, err
	}
	switch typ {
	case site.SimpleMessageType:
		var m site.Message
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, invalid("body", err.Error())
		}
		err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
			ask := request.Params.Ask != nil && *request.Params.Ask
			sent, token, err := h.cfg.Site.Send(ctx, a, m, ask)
			if err != nil {
				return err
			}
			m = sent.Message
			if !emailMode(request.Params.Modes) {
				return nil
			}
			return h.queueMessageMail(ctx, sent, token)
		})
		if err != nil {
			return nil, err
		}
		h.mailed()
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		var out UserMessage
		if err := out.UnmarshalJSON(b); err != nil {
			return nil, err
		}
		return SendMessage200JSONResponse{Message: &out}, nil
	case "models.RenewRequest":
		var r rx.RenewRequest
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, invalid("body", err.Error())
		}
		err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
			p, err := h.cfg.Rx.RequestRenewal(ctx, a, r)
			if err != nil {
				return err
			}
			// The renewal is a new prescription, REQUESTED until the
			// veterinarian approves it.
			return pub.publish(ctx, eventPrescriptionCreated, p.ID, p)
		})
		if err != nil {
			return nil, err
		}
		return SendMessage200JSONResponse{Message: request.Body}, nil
	}
	return nil, invalid("_type", "must be models.SimpleMessage or models.RenewRequest")
}

// OkMessage records the yes (response=true) or no answer to the message
// of token, once, and answers a small page. The token is the authority.
func (h *API) OkMessage(ctx context.Context, request OkMessageRequestObject) (OkMessageResponseObject, error) {
	yes := request.Params.Response != nil && *request.Params.Response
	var m site.SentMessage
	err := h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		var err error
		m, err = h.cfg.Site.Answer(ctx, request.Token, yes)
		return err
	})
	if err != nil {
		return nil, err
	}
	answer := "no"
	if yes {
		answer = "yes"
	}
	body := page("Answer recorded", fmt.Sprintf("Your answer (%s) to %q is recorded. Thank you.", answer, m.Message.Subject))
	return OkMessage200TexthtmlResponse{Body: bytes.NewReader(body), ContentLength: int64(len(body))}, nil
}

// GetHelpkeys lists the keys of every help screen.
func (h *API) GetHelpkeys(ctx context.Context, request GetHelpkeysRequestObject) (GetHelpkeysResponseObject, error) {
	keys, err := h.cfg.Site.HelpKeys(ctx)
	if err != nil {
		return nil, err
	}
	if keys == nil {
		keys = []string{}
	}
	return GetHelpkeys200JSONResponse{Keys: &keys}, nil
}

// GetHelp answers the HTML of help screen key; 404 when there is none.
func (h *API) GetHelp(ctx context.Context, request GetHelpRequestObject) (GetHelpResponseObject, error) {
	hs, err := h.cfg.Site.Help(ctx, request.Key)
	if err != nil {
		return nil, err
	}
	return GetHelp200JSONResponse{Help: &hs.Msg}, nil
}

// CreateHelp creates or replaces help screen key (the path's key wins over
// the body's): the SAOR only.
func (h *API) CreateHelp(ctx context.Context, request CreateHelpRequestObject) (CreateHelpResponseObject, error) {
	if request.Body == nil {
		return nil, invalid("body", "is required")
	}
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	hs := *request.Body
	hs.Key = request.Key
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		hs, err = h.cfg.Site.PutHelp(ctx, a, hs)
		return err
	})
	if err != nil {
		return nil, err
	}
	return CreateHelp200JSONResponse{Protocol: &hs}, nil
}

// DeleteHelp deletes help screen key: the SAOR only; 404 when none.
func (h *API) DeleteHelp(ctx context.Context, request DeleteHelpRequestObject) (DeleteHelpResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		return h.cfg.Site.DeleteHelp(ctx, a, request.Key)
	})
	if err != nil {
		return nil, err
	}
	n := int32(1)
	return DeleteHelp200JSONResponse{Deleted: &n}, nil
}

// LogMessage records a client's log line at the severity asked for. The
// document gives the operation no body, so the line records the severity
// and the caller; it answers the time logged.
func (h *API) LogMessage(ctx context.Context, request LogMessageRequestObject) (LogMessageResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	level := site.LevelInfo
	if request.Params.Severity != nil {
		level = site.Level(*request.Params.Severity)
	}
	var e site.LogEntry
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		e, err = h.cfg.Site.Log(ctx, a, level, "client log")
		return err
	})
	if err != nil {
		return nil, err
	}
	s := e.Time.UTC().Format(time.RFC3339)
	return LogMessage200JSONResponse{Logged: &s}, nil
}

// ---- pages

// pageTemplate is the small page of every HTML answer of this API.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} – vetlink</title></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p>{{if .Form}}
<form method="post" action="/api/users/logins" id="signin">
<p><label>User name <input name="identifier" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" minlength="8" required></label></p>
<p><button type="submit">Sign in</button></p>
</form>{{end}}
<p>The API is described at <a href="/docs">/docs</a> (<a href="/openapi.yaml">openapi.yaml</a>).</p>
</body></html>
`))

func page(title, text string) []byte {
	return renderPage(title, text, false)
}

func renderPage(title, text string, form bool) []byte {
	var b bytes.Buffer
	_ = pageTemplate.Execute(&b, struct {
		Title, Text string
		Form        bool
	}{title, text, form})
	return b.Bytes()
}

const spaText = "The single-page application served here by the VCPR is not part of vetlink. " +
	"Clients use the HTTP API directly."

// LoadEditor answers a page saying the Protocol Editor is not served here.
func (h *API) LoadEditor(ctx context.Context, request LoadEditorRequestObject) (LoadEditorResponseObject, error) {
	b := page("Protocol Editor", spaText)
	return LoadEditor200TexthtmlResponse{Body: bytes.NewReader(b), ContentLength: int64(len(b))}, nil
}

// LoadFarmApp answers a page saying the Farm App is not served here.
func (h *API) LoadFarmApp(ctx context.Context, request LoadFarmAppRequestObject) (LoadFarmAppResponseObject, error) {
	b := page("Farm App", spaText)
	return LoadFarmApp200TexthtmlResponse{Body: bytes.NewReader(b), ContentLength: int64(len(b))}, nil
}

// LoadAdminApp answers a page saying the Admin app is not served here.
func (h *API) LoadAdminApp(ctx context.Context, request LoadAdminAppRequestObject) (LoadAdminAppResponseObject, error) {
	b := page("Admin app", spaText)
	return LoadAdminApp200TexthtmlResponse{Body: bytes.NewReader(b), ContentLength: int64(len(b))}, nil
}

// Signin answers a plain login form (status 303 as the document says).
func (h *API) Signin(ctx context.Context, request SigninRequestObject) (SigninResponseObject, error) {
	b := renderPage("Sign in", "Sign in with your user name and password.", true)
	return Signin303TexthtmlResponse{Body: bytes.NewReader(b), ContentLength: int64(len(b))}, nil
}

// ---- images: not built

// GetImages answers 501: image storage is not built in vetlink.
func (h *API) GetImages(ctx context.Context, request GetImagesRequestObject) (GetImagesResponseObject, error) {
	return nil, errNotImplemented
}

// SaveImage answers 501: image storage is not built in vetlink.
func (h *API) SaveImage(ctx context.Context, request SaveImageRequestObject) (SaveImageResponseObject, error) {
	return nil, errNotImplemented
}

// GetImage answers 501: image storage is not built in vetlink.
func (h *API) GetImage(ctx context.Context, request GetImageRequestObject) (GetImageResponseObject, error) {
	return nil, errNotImplemented
}

// GetImageKeywords answers 501: image storage is not built in vetlink.
func (h *API) GetImageKeywords(ctx context.Context, request GetImageKeywordsRequestObject) (GetImageKeywordsResponseObject, error) {
	return nil, errNotImplemented
}

// GetImageStores answers 501: image storage is not built in vetlink.
func (h *API) GetImageStores(ctx context.Context, request GetImageStoresRequestObject) (GetImageStoresResponseObject, error) {
	return nil, errNotImplemented
}

// invalid is a request the document admits but that names nothing to act
// on.
func invalid(input, rule string) error {
	return &protocol.FieldError{Field: input, Rule: rule, Err: rx.ErrInvalid}
}
