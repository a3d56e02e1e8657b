package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/rx"
)

// OrganisationsPath is where [Catalogue.OrganisationHandler] serves each
// organisation's integrations: OrganisationsPath + "/{org}/integrations".
const OrganisationsPath = "/api/organisations"

// CatalogueEntry is an integration of the catalogue as an organisation
// sees it: what it is and what it may reach, and whether the organisation
// has added it. The definition's administrative members (the visibility
// list, which names other organisations; the e-mail address and hookup URL
// the credentials go to) are the SAOR's and left out.
type CatalogueEntry struct {
	ID          int64              `json:"id"`
	Name        string             `json:"name"`
	Description string             `json:"description"`
	GrantType   storage.GrantType  `json:"grant_type"`
	ClientType  storage.ClientType `json:"client_type"`
	// Scopes are what the integration's credentials are granted.
	Scopes []string `json:"scopes"`
	// Registration is the organisation's registration of the integration
	// (its ID, client ID and date); null when it has not added it.
	Registration *Registration `json:"registration"`
}

// Entries lists the catalogue as org sees it: every integration visible
// to it, and any it added that the catalogue no longer shows it (so that
// it can still remove them), each with org's registration of it.
func (c *Catalogue) Entries(ctx context.Context, org Organisation) ([]CatalogueEntry, error) {
	all, err := c.Integrations(ctx)
	if err != nil {
		return nil, fmt.Errorf("oauth: catalogue of organisation %q: %w", org.ID, err)
	}
	regs, err := c.Store.Registrations(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("oauth: catalogue of organisation %q: %w", org.ID, err)
	}
	added := make(map[int64]Registration)
	for _, r := range regs {
		if r.Organisation == org.ID {
			added[r.Integration] = Registration(r)
		}
	}
	out := []CatalogueEntry{}
	for _, in := range all {
		reg, ok := added[in.ID]
		if !ok && !in.VisibleToOrg(org) {
			continue
		}
		e := CatalogueEntry{ID: in.ID, Name: in.Name, Description: in.Description, GrantType: in.GrantType,
			ClientType: in.ClientType, Scopes: slices.Clone(in.Scopes)}
		if ok {
			e.Registration = &reg
		}
		out = append(out, e)
	}
	return out, nil
}

// RegistrationOf returns org's registration of integration id; the error
// wraps storage.ErrNotFound when org has not added it.
func (c *Catalogue) RegistrationOf(ctx context.Context, id int64, org string) (Registration, error) {
	regs, err := c.Store.Registrations(ctx, id)
	if err != nil {
		return Registration{}, fmt.Errorf("oauth: registration of integration %d by organisation %q: %w", id, org, err)
	}
	for _, r := range regs {
		if r.Organisation == org {
			return Registration(r), nil
		}
	}
	return Registration{}, fmt.Errorf("oauth: organisation %q has not added integration %d: %w", org, id, storage.ErrNotFound)
}

// RemoveFor removes org's registration of integration id as [Catalogue.Remove]
// does (its credentials and every token revoked at once) and returns it;
// the error wraps storage.ErrNotFound when org has not added it.
func (c *Catalogue) RemoveFor(ctx context.Context, id int64, org string) (Registration, error) {
	var reg Registration
	err := c.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if reg, err = c.RegistrationOf(ctx, id, org); err != nil {
			return err
		}
		return c.Remove(ctx, reg.ID)
	})
	return reg, err
}

// organisationHandler serves the organisations' self-service API.
type organisationHandler struct {
	cat   *Catalogue
	auth  Authenticator
	users Users
}

// OrganisationHandler serves an organisation's own integrations, as plain
// JSON, to its members ([OrganisationDirectory.HasMember]: in the
// reference server a clinic's VORs and a farm's MORs) and to the SAOR:
//
//	GET    /api/organisations/{org}/integrations        the catalogue as org sees it ([Catalogue.Entries])
//	POST   /api/organisations/{org}/integrations/{id}   add integration id: 201 with the registration
//	DELETE /api/organisations/{org}/integrations/{id}   remove it, revoking its credentials and tokens: 204
//
// {org} is the organisation's ID in [Catalogue.Organisations], which must
// be set (OrganisationHandler panics otherwise); the organisation's
// country is the directory's, never the caller's, so the visibility rule
// cannot be dodged. Requests carry X-APIKEY and X-Auth-Token as the VCPR
// API's do. Errors are RFC 9457 problems: 401 without valid credentials,
// 404 for an unknown organisation, for an integration the catalogue does
// not show it (hidden ones are not told apart from missing ones) and for
// removing one it has not added, 403 naming why for a user who is neither
// a member nor the SAOR, 409 for adding one twice. The new client
// credentials go to the integration only (hookup URL or e-mail), never in
// the answer.
func (c *Catalogue) OrganisationHandler(a Authenticator, users Users) http.Handler {
	if c.Organisations == nil {
		panic("oauth: OrganisationHandler needs Catalogue.Organisations to tell organisations and their members")
	}
	h := &organisationHandler{cat: c, auth: a, users: users}
	mux := http.NewServeMux()
	mux.Handle("GET "+OrganisationsPath+"/{org}/integrations", h.member(h.list))
	mux.Handle("POST "+OrganisationsPath+"/{org}/integrations/{id}", h.member(h.add))
	mux.Handle("DELETE "+OrganisationsPath+"/{org}/integrations/{id}", h.member(h.remove))
	return mux
}

// member authenticates the caller and lets through the members of the
// organisation in the path, and the SAOR, to next with that organisation.
func (h *organisationHandler) member(next func(w http.ResponseWriter, r *http.Request, org Organisation)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, err := h.auth.Authenticate(ctx, r.Header.Get("X-APIKEY"), r.Header.Get("X-Auth-Token"))
		if err != nil {
			if errors.Is(err, auth.ErrBadAPIKey) || errors.Is(err, auth.ErrBadToken) || errors.Is(err, auth.ErrTokenExpired) {
				WriteProblem(w, r, http.StatusUnauthorized, "unauthorized", "X-APIKEY and X-Auth-Token must name an active API key and session")
			} else {
				WriteProblem(w, r, http.StatusInternalServerError, "internal", "the credentials could not be checked")
			}
			return
		}
		orgID := r.PathValue("org")
		org, err := h.cat.Organisations.Organisation(ctx, orgID)
		if errors.Is(err, ErrNoOrganisation) {
			WriteProblem(w, r, http.StatusNotFound, "not_found", fmt.Sprintf("organisation %q: %v", orgID, err))
			return
		}
		if err != nil {
			WriteProblem(w, r, http.StatusInternalServerError, "internal", "the organisation could not be read")
			return
		}
		org.ID = orgID
		u, err := h.users.User(ctx, id)
		if err != nil {
			WriteProblem(w, r, http.StatusInternalServerError, "internal", "the user could not be read")
			return
		}
		if u.Type != rx.SAOR {
			ok, err := h.cat.Organisations.HasMember(ctx, orgID, id)
			if err != nil {
				WriteProblem(w, r, http.StatusInternalServerError, "internal", "the organisation's members could not be read")
				return
			}
			if !ok {
				WriteProblem(w, r, http.StatusForbidden, "forbidden", fmt.Sprintf(
					"user %d (%s) is not an active member of organisation %q: only its members and the system administrator (SAOR) manage its integrations",
					id, u.Type, orgID))
				return
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		next(w, r, org)
	})
}

func (h *organisationHandler) list(w http.ResponseWriter, r *http.Request, org Organisation) {
	entries, err := h.cat.Entries(r.Context(), org)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, entries)
}

func (h *organisationHandler) add(w http.ResponseWriter, r *http.Request, org Organisation) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	reg, err := h.cat.Add(r.Context(), id, org)
	if errors.Is(err, ErrNotVisible) || errors.Is(err, storage.ErrNotFound) {
		// A hidden integration answers as a missing one: its name is not
		// the organisation's to learn.
		WriteProblem(w, r, http.StatusNotFound, "not_found", fmt.Sprintf("integration %d is not in the catalogue of organisation %q", id, org.ID))
		return
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/%s/integrations/%d", OrganisationsPath, org.ID, id))
	writeJSON(w, http.StatusCreated, reg)
}

func (h *organisationHandler) remove(w http.ResponseWriter, r *http.Request, org Organisation) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	if _, err := h.cat.RemoveFor(r.Context(), id, org.ID); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
