package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vetlink/vetlink/oauth/storage"
)

// ---- integrations ----

const oauthIntegrationColumns = `id, name, description, visibility, visible_to, grant_type, client_type, redirect_uris,
	scopes, notify, email, hookup_url, hookup_subscription, created_at, updated_at`

func scanOAuthIntegration(scan func(...any) error) (storage.Integration, error) {
	var (
		in                      storage.Integration
		visibleTo, uris, scopes string
		created, updated        int64
	)
	if err := scan(&in.ID, &in.Name, &in.Description, &in.Visibility, &visibleTo, &in.GrantType, &in.ClientType, &uris,
		&scopes, &in.Notify, &in.Email, &in.HookupURL, &in.HookupSubscription, &created, &updated); err != nil {
		return in, err
	}
	var err error
	if in.VisibleTo, err = fromJSONList[string](visibleTo, "integration visible_to"); err != nil {
		return in, err
	}
	if in.RedirectURIs, err = fromJSONList[string](uris, "integration redirect URIs"); err != nil {
		return in, err
	}
	if in.Scopes, err = fromJSONList[string](scopes, "integration scopes"); err != nil {
		return in, err
	}
	in.Created, in.Updated = fromMicros(created), fromMicros(updated)
	return in, nil
}

// CreateIntegration implements [storage.Store].
func (s *OAuthStore) CreateIntegration(ctx context.Context, in *storage.Integration) error {
	now := time.Now().UTC()
	if in.Created.IsZero() {
		in.Created = now
	}
	if in.Updated.IsZero() {
		in.Updated = in.Created
	}
	err := s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO oauth_integrations (name, description, visibility, visible_to,
		grant_type, client_type, redirect_uris, scopes, notify, email, hookup_url, hookup_subscription, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		in.Name, in.Description, string(in.Visibility), jsonList(in.VisibleTo), string(in.GrantType), string(in.ClientType),
		jsonList(in.RedirectURIs), jsonList(in.Scopes), string(in.Notify), in.Email, in.HookupURL, in.HookupSubscription,
		micros(in.Created), micros(in.Updated)).Scan(&in.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: oauth integration %q: name taken: %w", in.Name, storage.ErrConflict)
	}
	return err
}

// UpdateIntegration implements [storage.Store].
func (s *OAuthStore) UpdateIntegration(ctx context.Context, in *storage.Integration) error {
	if in.Updated.IsZero() {
		in.Updated = time.Now().UTC()
	}
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_integrations SET name = $2, description = $3, visibility = $4,
		visible_to = $5, grant_type = $6, client_type = $7, redirect_uris = $8, scopes = $9, notify = $10, email = $11,
		hookup_url = $12, hookup_subscription = $13, updated_at = $14 WHERE id = $1`,
		in.ID, in.Name, in.Description, string(in.Visibility), jsonList(in.VisibleTo), string(in.GrantType),
		string(in.ClientType), jsonList(in.RedirectURIs), jsonList(in.Scopes), string(in.Notify), in.Email, in.HookupURL,
		in.HookupSubscription, micros(in.Updated))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: oauth integration %q: name taken: %w", in.Name, storage.ErrConflict)
	}
	return rowsAffected(res, err, oauthNotFound("integration", in.ID))
}

// Integration implements [storage.Store].
func (s *OAuthStore) Integration(ctx context.Context, id int64) (storage.Integration, error) {
	in, err := scanOAuthIntegration(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+oauthIntegrationColumns+` FROM oauth_integrations WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return in, oauthNotFound("integration", id)
	}
	return in, err
}

// Integrations implements [storage.Store].
func (s *OAuthStore) Integrations(ctx context.Context) ([]storage.Integration, error) {
	return queryAll(ctx, s.db, scanOAuthIntegration, `SELECT `+oauthIntegrationColumns+` FROM oauth_integrations ORDER BY id`)
}

// DeleteIntegration implements [storage.Store].
func (s *OAuthStore) DeleteIntegration(ctx context.Context, id int64) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM oauth_integrations WHERE id = $1`, id)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("store: oauth integration %d: has registrations; remove them first: %w", id, storage.ErrConflict)
	}
	return rowsAffected(res, err, oauthNotFound("integration", id))
}

// ---- registrations ----

const oauthRegistrationColumns = `id, integration_id, organisation, country, client_id, virtual_user_id, created_at`

func scanOAuthRegistration(scan func(...any) error) (storage.Registration, error) {
	var (
		r       storage.Registration
		created int64
	)
	err := scan(&r.ID, &r.Integration, &r.Organisation, &r.Country, &r.ClientID, &r.VirtualUser, &created)
	r.Created = fromMicros(created)
	return r, err
}

// CreateRegistration implements [storage.Store].
func (s *OAuthStore) CreateRegistration(ctx context.Context, r *storage.Registration) error {
	if r.Created.IsZero() {
		r.Created = time.Now().UTC()
	}
	err := s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO oauth_registrations (integration_id, organisation, country,
		client_id, virtual_user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		r.Integration, r.Organisation, r.Country, r.ClientID, r.VirtualUser, micros(r.Created)).Scan(&r.ID)
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("store: oauth registration of integration %d by organisation %q: exists: %w",
			r.Integration, r.Organisation, storage.ErrConflict)
	case isForeignKeyViolation(err):
		return fmt.Errorf("store: oauth registration of integration %d by organisation %q: integration, client or virtual user: %w",
			r.Integration, r.Organisation, storage.ErrNotFound)
	}
	return err
}

// Registration implements [storage.Store].
func (s *OAuthStore) Registration(ctx context.Context, id int64) (storage.Registration, error) {
	r, err := scanOAuthRegistration(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+oauthRegistrationColumns+` FROM oauth_registrations WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return r, oauthNotFound("registration", id)
	}
	return r, err
}

// Registrations implements [storage.Store].
func (s *OAuthStore) Registrations(ctx context.Context, integration int64) ([]storage.Registration, error) {
	if integration == 0 {
		return queryAll(ctx, s.db, scanOAuthRegistration, `SELECT `+oauthRegistrationColumns+` FROM oauth_registrations ORDER BY id`)
	}
	return queryAll(ctx, s.db, scanOAuthRegistration, `SELECT `+oauthRegistrationColumns+` FROM oauth_registrations
		WHERE integration_id = $1 ORDER BY id`, integration)
}

// DeleteRegistration implements [storage.Store].
func (s *OAuthStore) DeleteRegistration(ctx context.Context, id int64) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM oauth_registrations WHERE id = $1`, id)
	return rowsAffected(res, err, oauthNotFound("registration", id))
}

// ---- groups and virtual users ----

// CreateGroup implements [storage.Store].
func (s *OAuthStore) CreateGroup(ctx context.Context, g *storage.Group) error {
	return s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO oauth_groups (name, permissions) VALUES ($1, $2) RETURNING id`,
		g.Name, jsonList(g.Permissions)).Scan(&g.ID)
}

// Group implements [storage.Store].
func (s *OAuthStore) Group(ctx context.Context, id int64) (storage.Group, error) {
	var (
		g     storage.Group
		perms string
	)
	err := s.db.q(ctx).QueryRowContext(ctx, `SELECT id, name, permissions FROM oauth_groups WHERE id = $1`, id).
		Scan(&g.ID, &g.Name, &perms)
	if errors.Is(err, sql.ErrNoRows) {
		return g, oauthNotFound("group", id)
	}
	if err != nil {
		return g, err
	}
	g.Permissions, err = fromJSONList[string](perms, "group permissions")
	return g, err
}

// CreateVirtualUser implements [storage.Store].
func (s *OAuthStore) CreateVirtualUser(ctx context.Context, u *storage.VirtualUser) error {
	if u.Created.IsZero() {
		u.Created = time.Now().UTC()
	}
	err := s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO oauth_virtual_users (name, organisation, group_id, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, u.Name, u.Organisation, u.Group, micros(u.Created)).Scan(&u.ID)
	if isForeignKeyViolation(err) {
		return oauthNotFound("group", u.Group)
	}
	return err
}

// VirtualUser implements [storage.Store].
func (s *OAuthStore) VirtualUser(ctx context.Context, id int64) (storage.VirtualUser, error) {
	var (
		u       storage.VirtualUser
		created int64
	)
	err := s.db.q(ctx).QueryRowContext(ctx, `SELECT id, name, organisation, group_id, created_at
		FROM oauth_virtual_users WHERE id = $1`, id).Scan(&u.ID, &u.Name, &u.Organisation, &u.Group, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return u, oauthNotFound("virtual user", id)
	}
	u.Created = fromMicros(created)
	return u, err
}
