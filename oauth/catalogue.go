package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/webhook"
)

// EventIntegrationRegistered is the event a hookup URL receives when an
// organisation adds its integration: [RegistrationEventKind] must be in
// the catalogue of the webhook service and dispatcher (see
// [WithRegistrationEvent]).
const EventIntegrationRegistered webhook.EventType = "integration.registered"

// RegistrationEventKind describes [EventIntegrationRegistered].
var RegistrationEventKind = webhook.EventKind{
	Type:        EventIntegrationRegistered,
	Param:       "client_id",
	Description: "An organisation added an integration of the catalogue; data is the registration document with its new client credentials (sent to the integration's hookup URL only).",
}

// WithRegistrationEvent returns a catalogue of c's kinds and
// [RegistrationEventKind], for the webhook service and dispatcher of a
// server that runs a [Catalogue].
func WithRegistrationEvent(c *webhook.Catalogue) (*webhook.Catalogue, error) {
	return webhook.NewCatalogue(append(c.Kinds(), RegistrationEventKind)...)
}

// Errors of the catalogue, wrapped with the integration at fault; test
// them with errors.Is. storage.ErrNotFound and storage.ErrConflict come
// through too (an unknown integration, a taken name, a second
// registration).
var (
	// ErrInvalid reports an integration definition that breaks a rule.
	ErrInvalid = errors.New("oauth: invalid")
	// ErrNotVisible reports an organisation adding an integration the
	// catalogue does not show it.
	ErrNotVisible = errors.New("oauth: integration not visible to this organisation")
	// ErrNoOrganisation reports an organisation ID that names no
	// organisation of [Catalogue.Organisations].
	ErrNoOrganisation = errors.New("oauth: no such organisation")
)

// OrganisationDirectory tells the catalogue which IDs name organisations
// and who acts for them. The reference server's reads vetlink's CLINIC and
// FARM users: the VORs of a clinic and the MORs of a farm are its members.
type OrganisationDirectory interface {
	// Organisation returns organisation id with its country ("" when the
	// directory does not know it), or an error wrapping
	// [ErrNoOrganisation] when id names none.
	Organisation(ctx context.Context, id string) (Organisation, error)
	// HasMember reports whether user is an active member of organisation
	// id, one who may add and remove its integrations.
	HasMember(ctx context.Context, id string, user rx.UserID) (bool, error)
}

// Mailer sends one plain-text e-mail; mail.Outbox implements it.
type Mailer interface {
	Mail(ctx context.Context, to, subject, body string) error
}

// Organisation is who adds an integration: its ID (the document's
// provet_id) and its ISO 3166-1 alpha-2 country, for the visibility rule.
type Organisation struct {
	ID      string `json:"id"`
	Country string `json:"country"`
}

// Catalogue is the integration catalogue: administrators define
// integrations, organisations add them (a registration: client
// credentials, a virtual user with its own permission group, a notice to
// the integration) and remove them (the credentials and every token are
// revoked at once).
type Catalogue struct {
	// Server issues the client credentials; its issuer URL is in the
	// registration document.
	Server *Server
	// Store is the Server's store.
	Store storage.Store
	// Webhooks makes each hookup URL's subscription and sends the
	// registration to it, signed, retried by the dispatcher. Its
	// catalogue must have [RegistrationEventKind].
	Webhooks *webhook.Service
	// Published is called after a registration sent by hookup commits
	// (the dispatcher's Wake); nil means the dispatcher's next poll.
	Published func()
	// Mailer sends registrations by e-mail; nil logs them instead (with
	// no secret).
	Mailer Mailer
	// Organisations, when set, is the directory of organisations: Add
	// refuses an ID it does not know ([ErrNoOrganisation]) and takes the
	// organisation's country from it when none is given, and
	// [Catalogue.OrganisationHandler] lets an organisation's members
	// manage its integrations. Nil leaves organisation IDs to the
	// embedding application, unchecked.
	Organisations OrganisationDirectory
	// Logger; nil discards.
	Logger *slog.Logger
}

func (c *Catalogue) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Integration is an entry of the catalogue, as the admin API reads and
// writes it.
type Integration struct {
	ID          int64              `json:"id"`
	Name        string             `json:"name"`
	Description string             `json:"description"`
	Visibility  storage.Visibility `json:"visibility"`
	// VisibleTo lists organisation IDs or country codes, per Visibility.
	VisibleTo    []string             `json:"visible_to,omitempty"`
	GrantType    storage.GrantType    `json:"grant_type"`
	ClientType   storage.ClientType   `json:"client_type"`
	RedirectURIs []string             `json:"redirect_uris,omitempty"`
	Scopes       []string             `json:"scopes"`
	Notify       storage.Notification `json:"notify"`
	Email        string               `json:"email,omitempty"`
	HookupURL    string               `json:"hookup_url,omitempty"`
	// HookupSubscription is the webhook subscription that signs the
	// hookup deliveries; read-only.
	HookupSubscription string    `json:"hookup_subscription,omitempty"`
	Created            time.Time `json:"created"`
	Updated            time.Time `json:"updated"`
}

func fromStorage(in storage.Integration) Integration {
	return Integration{ID: in.ID, Name: in.Name, Description: in.Description, Visibility: in.Visibility,
		VisibleTo: in.VisibleTo, GrantType: in.GrantType, ClientType: in.ClientType, RedirectURIs: in.RedirectURIs,
		Scopes: in.Scopes, Notify: in.Notify, Email: in.Email, HookupURL: in.HookupURL,
		HookupSubscription: in.HookupSubscription, Created: in.Created, Updated: in.Updated}
}

func (in Integration) toStorage() storage.Integration {
	return storage.Integration{ID: in.ID, Name: in.Name, Description: in.Description, Visibility: in.Visibility,
		VisibleTo: in.VisibleTo, GrantType: in.GrantType, ClientType: in.ClientType, RedirectURIs: in.RedirectURIs,
		Scopes: in.Scopes, Notify: in.Notify, Email: in.Email, HookupURL: in.HookupURL,
		HookupSubscription: in.HookupSubscription, Created: in.Created, Updated: in.Updated}
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

func invalid(name, field, value, rule string) error {
	return fmt.Errorf("%w: integration %q %s %q: %s", ErrInvalid, name, field, value, rule)
}

// Validate checks an integration definition: a name, a visibility with
// its list, a grant type and client type the server offers together
// (client_credentials needs a confidential client), scopes that are
// permissions (or OpenID Connect's for the authorization code), and a
// notification with its address.
func (in Integration) Validate() error {
	n := in.Name
	if strings.TrimSpace(n) == "" || len(n) > 100 || strings.ContainsAny(n, "\r\n") {
		return invalid(n, "name", n, "must be 1 to 100 characters on one line")
	}
	switch in.Visibility {
	case storage.VisibleToAll:
		if len(in.VisibleTo) > 0 {
			return invalid(n, "visible_to", strings.Join(in.VisibleTo, ","), "must be empty when visibility is all")
		}
	case storage.VisibleToOrganisations:
		if len(in.VisibleTo) == 0 {
			return invalid(n, "visible_to", "", "must list organisation IDs when visibility is organisations")
		}
	case storage.VisibleToCountries:
		if len(in.VisibleTo) == 0 {
			return invalid(n, "visible_to", "", "must list country codes when visibility is countries")
		}
		for _, c := range in.VisibleTo {
			if !countryCode.MatchString(c) {
				return invalid(n, "visible_to", c, "must be an ISO 3166-1 alpha-2 code in capitals")
			}
		}
	default:
		return invalid(n, "visibility", string(in.Visibility), "must be all, organisations or countries")
	}
	switch in.GrantType {
	case storage.ClientCredentials:
		if in.ClientType != storage.Confidential {
			return invalid(n, "client_type", string(in.ClientType), "client_credentials needs a confidential client")
		}
	case storage.AuthorizationCode:
		if in.ClientType != storage.Confidential && in.ClientType != storage.Public {
			return invalid(n, "client_type", string(in.ClientType), "must be confidential or public")
		}
	default:
		return invalid(n, "grant_type", string(in.GrantType), "must be client_credentials or authorization_code")
	}
	nc := in.newClient("", 0)
	if err := nc.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(in.Scopes) == 0 {
		return invalid(n, "scopes", "", "must list at least one scope")
	}
	switch in.Notify {
	case storage.NotifyByEmail:
		if !strings.Contains(in.Email, "@") || strings.ContainsAny(in.Email, "\r\n ") {
			return invalid(n, "email", in.Email, "must be an e-mail address when notify is email")
		}
	case storage.NotifyByHookup:
		u, err := url.Parse(in.HookupURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return invalid(n, "hookup_url", in.HookupURL, "must be an http(s) URL when notify is hookup")
		}
	default:
		return invalid(n, "notify", string(in.Notify), "must be email or hookup")
	}
	return nil
}

// newClient is the client a registration of in makes.
func (in Integration) newClient(org string, virtualUser int64) NewClient {
	grants := []storage.GrantType{in.GrantType}
	if in.GrantType == storage.AuthorizationCode {
		grants = append(grants, storage.RefreshTokenGrant)
	}
	return NewClient{Name: in.Name, Type: in.ClientType, GrantTypes: grants, RedirectURIs: in.RedirectURIs,
		Scopes: in.Scopes, Organisation: org, VirtualUser: virtualUser}
}

// VisibleToOrg reports whether the catalogue shows in to org.
func (in Integration) VisibleToOrg(org Organisation) bool {
	switch in.Visibility {
	case storage.VisibleToAll:
		return true
	case storage.VisibleToOrganisations:
		return slices.Contains(in.VisibleTo, org.ID)
	case storage.VisibleToCountries:
		return slices.Contains(in.VisibleTo, strings.ToUpper(org.Country))
	}
	return false
}

// Define adds in to the catalogue. For a hookup URL it makes the webhook
// subscription that will sign the registrations and returns its signing
// secret ("whsec_…"), shown this once: hand it to the integration, which
// verifies each registration with it.
func (c *Catalogue) Define(ctx context.Context, in Integration) (Integration, string, error) {
	if err := in.Validate(); err != nil {
		return Integration{}, "", err
	}
	now := c.Server.store.now()
	in.ID, in.Created, in.Updated, in.HookupSubscription = 0, now, now, ""
	var secret string
	err := c.Store.InTx(ctx, func(ctx context.Context) error {
		if in.Notify == storage.NotifyByHookup {
			sub, err := c.hookup(ctx, in)
			if err != nil {
				return err
			}
			in.HookupSubscription, secret = sub.ID.String(), sub.Secrets[0].Key
		}
		s := in.toStorage()
		if err := c.Store.CreateIntegration(ctx, &s); err != nil {
			return err
		}
		in.ID = s.ID
		return nil
	})
	if err != nil {
		return Integration{}, "", fmt.Errorf("oauth: define integration %q: %w", in.Name, err)
	}
	return in, secret, nil
}

// hookup makes the webhook subscription of in's hookup URL.
func (c *Catalogue) hookup(ctx context.Context, in Integration) (webhook.Subscription, error) {
	if c.Webhooks == nil {
		return webhook.Subscription{}, fmt.Errorf("%w: integration %q: notify by hookup needs Catalogue.Webhooks", ErrInvalid, in.Name)
	}
	return c.Webhooks.CreateSubscription(ctx, webhook.Subscription{
		Name:   "Integration " + in.Name + ": registrations",
		URL:    in.HookupURL,
		Events: []webhook.EventType{EventIntegrationRegistered},
		// The bare registration document, as the practice-management
		// cloud posts it, so existing receivers parse it unchanged.
		Format: webhook.FormatDocument,
		Active: true,
	})
}

// Update replaces integration in.ID's definition. Its registrations keep
// the credentials they have; a new hookup URL moves the subscription.
func (c *Catalogue) Update(ctx context.Context, in Integration) (Integration, error) {
	if err := in.Validate(); err != nil {
		return Integration{}, err
	}
	err := c.Store.InTx(ctx, func(ctx context.Context) error {
		old, err := c.Store.Integration(ctx, in.ID)
		if err != nil {
			return err
		}
		in.Created, in.Updated, in.HookupSubscription = old.Created, c.Server.store.now(), old.HookupSubscription
		if in.Notify == storage.NotifyByHookup {
			if old.HookupSubscription == "" {
				sub, err := c.hookup(ctx, in)
				if err != nil {
					return err
				}
				in.HookupSubscription = sub.ID.String()
			} else if old.HookupURL != in.HookupURL {
				id, err := uuid.Parse(old.HookupSubscription)
				if err != nil {
					return err
				}
				sub, err := c.Webhooks.Subscription(ctx, id)
				if err != nil {
					return err
				}
				sub.URL = in.HookupURL
				if _, err := c.Webhooks.UpdateSubscription(ctx, sub); err != nil {
					return err
				}
			}
		}
		s := in.toStorage()
		return c.Store.UpdateIntegration(ctx, &s)
	})
	if err != nil {
		return Integration{}, fmt.Errorf("oauth: update integration %d: %w", in.ID, err)
	}
	return in, nil
}

// Integration reads integration id.
func (c *Catalogue) Integration(ctx context.Context, id int64) (Integration, error) {
	in, err := c.Store.Integration(ctx, id)
	if err != nil {
		return Integration{}, fmt.Errorf("oauth: integration %d: %w", id, err)
	}
	return fromStorage(in), nil
}

// Integrations lists the catalogue, every entry.
func (c *Catalogue) Integrations(ctx context.Context) ([]Integration, error) {
	list, err := c.Store.Integrations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Integration, len(list))
	for i, in := range list {
		out[i] = fromStorage(in)
	}
	return out, nil
}

// Available lists the integrations the catalogue shows org.
func (c *Catalogue) Available(ctx context.Context, org Organisation) ([]Integration, error) {
	all, err := c.Integrations(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(in Integration) bool { return !in.VisibleToOrg(org) }), nil
}

// Registration is an organisation's adoption of an integration.
type Registration struct {
	ID           int64     `json:"id"`
	Integration  int64     `json:"integration"`
	Organisation string    `json:"organisation"`
	Country      string    `json:"country"`
	ClientID     string    `json:"client_id"`
	VirtualUser  int64     `json:"virtual_user"`
	Created      time.Time `json:"created"`
}

// RegistrationDocument is what the integration is told of a new
// registration, with the member names the practice-management cloud's
// integrations already parse.
type RegistrationDocument struct {
	// ProvetID is the organisation's ID: a JSON number when it is all
	// digits (as the practice-management cloud's tenant IDs are), else a
	// string.
	ProvetID json.RawMessage `json:"provet_id"`
	ClientID string          `json:"client_id"`
	// ClientSecret is null for a public client.
	ClientSecret *string `json:"client_secret"`
	// Algorithm signs the ID tokens: RS256.
	Algorithm              string `json:"algorithm"`
	AuthorizationGrantType string `json:"authorization_grant_type"`
	ClientType             string `json:"client_type"`
	// RedirectURIs are space-separated.
	RedirectURIs           string `json:"redirect_uris"`
	TokenURL               string `json:"token_url"`
	AuthorizeURL           string `json:"authorize_url"`
	OpenIDAutodiscoveryURL string `json:"openid_autodiscovery_url"`
}

func provetID(org string) json.RawMessage {
	digits := org != "" && strings.Trim(org, "0123456789") == ""
	if digits && len(org) <= 15 {
		return json.RawMessage(org)
	}
	b, _ := json.Marshal(org)
	return b
}

// Add registers integration id for org: it makes a permission group
// granting the integration's scopes that are permissions, the virtual user
// "Integration <name>" in it, and the client credentials, and notifies the
// integration — by its hookup URL (a signed webhook delivery, retried by
// the dispatcher, committed with the registration) or by e-mail (after
// the commit). The client secret is in the notice only, never stored.
//
// With [Catalogue.Organisations] set, org.ID must name an organisation of
// the directory (else the error wraps [ErrNoOrganisation]), and an empty
// org.Country is the directory's.
func (c *Catalogue) Add(ctx context.Context, id int64, org Organisation) (Registration, error) {
	if strings.TrimSpace(org.ID) == "" {
		return Registration{}, fmt.Errorf("%w: organisation ID must not be empty", ErrInvalid)
	}
	if c.Organisations != nil {
		known, err := c.Organisations.Organisation(ctx, org.ID)
		if err != nil {
			return Registration{}, fmt.Errorf("oauth: add integration %d for organisation %q: %w", id, org.ID, err)
		}
		if org.Country == "" {
			org.Country = known.Country
		}
	}
	var (
		reg    storage.Registration
		doc    RegistrationDocument
		in     Integration
		hookup bool
	)
	err := c.Store.InTx(ctx, func(ctx context.Context) error {
		s, err := c.Store.Integration(ctx, id)
		if err != nil {
			return err
		}
		in = fromStorage(s)
		if !in.VisibleToOrg(org) {
			return fmt.Errorf("%w: integration %q, organisation %q (%s)", ErrNotVisible, in.Name, org.ID, org.Country)
		}
		var perms []string
		for _, sc := range in.Scopes {
			if Permission(sc).Valid() {
				perms = append(perms, sc)
			}
		}
		g := storage.Group{Name: "Integration " + in.Name + " (" + org.ID + ")", Permissions: perms}
		if err := c.Store.CreateGroup(ctx, &g); err != nil {
			return err
		}
		vu := storage.VirtualUser{Name: "Integration " + in.Name, Organisation: org.ID, Group: g.ID, Created: c.Server.store.now()}
		if err := c.Store.CreateVirtualUser(ctx, &vu); err != nil {
			return err
		}
		cl, secret, err := c.Server.CreateClient(ctx, in.newClient(org.ID, vu.ID))
		if err != nil {
			return err
		}
		reg = storage.Registration{Integration: in.ID, Organisation: org.ID, Country: strings.ToUpper(org.Country),
			ClientID: cl.ID, VirtualUser: vu.ID, Created: c.Server.store.now()}
		if err := c.Store.CreateRegistration(ctx, &reg); err != nil {
			return err
		}
		doc = c.document(in, org, cl.ID, secret)
		if in.Notify != storage.NotifyByHookup {
			return nil
		}
		hookup = true
		return c.sendHookup(ctx, in, doc)
	})
	if err != nil {
		return Registration{}, fmt.Errorf("oauth: add integration %d for organisation %q: %w", id, org.ID, err)
	}
	if hookup {
		if c.Published != nil {
			c.Published()
		}
	} else {
		c.mail(ctx, in, doc)
	}
	return Registration(reg), nil
}

func (c *Catalogue) document(in Integration, org Organisation, clientID, secret string) RegistrationDocument {
	iss := c.Server.Issuer()
	d := RegistrationDocument{
		ProvetID: provetID(org.ID), ClientID: clientID, Algorithm: "RS256",
		AuthorizationGrantType: string(in.GrantType), ClientType: string(in.ClientType),
		RedirectURIs: strings.Join(in.RedirectURIs, " "), TokenURL: iss + TokenPath, AuthorizeURL: iss + AuthorizePath,
		OpenIDAutodiscoveryURL: iss + OpenIDConfigurationPath,
	}
	if secret != "" {
		d.ClientSecret = &secret
	}
	return d
}

func (c *Catalogue) sendHookup(ctx context.Context, in Integration, doc RegistrationDocument) error {
	id, err := uuid.Parse(in.HookupSubscription)
	if err != nil {
		return fmt.Errorf("integration %q has no hookup subscription: %w", in.Name, err)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = c.Webhooks.SendOnce(ctx, id, webhook.Event{Type: EventIntegrationRegistered, ResourceID: doc.ClientID, Data: data})
	return err
}

// mail sends doc by e-mail. A failure is logged: the registration stands,
// and an administrator can remove and add it again for new credentials.
func (c *Catalogue) mail(ctx context.Context, in Integration, doc RegistrationDocument) {
	body, _ := json.MarshalIndent(doc, "", "  ")
	subject := "vetlink: new registration of " + in.Name
	text := "An organisation added your integration " + in.Name + " in vetlink.\n" +
		"Its client credentials and endpoints:\n\n" + string(body) + "\n"
	if c.Mailer == nil {
		c.logger().WarnContext(ctx, "oauth: no mailer: registration not e-mailed", "integration", in.Name,
			"to", in.Email, "client_id", doc.ClientID)
		return
	}
	if err := c.Mailer.Mail(ctx, in.Email, subject, text); err != nil {
		c.logger().ErrorContext(ctx, "oauth: e-mailing a registration", "integration", in.Name, "client_id", doc.ClientID, "err", err)
	}
}

// Registrations lists the registrations of integration id (every one when
// id is 0).
func (c *Catalogue) Registrations(ctx context.Context, id int64) ([]Registration, error) {
	list, err := c.Store.Registrations(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]Registration, len(list))
	for i, r := range list {
		out[i] = Registration(r)
	}
	return out, nil
}

// Remove deletes registration id: its client is revoked with every access
// and refresh token issued to it, in the same transaction, so the next
// request with any of them is refused.
func (c *Catalogue) Remove(ctx context.Context, id int64) error {
	err := c.Store.InTx(ctx, func(ctx context.Context) error {
		r, err := c.Store.Registration(ctx, id)
		if err != nil {
			return err
		}
		if err := c.Store.RevokeClient(ctx, r.ClientID, c.Server.store.now()); err != nil {
			return err
		}
		return c.Store.DeleteRegistration(ctx, id)
	})
	if err != nil {
		return fmt.Errorf("oauth: remove registration %d: %w", id, err)
	}
	return nil
}

// Delete removes integration id from the catalogue, removing every
// registration of it first (see Remove) and its hookup subscription.
func (c *Catalogue) Delete(ctx context.Context, id int64) error {
	err := c.Store.InTx(ctx, func(ctx context.Context) error {
		in, err := c.Store.Integration(ctx, id)
		if err != nil {
			return err
		}
		regs, err := c.Store.Registrations(ctx, id)
		if err != nil {
			return err
		}
		for _, r := range regs {
			if err := c.Remove(ctx, r.ID); err != nil {
				return err
			}
		}
		if err := c.Store.DeleteIntegration(ctx, id); err != nil {
			return err
		}
		if sub, err := uuid.Parse(in.HookupSubscription); err == nil && c.Webhooks != nil {
			if err := c.Webhooks.DeleteSubscription(ctx, sub); err != nil && !errors.Is(err, webhook.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("oauth: delete integration %d: %w", id, err)
	}
	return nil
}
