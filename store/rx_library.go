package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/protocol/labels"
	"github.com/vetlink/vetlink/rx"
)

// LibraryStore keeps rx's protocol library: protocols and their shares,
// tags, diagnoses, eligibilities, promises, label claims and Green Book
// drugs. It implements [rx.LibraryStore].
//
// A protocol is stored whole as JSON, unknown members included; its ID,
// owner, status, sharing and times live in columns, which win over the
// JSON when read. The same holds for the IDs of tags, promises and label
// claims.
type LibraryStore struct{ db *DB }

var (
	_ rx.LibraryStore = (*LibraryStore)(nil)
	_ rx.LabelStamper = (*LibraryStore)(nil)
)

// Library returns the protocol-library store of db.
func (db *DB) Library() *LibraryStore { return &LibraryStore{db: db} }

// InTx runs fn in a transaction of the store's database, as [DB.InTx] does.
func (s *LibraryStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// User implements [rx.LibraryStore], reading the users of [RxStore].
func (s *LibraryStore) User(ctx context.Context, id rx.UserID) (rx.User, error) {
	return s.db.Rx().User(ctx, id)
}

// args numbers placeholders as a query is built.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// ---- protocols

const libProtocolColumns = `id, owner_id, status, share_all, share_clonable, created_at, edited_at, protocol`

func scanLibProtocol(scan func(...any) error) (protocol.Protocol, error) {
	var (
		p                   protocol.Protocol
		id, owner           int64
		status, doc         string
		all, clonable       bool
		createdAt, editedAt int64
	)
	if err := scan(&id, &owner, &status, &all, &clonable, &createdAt, &editedAt, &doc); err != nil {
		return protocol.Protocol{}, err
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return protocol.Protocol{}, fmt.Errorf("store: protocol %d: %w", id, err)
	}
	created, edited := fromMicros(createdAt), fromMicros(editedAt)
	p.ID, p.OwnerID, p.Status, p.ShareAll, p.ShareClonable = id, owner, protocol.ProtocolStatus(status), all, clonable
	p.Created, p.Edited = &created, &edited
	return p, nil
}

// protocolDoc encodes p without the members kept in columns.
func protocolDoc(p *protocol.Protocol) (string, error) {
	c := *p
	c.ID, c.Created, c.Edited = 0, nil, nil
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("store: protocol %d: %w", p.ID, err)
	}
	return string(b), nil
}

func timeOr(t *time.Time, def time.Time) time.Time {
	if t == nil {
		return def
	}
	return *t
}

// CreateProtocol implements [rx.LibraryStore].
func (s *LibraryStore) CreateProtocol(ctx context.Context, p *protocol.Protocol) error {
	doc, err := protocolDoc(p)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	created, edited := timeOr(p.Created, now), timeOr(p.Edited, now)
	err = s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO rx_library_protocols
		(owner_id, name, status, share_all, share_clonable, created_at, edited_at, protocol)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		p.OwnerID, p.Name, string(p.Status), p.ShareAll, p.ShareClonable, micros(created), micros(edited), doc).Scan(&p.ID)
	if err != nil {
		return err
	}
	created, edited = fromMicros(micros(created)), fromMicros(micros(edited))
	p.Created, p.Edited = &created, &edited
	return nil
}

// Protocol implements [rx.LibraryStore].
func (s *LibraryStore) Protocol(ctx context.Context, id int64) (protocol.Protocol, error) {
	p, err := scanLibProtocol(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+libProtocolColumns+` FROM rx_library_protocols WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return protocol.Protocol{}, rxNotFound("protocol", id)
	}
	return p, err
}

// UpdateProtocol implements [rx.LibraryStore]. The edit time is the
// version: the write happens only if the stored edited_at is still prev.
func (s *LibraryStore) UpdateProtocol(ctx context.Context, p *protocol.Protocol, prev time.Time) error {
	doc, err := protocolDoc(p)
	if err != nil {
		return err
	}
	edited := fromMicros(micros(timeOr(p.Edited, time.Now().UTC())))
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE rx_library_protocols SET owner_id = $2, name = $3, status = $4,
		share_all = $5, share_clonable = $6, edited_at = $7, protocol = $8 WHERE id = $1 AND edited_at = $9`,
		p.ID, p.OwnerID, p.Name, string(p.Status), p.ShareAll, p.ShareClonable, micros(edited), doc, micros(prev))
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		if _, err := s.Protocol(ctx, p.ID); err != nil {
			return err
		}
		return fmt.Errorf("store: protocol %d edited since %s: %w", p.ID, prev.Format(time.RFC3339Nano), rx.ErrConflict)
	}
	p.Edited = &edited
	return nil
}

// Protocols implements [rx.LibraryStore].
func (s *LibraryStore) Protocols(ctx context.Context, f rx.ProtocolFilter) ([]protocol.Protocol, error) {
	var (
		a   args
		any []string
	)
	if f.Owner != 0 {
		any = append(any, `owner_id = `+a.add(int64(f.Owner)))
	}
	if f.SharedTo != 0 {
		any = append(any, `id IN (SELECT px_id FROM rx_library_shares WHERE share_to = `+a.add(int64(f.SharedTo))+`)`)
	}
	if f.ShareAll {
		any = append(any, `share_all`)
	}
	where := []string{}
	if len(any) > 0 {
		where = append(where, "("+strings.Join(any, " OR ")+")")
	}
	if f.Statuses == nil {
		where = append(where, `status <> `+a.add(string(protocol.StatusDeprecated)))
	} else {
		in := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			in[i] = a.add(string(st))
		}
		if len(in) == 0 {
			return nil, nil
		}
		where = append(where, `status IN (`+strings.Join(in, ", ")+`)`)
	}
	q := `SELECT ` + libProtocolColumns + ` FROM rx_library_protocols WHERE ` + strings.Join(where, " AND ") + ` ORDER BY name, id`
	return queryAll(ctx, s.db, scanLibProtocol, q, a...)
}

// ---- shares

// PutShare implements [rx.LibraryStore].
func (s *LibraryStore) PutShare(ctx context.Context, sh rx.ProtocolShare) (bool, error) {
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE rx_library_shares SET clonable = $3 WHERE px_id = $1 AND share_to = $2`,
		sh.PxID, int64(sh.ShareTo), sh.Clonable)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return false, err
	}
	_, err = s.db.q(ctx).ExecContext(ctx, `INSERT INTO rx_library_shares (px_id, share_to, clonable) VALUES ($1, $2, $3)`,
		sh.PxID, int64(sh.ShareTo), sh.Clonable)
	switch {
	case isUniqueViolation(err):
		return false, fmt.Errorf("store: share of protocol %d to user %d: %w", sh.PxID, sh.ShareTo, rx.ErrConflict)
	case isForeignKeyViolation(err):
		return false, rxNotFound("protocol", sh.PxID)
	}
	return err == nil, err
}

func scanShare(scan func(...any) error) (rx.ProtocolShare, error) {
	var sh rx.ProtocolShare
	err := scan(&sh.PxID, &sh.ShareTo, &sh.Clonable)
	return sh, err
}

// Shares implements [rx.LibraryStore].
func (s *LibraryStore) Shares(ctx context.Context, f rx.ShareFilter) ([]rx.ProtocolShare, error) {
	var a args
	where := []string{"TRUE"}
	if f.Owner != 0 {
		where = append(where, `p.owner_id = `+a.add(int64(f.Owner)))
	}
	if f.PxID != 0 {
		where = append(where, `s.px_id = `+a.add(f.PxID))
	}
	if f.To != 0 {
		where = append(where, `s.share_to = `+a.add(int64(f.To)))
	}
	return queryAll(ctx, s.db, scanShare, `SELECT s.px_id, s.share_to, s.clonable FROM rx_library_shares s
		JOIN rx_library_protocols p ON p.id = s.px_id WHERE `+strings.Join(where, " AND ")+` ORDER BY s.px_id, s.share_to`, a...)
}

// DeleteShare implements [rx.LibraryStore].
func (s *LibraryStore) DeleteShare(ctx context.Context, px int64, to rx.UserID) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM rx_library_shares WHERE px_id = $1 AND share_to = $2`, px, int64(to))
	return affected(res, err, "share", fmt.Sprintf("of protocol %d to user %d", px, to))
}

// ---- tags, diagnoses, eligibilities

// insertNamed runs an INSERT … RETURNING id, turning a duplicate name into
// rx.ErrConflict.
func (s *LibraryStore) insertNamed(ctx context.Context, what, name, q string, args ...any) (int64, error) {
	var id int64
	err := s.db.q(ctx).QueryRowContext(ctx, q, args...).Scan(&id)
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("store: %s %q exists: %w", what, name, rx.ErrConflict)
	}
	return id, err
}

func (s *LibraryStore) deleteByID(ctx context.Context, table, what string, id int64) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM `+table+` WHERE id = $1`, id)
	return affected(res, err, what, id)
}

// CreateTag implements [rx.LibraryStore].
func (s *LibraryStore) CreateTag(ctx context.Context, t *protocol.Tag) error {
	c := *t
	c.ID = 0
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("store: tag %q: %w", t.Name, err)
	}
	id, err := s.insertNamed(ctx, "tag", t.Name, `INSERT INTO rx_library_tags (name, tag) VALUES ($1, $2) RETURNING id`, t.Name, string(doc))
	if err == nil {
		t.ID = id
	}
	return err
}

func scanTag(scan func(...any) error) (protocol.Tag, error) {
	var (
		t   protocol.Tag
		id  int64
		doc string
	)
	if err := scan(&id, &doc); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(doc), &t); err != nil {
		return t, fmt.Errorf("store: tag %d: %w", id, err)
	}
	t.ID = id
	return t, nil
}

// Tags implements [rx.LibraryStore].
func (s *LibraryStore) Tags(ctx context.Context) ([]protocol.Tag, error) {
	return queryAll(ctx, s.db, scanTag, `SELECT id, tag FROM rx_library_tags ORDER BY name, id`)
}

// DeleteTag implements [rx.LibraryStore].
func (s *LibraryStore) DeleteTag(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, "rx_library_tags", "tag", id)
}

// CreateDiagnosis implements [rx.LibraryStore].
func (s *LibraryStore) CreateDiagnosis(ctx context.Context, d *protocol.Diagnosis) error {
	id, err := s.insertNamed(ctx, "diagnosis", d.Name, `INSERT INTO rx_library_diagnoses (name) VALUES ($1) RETURNING id`, d.Name)
	if err == nil {
		d.ID = id
	}
	return err
}

// Diagnoses implements [rx.LibraryStore].
func (s *LibraryStore) Diagnoses(ctx context.Context) ([]protocol.Diagnosis, error) {
	return queryAll(ctx, s.db, func(scan func(...any) error) (protocol.Diagnosis, error) {
		var d protocol.Diagnosis
		err := scan(&d.ID, &d.Name)
		return d, err
	}, `SELECT id, name FROM rx_library_diagnoses ORDER BY name, id`)
}

// DeleteDiagnosis implements [rx.LibraryStore].
func (s *LibraryStore) DeleteDiagnosis(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, "rx_library_diagnoses", "diagnosis", id)
}

// CreateEligibility implements [rx.LibraryStore].
func (s *LibraryStore) CreateEligibility(ctx context.Context, e *protocol.Eligibility) error {
	id, err := s.insertNamed(ctx, "eligibility", e.Name,
		`INSERT INTO rx_library_eligibilities (name, fda_species) VALUES ($1, $2) RETURNING id`, e.Name, string(e.FDASpecies))
	if err == nil {
		e.ID = id
	}
	return err
}

// Eligibilities implements [rx.LibraryStore].
func (s *LibraryStore) Eligibilities(ctx context.Context) ([]protocol.Eligibility, error) {
	return queryAll(ctx, s.db, func(scan func(...any) error) (protocol.Eligibility, error) {
		var (
			e  protocol.Eligibility
			sp string
		)
		err := scan(&e.ID, &e.Name, &sp)
		e.FDASpecies = protocol.Species(sp)
		return e, err
	}, `SELECT id, name, fda_species FROM rx_library_eligibilities ORDER BY name, id`)
}

// DeleteEligibility implements [rx.LibraryStore].
func (s *LibraryStore) DeleteEligibility(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, "rx_library_eligibilities", "eligibility", id)
}

// ---- promises

// CreatePromise implements [rx.LibraryStore].
func (s *LibraryStore) CreatePromise(ctx context.Context, p *protocol.Promise) error {
	c := *p
	c.ID = 0
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("store: promise %q: %w", p.Name, err)
	}
	var owner sql.NullInt64
	if p.OwnerID != nil {
		owner = sql.NullInt64{Int64: *p.OwnerID, Valid: true}
	}
	return s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO rx_library_promises (owner_id, name, promise) VALUES ($1, $2, $3) RETURNING id`,
		owner, p.Name, string(doc)).Scan(&p.ID)
}

func scanPromise(scan func(...any) error) (protocol.Promise, error) {
	var (
		p     protocol.Promise
		id    int64
		owner sql.NullInt64
		doc   string
	)
	if err := scan(&id, &owner, &doc); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return p, fmt.Errorf("store: promise %d: %w", id, err)
	}
	p.ID, p.OwnerID = id, nil
	if owner.Valid {
		p.OwnerID = &owner.Int64
	}
	return p, nil
}

// Promise implements [rx.LibraryStore].
func (s *LibraryStore) Promise(ctx context.Context, id int64) (protocol.Promise, error) {
	p, err := scanPromise(s.db.q(ctx).QueryRowContext(ctx, `SELECT id, owner_id, promise FROM rx_library_promises WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return protocol.Promise{}, rxNotFound("promise", id)
	}
	return p, err
}

// Promises implements [rx.LibraryStore].
func (s *LibraryStore) Promises(ctx context.Context, owner rx.UserID) ([]protocol.Promise, error) {
	return queryAll(ctx, s.db, scanPromise, `SELECT id, owner_id, promise FROM rx_library_promises
		WHERE owner_id IS NULL OR owner_id = $1 ORDER BY name, id`, int64(owner))
}

// ---- label claims

func labelDoc(c *protocol.LabelClaim) (string, error) {
	cc := *c
	cc.ID = 0
	b, err := json.Marshal(cc)
	if err != nil {
		return "", fmt.Errorf("store: label claim %d: %w", c.ID, err)
	}
	return string(b), nil
}

func scanLabel(scan func(...any) error) (protocol.LabelClaim, error) {
	var (
		c   protocol.LabelClaim
		id  int64
		doc string
	)
	if err := scan(&id, &doc); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return c, fmt.Errorf("store: label claim %d: %w", id, err)
	}
	c.ID = id
	return c, nil
}

// CreateLabelClaim implements [rx.LibraryStore]. The new claim's ID is
// below labels.FirstID, the range of the shipped claims (InsertLabelClaim):
// PostgreSQL's identity counts from 1 and is not moved by the shipped IDs;
// on SQLite, which would number a new row after the largest ID, it is one
// more than the largest ID below the range (writes are serialized there).
// ErrConflict when that range is full.
func (s *LibraryStore) CreateLabelClaim(ctx context.Context, c *protocol.LabelClaim) error {
	doc, err := labelDoc(c)
	if err != nil {
		return err
	}
	query := `INSERT INTO rx_library_labels (claim) VALUES ($1) RETURNING id`
	qargs := []any{doc}
	if s.db.engine == SQLite {
		query = `INSERT INTO rx_library_labels (id, claim)
			VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM rx_library_labels WHERE id < $2), $1) RETURNING id`
		qargs = append(qargs, labels.FirstID)
	}
	var id int64
	if err := s.db.q(ctx).QueryRowContext(ctx, query, qargs...).Scan(&id); err != nil {
		return err
	}
	if id >= labels.FirstID {
		// Only PostgreSQL's identity can get here, after 100000 claims.
		return fmt.Errorf("store: label claim %d: ids from %d are the shipped claims'; no ID left below them: %w", id, labels.FirstID, rx.ErrConflict)
	}
	c.ID = id
	return nil
}

// LabelClaimsStamp implements [rx.LabelStamper]: a SHA-256 digest of every
// stored claim (its ID and JSON document), which changes whenever a claim
// is created, changed or deleted. Reading the documents without decoding
// them is what makes it cheaper than LabelClaims.
func (s *LibraryStore) LabelClaimsStamp(ctx context.Context) (string, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT id, claim FROM rx_library_labels ORDER BY id`)
	if err != nil {
		return "", fmt.Errorf("store: label claims: %w", err)
	}
	defer rows.Close()
	h := sha256.New()
	var (
		id  int64
		doc []byte
	)
	for rows.Next() {
		if err := rows.Scan(&id, &doc); err != nil {
			return "", fmt.Errorf("store: label claims: %w", err)
		}
		fmt.Fprintf(h, "%d:%d:", id, len(doc))
		h.Write(doc)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("store: label claims: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// InsertLabelClaim implements [rx.LibraryStore]: it stores c under its own
// ID unless a claim of that ID exists, which it leaves as it is.
func (s *LibraryStore) InsertLabelClaim(ctx context.Context, c *protocol.LabelClaim) (bool, error) {
	doc, err := labelDoc(c)
	if err != nil {
		return false, err
	}
	res, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO rx_library_labels (id, claim) VALUES ($1, $2)
		ON CONFLICT (id) DO NOTHING`, c.ID, doc)
	if err != nil {
		return false, fmt.Errorf("store: label claim %d: %w", c.ID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UpdateLabelClaim implements [rx.LibraryStore].
func (s *LibraryStore) UpdateLabelClaim(ctx context.Context, c *protocol.LabelClaim) error {
	doc, err := labelDoc(c)
	if err != nil {
		return err
	}
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE rx_library_labels SET claim = $2 WHERE id = $1`, c.ID, doc)
	return affected(res, err, "label claim", c.ID)
}

// LabelClaim implements [rx.LibraryStore].
func (s *LibraryStore) LabelClaim(ctx context.Context, id int64) (protocol.LabelClaim, error) {
	c, err := scanLabel(s.db.q(ctx).QueryRowContext(ctx, `SELECT id, claim FROM rx_library_labels WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return protocol.LabelClaim{}, rxNotFound("label claim", id)
	}
	return c, err
}

// LabelClaims implements [rx.LibraryStore].
func (s *LibraryStore) LabelClaims(ctx context.Context) ([]protocol.LabelClaim, error) {
	return queryAll(ctx, s.db, scanLabel, `SELECT id, claim FROM rx_library_labels ORDER BY id`)
}

// ---- Green Book

func scanGreenbook(scan func(...any) error) (rx.GreenbookDrug, error) {
	var (
		d   rx.GreenbookDrug
		ndc string
		doc string
	)
	if err := scan(&ndc, &doc); err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return d, fmt.Errorf("store: greenbook drug %s: %w", ndc, err)
	}
	d.NDC = ndc
	return d, nil
}

// PutGreenbookDrug implements [rx.LibraryStore].
func (s *LibraryStore) PutGreenbookDrug(ctx context.Context, d rx.GreenbookDrug) error {
	doc, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("store: greenbook drug %s: %w", d.NDC, err)
	}
	labeler, product, _ := strings.Cut(d.NDC, "-")
	_, err = s.db.q(ctx).ExecContext(ctx, `INSERT INTO rx_library_greenbook (ndc, ndc_labeler, ndc_product, drug)
		VALUES ($1, $2, $3, $4) ON CONFLICT (ndc) DO UPDATE SET drug = excluded.drug`,
		d.NDC, labeler, product, string(doc))
	return err
}

// GreenbookDrug implements [rx.LibraryStore].
func (s *LibraryStore) GreenbookDrug(ctx context.Context, ndc string) (rx.GreenbookDrug, error) {
	d, err := scanGreenbook(s.db.q(ctx).QueryRowContext(ctx, `SELECT ndc, drug FROM rx_library_greenbook WHERE ndc = $1`, ndc).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return rx.GreenbookDrug{}, rxNotFound("greenbook drug", ndc)
	}
	return d, err
}

// GreenbookDrugs implements [rx.LibraryStore].
func (s *LibraryStore) GreenbookDrugs(ctx context.Context, q rx.GreenbookQuery) ([]rx.GreenbookDrug, error) {
	var a args
	where := []string{"TRUE"}
	if q.Labeler != "" {
		where = append(where, `ndc_labeler = `+a.add(q.Labeler))
	}
	if q.Product != "" {
		where = append(where, `ndc_product = `+a.add(q.Product))
	}
	query := `SELECT ndc, drug FROM rx_library_greenbook WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ndc`
	switch {
	case q.Limit > 0:
		query += ` LIMIT ` + a.add(q.Limit) + ` OFFSET ` + a.add(max(q.Offset, 0))
	case q.Offset > 0 && s.db.engine == PostgreSQL:
		query += ` OFFSET ` + a.add(q.Offset)
	case q.Offset > 0:
		query += ` LIMIT -1 OFFSET ` + a.add(q.Offset)
	}
	return queryAll(ctx, s.db, scanGreenbook, query, a...)
}
