package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vetlink/vetlink/oauth/storage"
)

// OAuthStore keeps the OAuth 2.0 server's clients, authorization requests,
// tokens and signing keys, and the integration catalogue with its
// registrations, virtual users and permission groups. It implements
// [storage.Store].
//
// Client secrets, codes and refresh tokens arrive hashed (storage.Hash)
// and are stored so. A signing key's private half is sealed like a webhook
// secret: AES-256-GCM under the key derived from the server's secret key
// ([DB.SetSecretKey]), with "oauth signing key <kid>" as additional data,
// so a sealed key copied to another row does not open. Without a secret
// key, storing or reading a signing key fails with [ErrNoSecretKey].
type OAuthStore struct{ db *DB }

var _ storage.Store = (*OAuthStore)(nil)

// OAuth returns the OAuth store of db.
func (db *DB) OAuth() *OAuthStore { return &OAuthStore{db: db} }

// InTx implements [storage.Store].
func (s *OAuthStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

func oauthNotFound(what string, key any) error {
	return fmt.Errorf("store: oauth %s %v: %w", what, key, storage.ErrNotFound)
}

// jsonList encodes a list of strings as JSON text; nil as [].
func jsonList[T ~string](l []T) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // strings cannot fail
	return string(b)
}

func fromJSONList[T ~string](text string, what string) ([]T, error) {
	var l []T
	if err := json.Unmarshal([]byte(text), &l); err != nil {
		return nil, fmt.Errorf("store: oauth %s: stored list %q is not JSON: %w", what, text, err)
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// rowsAffected turns an UPDATE or DELETE that touched nothing into
// notFound.
func rowsAffected(res sql.Result, err error, notFound error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// ---- clients ----

const oauthClientColumns = `id, secret_hash, name, client_type, grant_types, redirect_uris, scopes, organisation,
	registration_id, virtual_user_id, created_at, revoked_at`

func scanOAuthClient(scan func(...any) error) (storage.Client, error) {
	var (
		c                    storage.Client
		grants, uris, scopes string
		reg, vu, revoked     sql.NullInt64
		created              int64
	)
	if err := scan(&c.ID, &c.SecretHash, &c.Name, &c.Type, &grants, &uris, &scopes, &c.Organisation,
		&reg, &vu, &created, &revoked); err != nil {
		return c, err
	}
	var err error
	if c.GrantTypes, err = fromJSONList[storage.GrantType](grants, "client grant types"); err != nil {
		return c, err
	}
	if c.RedirectURIs, err = fromJSONList[string](uris, "client redirect URIs"); err != nil {
		return c, err
	}
	if c.Scopes, err = fromJSONList[string](scopes, "client scopes"); err != nil {
		return c, err
	}
	c.Registration, c.VirtualUser = reg.Int64, vu.Int64
	c.Created, c.Revoked = fromMicros(created), fromNullMicros(revoked)
	return c, nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// CreateClient implements [storage.Store].
func (s *OAuthStore) CreateClient(ctx context.Context, c *storage.Client) error {
	if c.Created.IsZero() {
		c.Created = time.Now().UTC()
	}
	_, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO oauth_clients (`+oauthClientColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		c.ID, c.SecretHash, c.Name, string(c.Type), jsonList(c.GrantTypes), jsonList(c.RedirectURIs), jsonList(c.Scopes),
		c.Organisation, nullID(c.Registration), nullID(c.VirtualUser), micros(c.Created), nullMicros(c.Revoked))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: oauth client %q: ID taken: %w", c.ID, storage.ErrConflict)
	}
	return err
}

// Client implements [storage.Store].
func (s *OAuthStore) Client(ctx context.Context, id string) (storage.Client, error) {
	c, err := scanOAuthClient(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+oauthClientColumns+` FROM oauth_clients WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.Client{}, oauthNotFound("client", fmt.Sprintf("%q", id))
	}
	return c, err
}

// RevokeClient implements [storage.Store].
func (s *OAuthStore) RevokeClient(ctx context.Context, id string, at time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_clients SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`,
			id, micros(at))
		if err := rowsAffected(res, err, oauthNotFound("client", fmt.Sprintf("%q", id))); err != nil {
			return err
		}
		if _, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_access_tokens SET revoked_at = $2
			WHERE client_id = $1 AND revoked_at IS NULL`, id, micros(at)); err != nil {
			return err
		}
		_, err = s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_refresh_tokens SET revoked_at = $2
			WHERE client_id = $1 AND revoked_at IS NULL`, id, micros(at))
		return err
	})
}

// ---- authorization requests ----

const oauthAuthRequestColumns = `id, client_id, redirect_uri, scopes, state, nonce, response_type, response_mode,
	code_challenge, code_challenge_method, user_id, auth_time, done, COALESCE(code_hash, ''), code_used_at,
	created_at, expires_at`

func scanOAuthAuthRequest(scan func(...any) error) (storage.AuthRequest, error) {
	var (
		r                  storage.AuthRequest
		scopes             string
		authTime, codeUsed sql.NullInt64
		created, expires   int64
	)
	if err := scan(&r.ID, &r.ClientID, &r.RedirectURI, &scopes, &r.State, &r.Nonce, &r.ResponseType, &r.ResponseMode,
		&r.CodeChallenge, &r.CodeChallengeMethod, &r.User, &authTime, &r.Done, &r.CodeHash, &codeUsed,
		&created, &expires); err != nil {
		return r, err
	}
	var err error
	r.Scopes, err = fromJSONList[string](scopes, "auth request scopes")
	r.AuthTime, r.CodeUsed = fromNullMicros(authTime), fromNullMicros(codeUsed)
	r.Created, r.Expires = fromMicros(created), fromMicros(expires)
	return r, err
}

// CreateAuthRequest implements [storage.Store].
func (s *OAuthStore) CreateAuthRequest(ctx context.Context, r *storage.AuthRequest) error {
	var code sql.NullString
	if r.CodeHash != "" {
		code = sql.NullString{String: r.CodeHash, Valid: true}
	}
	_, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO oauth_auth_requests (id, client_id, redirect_uri, scopes, state,
		nonce, response_type, response_mode, code_challenge, code_challenge_method, user_id, auth_time, done, code_hash,
		code_used_at, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		r.ID, r.ClientID, r.RedirectURI, jsonList(r.Scopes), r.State, r.Nonce, r.ResponseType, r.ResponseMode,
		r.CodeChallenge, r.CodeChallengeMethod, r.User, nullMicros(r.AuthTime), r.Done, code, nullMicros(r.CodeUsed),
		micros(r.Created), micros(r.Expires))
	if isForeignKeyViolation(err) {
		return oauthNotFound("client", fmt.Sprintf("%q", r.ClientID))
	}
	if isUniqueViolation(err) {
		return fmt.Errorf("store: oauth auth request %s: ID or code taken: %w", r.ID, storage.ErrConflict)
	}
	return err
}

// AuthRequest implements [storage.Store].
func (s *OAuthStore) AuthRequest(ctx context.Context, id string) (storage.AuthRequest, error) {
	r, err := scanOAuthAuthRequest(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+oauthAuthRequestColumns+` FROM oauth_auth_requests WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return r, oauthNotFound("auth request", id)
	}
	return r, err
}

// AuthRequestByCode implements [storage.Store].
func (s *OAuthStore) AuthRequestByCode(ctx context.Context, codeHash string) (storage.AuthRequest, error) {
	r, err := scanOAuthAuthRequest(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+oauthAuthRequestColumns+` FROM oauth_auth_requests WHERE code_hash = $1`, codeHash).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		// The hash is not named: it stands for a live code.
		return r, fmt.Errorf("store: oauth auth request of this code: %w", storage.ErrNotFound)
	}
	return r, err
}

// CompleteAuthRequest implements [storage.Store].
func (s *OAuthStore) CompleteAuthRequest(ctx context.Context, id string, user int64, at time.Time) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_auth_requests SET user_id = $2, auth_time = $3, done = $4
		WHERE id = $1`, id, user, micros(at), true)
	return rowsAffected(res, err, oauthNotFound("auth request", id))
}

// SaveCode implements [storage.Store].
func (s *OAuthStore) SaveCode(ctx context.Context, id, codeHash string) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_auth_requests SET code_hash = $2 WHERE id = $1`, id, codeHash)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: oauth auth request %s: code taken: %w", id, storage.ErrConflict)
	}
	return rowsAffected(res, err, oauthNotFound("auth request", id))
}

// UseCode implements [storage.Store].
func (s *OAuthStore) UseCode(ctx context.Context, id string, at time.Time) (bool, error) {
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_auth_requests SET code_used_at = $2
		WHERE id = $1 AND code_used_at IS NULL`, id, micros(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 1 {
		return n == 1, err
	}
	if _, err := s.AuthRequest(ctx, id); err != nil {
		return false, err
	}
	return false, nil
}

// DeleteAuthRequest implements [storage.Store].
func (s *OAuthStore) DeleteAuthRequest(ctx context.Context, id string) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM oauth_auth_requests WHERE id = $1`, id)
	return err
}

// ---- access tokens ----

const oauthAccessTokenColumns = `id, client_id, subject, user_id, virtual_user_id, organisation, scopes, family,
	auth_request_id, created_at, expires_at, revoked_at`

func scanOAuthAccessToken(scan func(...any) error) (storage.AccessToken, error) {
	var (
		t                storage.AccessToken
		scopes           string
		created, expires int64
		revoked          sql.NullInt64
	)
	if err := scan(&t.ID, &t.ClientID, &t.Subject, &t.User, &t.VirtualUser, &t.Organisation, &scopes, &t.Family,
		&t.AuthRequest, &created, &expires, &revoked); err != nil {
		return t, err
	}
	var err error
	t.Scopes, err = fromJSONList[string](scopes, "access token scopes")
	t.Created, t.Expires, t.Revoked = fromMicros(created), fromMicros(expires), fromNullMicros(revoked)
	return t, err
}

// CreateAccessToken implements [storage.Store].
func (s *OAuthStore) CreateAccessToken(ctx context.Context, t *storage.AccessToken) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO oauth_access_tokens (`+oauthAccessTokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		t.ID, t.ClientID, t.Subject, t.User, t.VirtualUser, t.Organisation, jsonList(t.Scopes), t.Family,
		t.AuthRequest, micros(t.Created), micros(t.Expires), nullMicros(t.Revoked))
	if isForeignKeyViolation(err) {
		return oauthNotFound("client", fmt.Sprintf("%q", t.ClientID))
	}
	return err
}

// AccessToken implements [storage.Store].
func (s *OAuthStore) AccessToken(ctx context.Context, id string) (storage.AccessToken, error) {
	t, err := scanOAuthAccessToken(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+oauthAccessTokenColumns+` FROM oauth_access_tokens WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return t, oauthNotFound("access token", id)
	}
	return t, err
}

// AccessGrant implements [storage.Store]: one indexed read by primary keys
// per request of the integration API.
func (s *OAuthStore) AccessGrant(ctx context.Context, id string) (storage.AccessGrant, error) {
	var (
		g             storage.AccessGrant
		clientRevoked sql.NullInt64
		perms         sql.NullString
	)
	t, err := scanOAuthAccessToken(func(dest ...any) error {
		return s.db.q(ctx).QueryRowContext(ctx, `SELECT t.id, t.client_id, t.subject, t.user_id, t.virtual_user_id,
			t.organisation, t.scopes, t.family, t.auth_request_id, t.created_at, t.expires_at, t.revoked_at,
			c.revoked_at, g.permissions
			FROM oauth_access_tokens t
			JOIN oauth_clients c ON c.id = t.client_id
			LEFT JOIN oauth_virtual_users u ON u.id = t.virtual_user_id
			LEFT JOIN oauth_groups g ON g.id = u.group_id
			WHERE t.id = $1`, id).Scan(append(dest, &clientRevoked, &perms)...)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return g, oauthNotFound("access token", id)
	}
	if err != nil {
		return g, err
	}
	g.Token, g.ClientRevoked = t, fromNullMicros(clientRevoked)
	if perms.Valid {
		if g.GroupPermissions, err = fromJSONList[string](perms.String, "group permissions"); err != nil {
			return g, err
		}
		if g.GroupPermissions == nil {
			g.GroupPermissions = []string{}
		}
	}
	return g, nil
}

// RevokeAccessToken implements [storage.Store].
func (s *OAuthStore) RevokeAccessToken(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_access_tokens SET revoked_at = COALESCE(revoked_at, $2)
		WHERE id = $1`, id, micros(at))
	return rowsAffected(res, err, oauthNotFound("access token", id))
}

// RevokeAuthRequestTokens implements [storage.Store].
func (s *OAuthStore) RevokeAuthRequestTokens(ctx context.Context, id string, at time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_refresh_tokens SET revoked_at = $2
			WHERE revoked_at IS NULL AND family IN (SELECT family FROM oauth_access_tokens
				WHERE auth_request_id = $1 AND family <> '')`, id, micros(at)); err != nil {
			return err
		}
		_, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_access_tokens SET revoked_at = $2
			WHERE revoked_at IS NULL AND (auth_request_id = $1 OR family IN (SELECT family FROM oauth_access_tokens
				WHERE auth_request_id = $1 AND family <> ''))`, id, micros(at))
		return err
	})
}

// ---- refresh tokens ----

const oauthRefreshTokenColumns = `id, token_hash, family, client_id, subject, user_id, virtual_user_id, organisation,
	scopes, audience, amr, auth_time, created_at, expires_at, used_at, revoked_at`

func scanOAuthRefreshToken(scan func(...any) error) (storage.RefreshToken, error) {
	var (
		t                       storage.RefreshToken
		scopes, audience, amr   string
		authTime, used, revoked sql.NullInt64
		created, expires        int64
	)
	if err := scan(&t.ID, &t.Hash, &t.Family, &t.ClientID, &t.Subject, &t.User, &t.VirtualUser, &t.Organisation,
		&scopes, &audience, &amr, &authTime, &created, &expires, &used, &revoked); err != nil {
		return t, err
	}
	var err error
	if t.Scopes, err = fromJSONList[string](scopes, "refresh token scopes"); err != nil {
		return t, err
	}
	if t.Audience, err = fromJSONList[string](audience, "refresh token audience"); err != nil {
		return t, err
	}
	if t.AMR, err = fromJSONList[string](amr, "refresh token amr"); err != nil {
		return t, err
	}
	t.AuthTime, t.Used, t.Revoked = fromNullMicros(authTime), fromNullMicros(used), fromNullMicros(revoked)
	t.Created, t.Expires = fromMicros(created), fromMicros(expires)
	return t, nil
}

// CreateRefreshToken implements [storage.Store].
func (s *OAuthStore) CreateRefreshToken(ctx context.Context, t *storage.RefreshToken) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO oauth_refresh_tokens (`+oauthRefreshTokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		t.ID, t.Hash, t.Family, t.ClientID, t.Subject, t.User, t.VirtualUser, t.Organisation,
		jsonList(t.Scopes), jsonList(t.Audience), jsonList(t.AMR), nullMicros(t.AuthTime),
		micros(t.Created), micros(t.Expires), nullMicros(t.Used), nullMicros(t.Revoked))
	switch {
	case isForeignKeyViolation(err):
		return oauthNotFound("client", fmt.Sprintf("%q", t.ClientID))
	case isUniqueViolation(err):
		return fmt.Errorf("store: oauth refresh token %s: ID or hash taken: %w", t.ID, storage.ErrConflict)
	}
	return err
}

// RefreshTokenByHash implements [storage.Store].
func (s *OAuthStore) RefreshTokenByHash(ctx context.Context, hash string) (storage.RefreshToken, error) {
	t, err := scanOAuthRefreshToken(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+oauthRefreshTokenColumns+` FROM oauth_refresh_tokens WHERE token_hash = $1`, hash).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("store: oauth refresh token: %w", storage.ErrNotFound)
	}
	return t, err
}

// UseRefreshToken implements [storage.Store]. The conditional UPDATE is
// what makes two concurrent uses of one token see one success and one
// reuse, on either engine.
func (s *OAuthStore) UseRefreshToken(ctx context.Context, id string, at time.Time) (bool, error) {
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_refresh_tokens SET used_at = $2
		WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL`, id, micros(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RevokeFamily implements [storage.Store].
func (s *OAuthStore) RevokeFamily(ctx context.Context, family string, at time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_refresh_tokens SET revoked_at = $2
			WHERE family = $1 AND revoked_at IS NULL`, family, micros(at)); err != nil {
			return err
		}
		_, err := s.db.q(ctx).ExecContext(ctx, `UPDATE oauth_access_tokens SET revoked_at = $2
			WHERE family = $1 AND family <> '' AND revoked_at IS NULL`, family, micros(at))
		return err
	})
}

// PurgeExpired implements [storage.Store].
func (s *OAuthStore) PurgeExpired(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		total = 0
		for _, q := range []string{
			`DELETE FROM oauth_auth_requests WHERE expires_at < $1`,
			`DELETE FROM oauth_access_tokens WHERE expires_at < $1`,
			`DELETE FROM oauth_refresh_tokens WHERE family IN (SELECT family FROM oauth_refresh_tokens
				GROUP BY family HAVING MAX(expires_at) < $1)`,
		} {
			res, err := s.db.q(ctx).ExecContext(ctx, q, micros(before))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	return total, err
}

// ---- signing keys ----

// oauthKeyAAD binds a sealed signing key to its kid.
func oauthKeyAAD(kid string) []byte { return []byte("oauth signing key " + kid) }

func (s *OAuthStore) sealKey(kid string, der []byte) (string, error) {
	sl := s.db.sealer.Load()
	if sl == nil {
		return "", fmt.Errorf("%w: oauth signing key %s", ErrNoSecretKey, kid)
	}
	out := make([]byte, nonceSize, nonceSize+len(der)+sl.aead.Overhead())
	rand.Read(out[:nonceSize])
	out = sl.aead.Seal(out, out[:nonceSize], der, oauthKeyAAD(kid))
	return sealedV1 + base64.RawURLEncoding.EncodeToString(out), nil
}

func (s *OAuthStore) openKey(kid, stored string) ([]byte, error) {
	sl := s.db.sealer.Load()
	if sl == nil {
		return nil, fmt.Errorf("%w: oauth signing key %s", ErrNoSecretKey, kid)
	}
	body, ok := cutPrefix(stored, sealedV1)
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if !ok || err != nil || len(raw) < nonceSize+sl.aead.Overhead() {
		return nil, fmt.Errorf("%w: oauth signing key %s: malformed sealed text", ErrSecretNotOpened, kid)
	}
	der, err := sl.aead.Open(nil, raw[:nonceSize], raw[nonceSize:], oauthKeyAAD(kid))
	if err != nil {
		return nil, fmt.Errorf("%w: oauth signing key %s: sealed under another secret key, for another key, or altered", ErrSecretNotOpened, kid)
	}
	return der, nil
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// SigningKeys implements [storage.Store].
func (s *OAuthStore) SigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	type row struct {
		k      storage.SigningKey
		sealed string
	}
	rows, err := queryAll(ctx, s.db, func(scan func(...any) error) (row, error) {
		var (
			r       row
			created int64
		)
		err := scan(&r.k.ID, &r.k.Algorithm, &r.sealed, &created)
		r.k.Created = fromMicros(created)
		return r, err
	}, `SELECT id, algorithm, private_key, created_at FROM oauth_signing_keys ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, err
	}
	keys := make([]storage.SigningKey, len(rows))
	for i, r := range rows {
		if r.k.PrivateKey, err = s.openKey(r.k.ID, r.sealed); err != nil {
			return nil, err
		}
		keys[i] = r.k
	}
	return keys, nil
}

// CreateSigningKey implements [storage.Store].
func (s *OAuthStore) CreateSigningKey(ctx context.Context, k *storage.SigningKey) error {
	sealed, err := s.sealKey(k.ID, k.PrivateKey)
	if err != nil {
		return err
	}
	if k.Created.IsZero() {
		k.Created = time.Now().UTC()
	}
	_, err = s.db.q(ctx).ExecContext(ctx, `INSERT INTO oauth_signing_keys (id, algorithm, private_key, created_at)
		VALUES ($1, $2, $3, $4)`, k.ID, k.Algorithm, sealed, micros(k.Created))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: oauth signing key %s: kid taken: %w", k.ID, storage.ErrConflict)
	}
	return err
}
