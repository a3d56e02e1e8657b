package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/rx"
)

// AdminPath is where [Catalogue.AdminHandler] serves the catalogue's
// administration.
const AdminPath = "/api/admin/integrations"

// Authenticator checks the reference server's session credentials, as the
// VCPR API's admin operations take them (X-APIKEY and X-Auth-Token);
// *auth.Service implements it.
type Authenticator interface {
	Authenticate(ctx context.Context, apiKey, token string) (rx.UserID, error)
}

// adminHandler serves the catalogue's admin API.
type adminHandler struct {
	cat   *Catalogue
	auth  Authenticator
	users Users
}

// AdminHandler serves the integration catalogue's administration, as plain
// JSON, to the system administrator (an SAOR user) only:
//
//	GET    /api/admin/integrations                      the catalogue
//	POST   /api/admin/integrations                      define one: 201 {"integration", "hookup_secret"}
//	GET    /api/admin/integrations/{id}                 one
//	PUT    /api/admin/integrations/{id}                 replace its definition
//	DELETE /api/admin/integrations/{id}                 remove it and every registration: 204
//	GET    /api/admin/integrations/{id}/registrations   its registrations
//	POST   /api/admin/integrations/{id}/registrations   add it for {"organisation": {"id", "country"}}: 201
//	DELETE /api/admin/integrations/{id}/registrations/{rid}   remove one, revoking its credentials: 204
//
// Requests carry X-APIKEY and X-Auth-Token as the VCPR API's admin
// operations do. Errors are RFC 9457 problems: 401 without valid
// credentials, 403 for a user who is not the SAOR, 404, 409 for a taken
// name or a second registration, 422 naming the field and rule for an
// invalid definition, an integration the organisation may not see, or an
// organisation ID that [Catalogue.Organisations] does not know. The
// hookup secret is answered once, at definition; client secrets never.
func (c *Catalogue) AdminHandler(a Authenticator, users Users) http.Handler {
	h := &adminHandler{cat: c, auth: a, users: users}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+AdminPath, h.list)
	mux.HandleFunc("POST "+AdminPath, h.define)
	mux.HandleFunc("GET "+AdminPath+"/{id}", h.get)
	mux.HandleFunc("PUT "+AdminPath+"/{id}", h.update)
	mux.HandleFunc("DELETE "+AdminPath+"/{id}", h.delete)
	mux.HandleFunc("GET "+AdminPath+"/{id}/registrations", h.registrations)
	mux.HandleFunc("POST "+AdminPath+"/{id}/registrations", h.add)
	mux.HandleFunc("DELETE "+AdminPath+"/{id}/registrations/{rid}", h.remove)
	return h.admin(mux)
}

// admin lets through SAOR users only.
func (h *adminHandler) admin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := h.auth.Authenticate(r.Context(), r.Header.Get("X-APIKEY"), r.Header.Get("X-Auth-Token"))
		if err != nil {
			status, detail := http.StatusUnauthorized, "X-APIKEY and X-Auth-Token must name an active API key and session"
			if !errors.Is(err, auth.ErrBadAPIKey) && !errors.Is(err, auth.ErrBadToken) && !errors.Is(err, auth.ErrTokenExpired) {
				status, detail = http.StatusInternalServerError, "the credentials could not be checked"
			}
			WriteProblem(w, r, status, map[int]string{401: "unauthorized", 500: "internal"}[status], detail)
			return
		}
		u, err := h.users.User(r.Context(), id)
		if err != nil {
			WriteProblem(w, r, http.StatusInternalServerError, "internal", "the user could not be read")
			return
		}
		if u.Type != rx.SAOR {
			WriteProblem(w, r, http.StatusForbidden, "forbidden", fmt.Sprintf("user %d is %s: only the system administrator (SAOR) manages the integration catalogue", id, u.Type))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail answers err as a problem.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrInvalid), errors.Is(err, ErrNotVisible), errors.Is(err, ErrNoOrganisation):
		WriteProblem(w, r, http.StatusUnprocessableEntity, "invalid", err.Error())
	case errors.Is(err, storage.ErrNotFound):
		WriteProblem(w, r, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, storage.ErrConflict):
		WriteProblem(w, r, http.StatusConflict, "conflict", err.Error())
	default:
		WriteProblem(w, r, http.StatusInternalServerError, "internal", "the server could not complete the request")
	}
}

func pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		WriteProblem(w, r, http.StatusNotFound, "not_found", fmt.Sprintf("%s %q is not an ID", name, r.PathValue(name)))
		return 0, false
	}
	return id, true
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		WriteProblem(w, r, http.StatusBadRequest, "bad_request", "body: "+err.Error())
		return false
	}
	return true
}

func (h *adminHandler) list(w http.ResponseWriter, r *http.Request) {
	list, err := h.cat.Integrations(r.Context())
	if err != nil {
		fail(w, r, err)
		return
	}
	if list == nil {
		list = []Integration{}
	}
	writeJSON(w, http.StatusOK, list)
}

// defined is the answer to a definition.
type defined struct {
	Integration Integration `json:"integration"`
	// HookupSecret signs the registrations sent to the hookup URL; shown
	// once.
	HookupSecret string `json:"hookup_secret,omitempty"`
}

func (h *adminHandler) define(w http.ResponseWriter, r *http.Request) {
	var in Integration
	if !decode(w, r, &in) {
		return
	}
	in, secret, err := h.cat.Define(r.Context(), in)
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Location", AdminPath+"/"+strconv.FormatInt(in.ID, 10))
	writeJSON(w, http.StatusCreated, defined{Integration: in, HookupSecret: secret})
}

func (h *adminHandler) get(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	in, err := h.cat.Integration(r.Context(), id)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

func (h *adminHandler) update(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	var in Integration
	if !decode(w, r, &in) {
		return
	}
	in.ID = id
	in, err := h.cat.Update(r.Context(), in)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

func (h *adminHandler) delete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	if err := h.cat.Delete(r.Context(), id); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *adminHandler) registrations(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	if _, err := h.cat.Integration(r.Context(), id); err != nil {
		fail(w, r, err)
		return
	}
	list, err := h.cat.Registrations(r.Context(), id)
	if err != nil {
		fail(w, r, err)
		return
	}
	if list == nil {
		list = []Registration{}
	}
	writeJSON(w, http.StatusOK, list)
}

func (h *adminHandler) add(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	var body struct {
		Organisation Organisation `json:"organisation"`
	}
	if !decode(w, r, &body) {
		return
	}
	reg, err := h.cat.Add(r.Context(), id, body.Organisation)
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/%d/registrations/%d", AdminPath, id, reg.ID))
	writeJSON(w, http.StatusCreated, reg)
}

func (h *adminHandler) remove(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	rid, ok := pathID(w, r, "rid")
	if !ok {
		return
	}
	reg, err := h.cat.Store.Registration(r.Context(), rid)
	if err == nil && reg.Integration != id {
		err = fmt.Errorf("oauth: registration %d is not of integration %d: %w", rid, id, storage.ErrNotFound)
	}
	if err == nil {
		err = h.cat.Remove(r.Context(), rid)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
