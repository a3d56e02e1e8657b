package rx

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

// ProtocolShare lets VOR ShareTo use protocol PxID of another VOR, and
// clone it when Clonable. It is the VCPR ProtocolShare.
type ProtocolShare struct {
	PxID     int64  `json:"pxId"`
	ShareTo  UserID `json:"shareTo"`
	Clonable bool   `json:"clonable"`
}

// SharedToAll is one of a VOR's protocols in the library (shared to all
// VORs), as the VCPR getSharesToAll operation lists it.
type SharedToAll struct {
	PxID     int64  `json:"pxId"`
	Name     string `json:"name"`
	Clonable bool   `json:"clonable"`
}

// Px is the VCPR protocol stub: the members of a Protocol that describe
// it, without treatments, eligibilities, promises or tags. Lists of
// protocols to choose from (the library, a VOR's own) are lists of Px.
type Px struct {
	ID        int64                   `json:"id,omitempty"`
	OwnerID   int64                   `json:"ownerId"`
	Name      string                  `json:"name"`
	Shortname string                  `json:"shortname,omitempty"`
	Created   *time.Time              `json:"created"`
	Edited    *time.Time              `json:"edited"`
	Status    protocol.ProtocolStatus `json:"status"`
	VetNote   string                  `json:"vetNote,omitempty"`
	WtMeatHrs *protocol.Number        `json:"wtMeatHrs,omitempty"`
	WtMilkHrs *protocol.Number        `json:"wtMilkHrs,omitempty"`
	WtNote    string                  `json:"wtNote,omitempty"`
	protocol.Instructions
	ShareAll bool `json:"shareAll"`
}

// StubOf returns the stub of p. The withdrawal note, which Protocol does
// not model, is read from p.Extra["wtNote"] when it is a string.
func StubOf(p *protocol.Protocol) Px {
	x := Px{ID: p.ID, OwnerID: p.OwnerID, Name: p.Name, Shortname: p.Shortname, Created: p.Created,
		Edited: p.Edited, Status: p.Status, VetNote: p.VetNote, WtMeatHrs: p.WtMeatHrs,
		WtMilkHrs: p.WtMilkHrs, ShareAll: p.ShareAll}
	if p.Instructions != nil {
		x.Instructions = *p.Instructions
	}
	if raw, ok := p.Extra["wtNote"]; ok {
		_ = json.Unmarshal(raw, &x.WtNote) // not a string: no note
	}
	return x
}

// GreenbookDrug is one product of the FDA Green Book (approved animal drug
// products), keyed by its NDC product code, as the VCPR GreenbookDrug.
type GreenbookDrug struct {
	NDC         string    `json:"ndc"`         // "0010-3495": labeler-product
	Proprietary string    `json:"proprietary"` // "Bio-Mycin 200"
	NonProp     string    `json:"nonProp"`     // generic name
	Ingredients string    `json:"ingredients"`
	Labeler     string    `json:"labeler"`
	ProductType string    `json:"productType"` // "OTC ANIMAL DRUG"
	MarketCat   string    `json:"marketCat"`   // "ANADA"
	AppNumber   string    `json:"appNumber"`   // "ANADA200008"
	Link        string    `json:"link"`        // the label at accessdata.fda.gov
	Status      int       `json:"status"`
	LastChanged time.Time `json:"lastChanged"`
}

// ProtocolFilter selects protocols from a LibraryStore. Zero members
// select everything; Owner, SharedTo and ShareAll together select the
// union of what each selects.
type ProtocolFilter struct {
	Owner    UserID // owned by this VOR
	SharedTo UserID // shared with this VOR by a ProtocolShare
	ShareAll bool   // in the library (shared to all)
	// Statuses keeps only these statuses; nil keeps all but DEPRECATED.
	Statuses []protocol.ProtocolStatus
}

// ShareFilter selects shares: of protocols owned by Owner, optionally only
// of protocol PxID and to VOR To.
type ShareFilter struct {
	Owner UserID
	PxID  int64
	To    UserID
}

// GreenbookQuery selects Green Book drugs by the sections of their NDC
// ("labeler-product"); empty sections match any. Limit 0 means no limit.
type GreenbookQuery struct {
	Labeler, Product string
	Offset, Limit    int
}

// LibraryStore is the durable state of the protocol library. Package
// store implements it (store.DB.Library). Errors that mean something to
// rx wrap ErrNotFound or ErrConflict.
type LibraryStore interface {
	// InTx runs fn in one transaction, as Store.InTx.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// User reads a user; ErrNotFound when there is none.
	User(ctx context.Context, id UserID) (User, error)

	// CreateProtocol stores p, setting p.ID.
	CreateProtocol(ctx context.Context, p *protocol.Protocol) error
	// Protocol reads a protocol; ErrNotFound when there is none.
	Protocol(ctx context.Context, id int64) (protocol.Protocol, error)
	// UpdateProtocol writes p over the stored protocol p.ID if that one
	// was last edited at prev; ErrConflict when it was edited since,
	// ErrNotFound when there is none.
	UpdateProtocol(ctx context.Context, p *protocol.Protocol, prev time.Time) error
	// Protocols lists the protocols f selects, by name then ID.
	Protocols(ctx context.Context, f ProtocolFilter) ([]protocol.Protocol, error)

	// PutShare creates or replaces a share; it reports whether it was new.
	PutShare(ctx context.Context, s ProtocolShare) (bool, error)
	// Shares lists the shares f selects, by protocol then recipient.
	Shares(ctx context.Context, f ShareFilter) ([]ProtocolShare, error)
	// DeleteShare deletes the share of px to VOR to; ErrNotFound when
	// there is none.
	DeleteShare(ctx context.Context, px int64, to UserID) error

	// CreateTag stores t, setting t.ID; ErrConflict when the name exists.
	CreateTag(ctx context.Context, t *protocol.Tag) error
	// Tags lists the tags by name.
	Tags(ctx context.Context) ([]protocol.Tag, error)
	// DeleteTag deletes a tag; ErrNotFound when there is none.
	DeleteTag(ctx context.Context, id int64) error

	// CreateDiagnosis stores d, setting d.ID; ErrConflict when the name
	// exists.
	CreateDiagnosis(ctx context.Context, d *protocol.Diagnosis) error
	// Diagnoses lists the diagnoses by name.
	Diagnoses(ctx context.Context) ([]protocol.Diagnosis, error)
	// DeleteDiagnosis deletes a diagnosis; ErrNotFound when there is none.
	DeleteDiagnosis(ctx context.Context, id int64) error

	// CreateEligibility stores e, setting e.ID; ErrConflict when the name
	// exists.
	CreateEligibility(ctx context.Context, e *protocol.Eligibility) error
	// Eligibilities lists the eligibilities by name.
	Eligibilities(ctx context.Context) ([]protocol.Eligibility, error)
	// DeleteEligibility deletes one; ErrNotFound when there is none.
	DeleteEligibility(ctx context.Context, id int64) error

	// CreatePromise stores p, setting p.ID. p.OwnerID nil makes it public.
	CreatePromise(ctx context.Context, p *protocol.Promise) error
	// Promise reads a promise; ErrNotFound when there is none.
	Promise(ctx context.Context, id int64) (protocol.Promise, error)
	// Promises lists the public promises and those owned by owner (zero:
	// public only), by name.
	Promises(ctx context.Context, owner UserID) ([]protocol.Promise, error)

	// CreateLabelClaim stores c, setting c.ID to a new ID below
	// labels.FirstID (the IDs from there are the shipped claims').
	CreateLabelClaim(ctx context.Context, c *protocol.LabelClaim) error
	// InsertLabelClaim stores c under its own c.ID unless a claim of that
	// ID exists, which it leaves as it is; it reports whether it stored c.
	// Seed adds the shipped claims with it.
	InsertLabelClaim(ctx context.Context, c *protocol.LabelClaim) (bool, error)
	// UpdateLabelClaim writes c over claim c.ID; ErrNotFound when none.
	UpdateLabelClaim(ctx context.Context, c *protocol.LabelClaim) error
	// LabelClaim reads a claim; ErrNotFound when there is none.
	LabelClaim(ctx context.Context, id int64) (protocol.LabelClaim, error)
	// LabelClaims lists every claim by ID.
	LabelClaims(ctx context.Context) ([]protocol.LabelClaim, error)

	// PutGreenbookDrug creates or replaces the drug of d.NDC.
	PutGreenbookDrug(ctx context.Context, d GreenbookDrug) error
	// GreenbookDrug reads a drug by NDC; ErrNotFound when there is none.
	GreenbookDrug(ctx context.Context, ndc string) (GreenbookDrug, error)
	// GreenbookDrugs lists the drugs q selects, by NDC.
	GreenbookDrugs(ctx context.Context, q GreenbookQuery) ([]GreenbookDrug, error)
}

// Library carries out the protocol-library operations of the VCPR API
// (protocols, shares, tags, diagnoses, eligibilities, promises, label
// claims, Green Book drugs) over a LibraryStore. The zero value of every
// field but Store is useful.
//
// Every method takes the acting user (see Service.Actor) and checks the
// matching May… rule of library_authz.go before it reads or writes.
// Prescriptions keep their own snapshot of a protocol, so nothing done
// here changes a prescription already written.
type Library struct {
	Store LibraryStore
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Labels are the label claims protocols are validated against; nil
	// means the claims in Store.
	Labels []protocol.LabelClaim
}

func (l *Library) now() time.Time {
	if l.Clock != nil {
		return l.Clock().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (l *Library) labels(ctx context.Context) ([]protocol.LabelClaim, error) {
	if l.Labels != nil {
		return l.Labels, nil
	}
	return l.Store.LabelClaims(ctx)
}

func pxInput(id int64) string { return fmt.Sprintf("protocol %d", id) }

// validate checks p against the label claims; an invalid protocol is
// ErrInvalid wrapping protocol.Problems.
func (l *Library) validate(ctx context.Context, op string, p *protocol.Protocol) error {
	labels, err := l.labels(ctx)
	if err != nil {
		return storeErr(op, "label claims", err)
	}
	if err := protocol.Validate(p, labels); err != nil {
		return invalid(op, pxInput(p.ID), err)
	}
	return nil
}

// withInstructions gives p empty instructions when it has none. The VCPR
// document requires instructions of the protocol a prescription carries
// (createPrescription) but not of the one createProtocol takes: a protocol
// stored without them would come back unprescribable as it is.
func withInstructions(p *protocol.Protocol) {
	if p.Instructions == nil {
		p.Instructions = &protocol.Instructions{}
	}
}

// CreateProtocol records p as a new protocol of the acting VOR: the owner
// is the actor, the status UNKNOWN (the VCPR's status of a protocol being
// designed), created and edited now, not shared. p must pass
// protocol.Validate against the labels. On success p is what was stored,
// with its ID.
func (l *Library) CreateProtocol(ctx context.Context, a Actor, p *protocol.Protocol) error {
	const op = "create protocol"
	if err := MayCreateProtocol(a); err != nil {
		return withOp(op, err)
	}
	now := l.now()
	c := *p
	c.ID, c.OwnerID, c.OwnerName = 0, int64(a.User.ID), a.User.Name()
	c.Status, c.Created, c.Edited = protocol.StatusUnknown, &now, &now
	c.ShareAll, c.ShareClonable = false, false
	withInstructions(&c)
	if err := l.validate(ctx, op, &c); err != nil {
		return err
	}
	if err := l.Store.CreateProtocol(ctx, &c); err != nil {
		return storeErr(op, pxInput(0), err)
	}
	*p = c
	return nil
}

// UpdateProtocol writes p over the stored protocol p.ID: only its owner
// may, and not once it is DEPRECATED. Owner, creation time and sharing
// are kept from the stored protocol (sharing has its own operations);
// status must be a valid status other than DEPRECATED. When p.Edited is
// set it must equal the stored edit time (ErrConflict otherwise), so a
// client that read the protocol does not overwrite a later edit unseen.
func (l *Library) UpdateProtocol(ctx context.Context, a Actor, p *protocol.Protocol) error {
	const op = "update protocol"
	return l.Store.InTx(ctx, func(ctx context.Context) error {
		old, err := l.Store.Protocol(ctx, p.ID)
		if err != nil {
			return storeErr(op, pxInput(p.ID), err)
		}
		if err := MayWriteProtocol(a, &old); err != nil {
			return withOp(op, err)
		}
		if old.Status == protocol.StatusDeprecated {
			return fail(op, pxInput(p.ID), "deleted (DEPRECATED) protocols are not edited", ErrConflict)
		}
		var prev time.Time
		if old.Edited != nil {
			prev = *old.Edited
		}
		if p.Edited != nil && !p.Edited.Equal(prev) {
			return fail(op, pxInput(p.ID), fmt.Sprintf("edited at %s since the copy edited at %s",
				prev.Format(time.RFC3339Nano), p.Edited.Format(time.RFC3339Nano)), ErrConflict)
		}
		if !p.Status.Valid() || p.Status == protocol.StatusDeprecated {
			return fail(op, "status", fmt.Sprintf("%q: not a status a protocol may be given", p.Status), ErrInvalid)
		}
		now := l.now()
		c := *p
		c.OwnerID, c.OwnerName, c.Created, c.Edited = old.OwnerID, old.OwnerName, old.Created, &now
		c.ShareAll, c.ShareClonable = old.ShareAll, old.ShareClonable
		withInstructions(&c)
		if err := l.validate(ctx, op, &c); err != nil {
			return err
		}
		if err := l.Store.UpdateProtocol(ctx, &c, prev); err != nil {
			return storeErr(op, pxInput(p.ID), err)
		}
		*p = c
		return nil
	})
}

// share returns the share of px to the actor, or nil.
func (l *Library) share(ctx context.Context, a Actor, p *protocol.Protocol) (*ProtocolShare, error) {
	if a.User.Type != VOR || p.OwnerID == int64(a.User.ID) {
		return nil, nil
	}
	ss, err := l.Store.Shares(ctx, ShareFilter{Owner: UserID(p.OwnerID), PxID: p.ID, To: a.User.ID})
	if err != nil || len(ss) == 0 {
		return nil, err
	}
	return &ss[0], nil
}

// Protocol reads protocol id, if the actor may read it (MayReadProtocol).
func (l *Library) Protocol(ctx context.Context, a Actor, id int64) (protocol.Protocol, error) {
	const op = "get protocol"
	if err := acting(a); err != nil {
		return protocol.Protocol{}, withOp(op, err)
	}
	p, err := l.Store.Protocol(ctx, id)
	if err != nil {
		return protocol.Protocol{}, storeErr(op, pxInput(id), err)
	}
	s, err := l.share(ctx, a, &p)
	if err != nil {
		return protocol.Protocol{}, storeErr(op, pxInput(id), err)
	}
	if err := MayReadProtocol(a, &p, s); err != nil {
		return protocol.Protocol{}, withOp(op, err)
	}
	return p, nil
}

// DeleteProtocol deletes protocol id as the VCPR does: its status becomes
// DEPRECATED and it leaves every list but its owner's when asked for
// DEPRECATED. The row stays, so its owner and the SAOR can still read it,
// and prescriptions keep their own snapshots. Its owner or the SAOR may.
// Deleting a deleted protocol changes nothing.
func (l *Library) DeleteProtocol(ctx context.Context, a Actor, id int64) error {
	const op = "delete protocol"
	return l.Store.InTx(ctx, func(ctx context.Context) error {
		p, err := l.Store.Protocol(ctx, id)
		if err != nil {
			return storeErr(op, pxInput(id), err)
		}
		if err := MayDeleteProtocol(a, &p); err != nil {
			return withOp(op, err)
		}
		if p.Status == protocol.StatusDeprecated {
			return nil
		}
		var prev time.Time
		if p.Edited != nil {
			prev = *p.Edited
		}
		now := l.now()
		p.Status, p.Edited, p.ShareAll = protocol.StatusDeprecated, &now, false
		return storeErr(op, pxInput(id), l.Store.UpdateProtocol(ctx, &p, prev))
	})
}

// ProtocolQuery selects and pages a VOR's protocols (getMyProtocols).
type ProtocolQuery struct {
	// Statuses keeps only these statuses; nil keeps all but DEPRECATED.
	Statuses []protocol.ProtocolStatus
	// Tags keeps protocols with at least one tag of these names; nil
	// keeps all.
	Tags []string
	// Offset skips that many; Limit 0 means no limit.
	Offset, Limit int
}

// MyProtocols lists the protocols the acting VOR owns or that were shared
// with it (getMyProtocols), by name, and the number of protocols that
// match before paging. The tag filter and paging run in memory: a VOR's
// protocols are counted in hundreds, not millions.
func (l *Library) MyProtocols(ctx context.Context, a Actor, q ProtocolQuery) ([]protocol.Protocol, int, error) {
	const op = "my protocols"
	if err := MayListProtocols(a); err != nil {
		return nil, 0, withOp(op, err)
	}
	ps, err := l.Store.Protocols(ctx, ProtocolFilter{Owner: a.User.ID, SharedTo: a.User.ID, Statuses: q.Statuses})
	if err != nil {
		return nil, 0, storeErr(op, userInput(a.User.ID), err)
	}
	if len(q.Tags) > 0 {
		ps = slices.DeleteFunc(ps, func(p protocol.Protocol) bool {
			return !slices.ContainsFunc(p.Tags, func(t protocol.Tag) bool { return slices.Contains(q.Tags, t.Name) })
		})
	}
	return page(ps, q.Offset, q.Limit), len(ps), nil
}

func page[T any](s []T, offset, limit int) []T {
	if offset > len(s) {
		offset = len(s)
	}
	s = s[max(offset, 0):]
	if limit > 0 && limit < len(s) {
		s = s[:limit]
	}
	return s
}

// LibraryProtocols lists the library (getLibraryProtocols): every
// protocol shared to all VORs and not deleted, by name.
func (l *Library) LibraryProtocols(ctx context.Context, a Actor) ([]protocol.Protocol, error) {
	const op = "library protocols"
	if err := MayListProtocols(a); err != nil {
		return nil, withOp(op, err)
	}
	ps, err := l.Store.Protocols(ctx, ProtocolFilter{ShareAll: true})
	return ps, storeErr(op, "library", err)
}

// LibraryStubs lists the stubs of the library's protocols
// (getLibraryPxes), as LibraryProtocols.
func (l *Library) LibraryStubs(ctx context.Context, a Actor) ([]Px, error) {
	ps, err := l.LibraryProtocols(ctx, a)
	return stubs(ps), withOp("library stubs", err)
}

// ExclusiveStubs lists the stubs of the protocols the acting VOR owns
// (getExclusivestubs), deleted ones excepted, by name.
func (l *Library) ExclusiveStubs(ctx context.Context, a Actor) ([]Px, error) {
	const op = "exclusive stubs"
	if err := MayListProtocols(a); err != nil {
		return nil, withOp(op, err)
	}
	ps, err := l.Store.Protocols(ctx, ProtocolFilter{Owner: a.User.ID})
	return stubs(ps), storeErr(op, userInput(a.User.ID), err)
}

func stubs(ps []protocol.Protocol) []Px {
	out := make([]Px, len(ps))
	for i := range ps {
		out[i] = StubOf(&ps[i])
	}
	return out
}

// Share shares a protocol of the acting VOR with another VOR, or changes
// whether an existing share is clonable; it reports whether the share is
// new. The recipient must be a VOR other than the owner.
func (l *Library) Share(ctx context.Context, a Actor, s ProtocolShare) (bool, error) {
	const op = "share protocol"
	var created bool
	err := l.Store.InTx(ctx, func(ctx context.Context) error {
		p, err := l.Store.Protocol(ctx, s.PxID)
		if err != nil {
			return storeErr(op, pxInput(s.PxID), err)
		}
		to, err := l.Store.User(ctx, s.ShareTo)
		if err != nil {
			return storeErr(op, userInput(s.ShareTo), err)
		}
		if err := MayShareProtocol(a, &p, to); err != nil {
			return withOp(op, err)
		}
		if p.Status == protocol.StatusDeprecated {
			return fail(op, pxInput(p.ID), "deleted (DEPRECATED) protocols are not shared", ErrConflict)
		}
		created, err = l.Store.PutShare(ctx, s)
		return storeErr(op, pxInput(s.PxID), err)
	})
	return created, err
}

// Shares lists the shares of the acting VOR's protocols, only of protocol
// px and to VOR to when those are not zero (getMyProtocolShares).
func (l *Library) Shares(ctx context.Context, a Actor, px int64, to UserID) ([]ProtocolShare, error) {
	const op = "protocol shares"
	if err := MayListProtocols(a); err != nil {
		return nil, withOp(op, err)
	}
	ss, err := l.Store.Shares(ctx, ShareFilter{Owner: a.User.ID, PxID: px, To: to})
	return ss, storeErr(op, userInput(a.User.ID), err)
}

// Unshare deletes the share of protocol px with VOR to: the owner may.
func (l *Library) Unshare(ctx context.Context, a Actor, px int64, to UserID) error {
	const op = "unshare protocol"
	return l.Store.InTx(ctx, func(ctx context.Context) error {
		p, err := l.Store.Protocol(ctx, px)
		if err != nil {
			return storeErr(op, pxInput(px), err)
		}
		if err := MayWriteProtocol(a, &p); err != nil {
			return withOp(op, err)
		}
		return storeErr(op, fmt.Sprintf("share of protocol %d to user %d", px, to), l.Store.DeleteShare(ctx, px, to))
	})
}

// ShareToAll puts protocol px of the acting VOR in the library, for every
// VOR to read, and to clone when clonable (shareToAll).
func (l *Library) ShareToAll(ctx context.Context, a Actor, px int64, clonable bool) error {
	return l.setShareAll(ctx, a, "share to all", px, true, clonable)
}

// UnshareToAll takes protocol px of the acting VOR out of the library
// (unShareToAll). Prescriptions already written from it are unaffected.
func (l *Library) UnshareToAll(ctx context.Context, a Actor, px int64) error {
	return l.setShareAll(ctx, a, "unshare to all", px, false, false)
}

func (l *Library) setShareAll(ctx context.Context, a Actor, op string, px int64, all, clonable bool) error {
	return l.Store.InTx(ctx, func(ctx context.Context) error {
		p, err := l.Store.Protocol(ctx, px)
		if err != nil {
			return storeErr(op, pxInput(px), err)
		}
		if err := MayWriteProtocol(a, &p); err != nil {
			return withOp(op, err)
		}
		if all && p.Status == protocol.StatusDeprecated {
			return fail(op, pxInput(px), "deleted (DEPRECATED) protocols are not shared", ErrConflict)
		}
		if p.ShareAll == all && p.ShareClonable == clonable {
			return nil
		}
		var prev time.Time
		if p.Edited != nil {
			prev = *p.Edited
		}
		now := l.now()
		p.ShareAll, p.ShareClonable, p.Edited = all, clonable, &now
		return storeErr(op, pxInput(px), l.Store.UpdateProtocol(ctx, &p, prev))
	})
}

// SharedToAll lists the acting VOR's protocols in the library
// (getSharesToAll), by name.
func (l *Library) SharedToAll(ctx context.Context, a Actor) ([]SharedToAll, error) {
	const op = "shares to all"
	if err := MayListProtocols(a); err != nil {
		return nil, withOp(op, err)
	}
	ps, err := l.Store.Protocols(ctx, ProtocolFilter{Owner: a.User.ID})
	if err != nil {
		return nil, storeErr(op, userInput(a.User.ID), err)
	}
	out := []SharedToAll{}
	for _, p := range ps {
		if p.ShareAll {
			out = append(out, SharedToAll{PxID: p.ID, Name: p.Name, Clonable: p.ShareClonable})
		}
	}
	return out, nil
}

// Clone copies protocol id into a new protocol of the acting VOR, if it
// may clone it (MayCloneProtocol): a protocol of its own, one shared
// with it as clonable, or one in the library as clonable. The copy is
// validated and stored as CreateProtocol does, named as the original.
func (l *Library) Clone(ctx context.Context, a Actor, id int64) (protocol.Protocol, error) {
	const op = "clone protocol"
	var c protocol.Protocol
	err := l.Store.InTx(ctx, func(ctx context.Context) error {
		if err := acting(a); err != nil {
			return withOp(op, err)
		}
		p, err := l.Store.Protocol(ctx, id)
		if err != nil {
			return storeErr(op, pxInput(id), err)
		}
		s, err := l.share(ctx, a, &p)
		if err != nil {
			return storeErr(op, pxInput(id), err)
		}
		if err := MayCloneProtocol(a, &p, s); err != nil {
			return withOp(op, err)
		}
		c = p
		return withOp(op, l.CreateProtocol(ctx, a, &c))
	})
	return c, err
}

// ---- reference data

func refInput(what string, id int64) string { return fmt.Sprintf("%s %d", what, id) }

// maxTagName is the longest tag name protocol.Validate accepts.
const maxTagName = 15

// CreateTag records a tag (createTag): the SAOR curates tags, which every
// protocol may use. Names are 1 to 15 characters and unique.
func (l *Library) CreateTag(ctx context.Context, a Actor, t *protocol.Tag) error {
	const op = "create tag"
	if err := MayCurate(a); err != nil {
		return withOp(op, err)
	}
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" || len([]rune(t.Name)) > maxTagName {
		return fail(op, "name", fmt.Sprintf("%q: must be 1 to %d characters", t.Name, maxTagName), ErrInvalid)
	}
	return storeErr(op, "tag "+t.Name, l.Store.CreateTag(ctx, t))
}

// Tags lists every tag (getProtocolTags).
func (l *Library) Tags(ctx context.Context, a Actor) ([]protocol.Tag, error) {
	if err := MayReadCatalog(a); err != nil {
		return nil, withOp("tags", err)
	}
	ts, err := l.Store.Tags(ctx)
	return ts, storeErr("tags", "", err)
}

// DeleteTag deletes a tag (deleteTag). Protocols that carry it keep their
// copy.
func (l *Library) DeleteTag(ctx context.Context, a Actor, id int64) error {
	if err := MayCurate(a); err != nil {
		return withOp("delete tag", err)
	}
	return storeErr("delete tag", refInput("tag", id), l.Store.DeleteTag(ctx, id))
}

// CreateDiagnosis records a diagnosis (createDiagnosis); the SAOR may.
func (l *Library) CreateDiagnosis(ctx context.Context, a Actor, d *protocol.Diagnosis) error {
	const op = "create diagnosis"
	if err := MayCurate(a); err != nil {
		return withOp(op, err)
	}
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" {
		return fail(op, "name", "required", ErrInvalid)
	}
	return storeErr(op, "diagnosis "+d.Name, l.Store.CreateDiagnosis(ctx, d))
}

// Diagnoses lists every diagnosis (getDiagnoses).
func (l *Library) Diagnoses(ctx context.Context, a Actor) ([]protocol.Diagnosis, error) {
	if err := MayReadCatalog(a); err != nil {
		return nil, withOp("diagnoses", err)
	}
	ds, err := l.Store.Diagnoses(ctx)
	return ds, storeErr("diagnoses", "", err)
}

// DeleteDiagnosis deletes a diagnosis (deleteDiagnosis); the SAOR may.
func (l *Library) DeleteDiagnosis(ctx context.Context, a Actor, id int64) error {
	if err := MayCurate(a); err != nil {
		return withOp("delete diagnosis", err)
	}
	return storeErr("delete diagnosis", refInput("diagnosis", id), l.Store.DeleteDiagnosis(ctx, id))
}

// CreateEligibility records an eligibility (createEligibility); the SAOR
// may. Its fdaSpecies must be one of the FDA classes.
func (l *Library) CreateEligibility(ctx context.Context, a Actor, e *protocol.Eligibility) error {
	const op = "create eligibility"
	if err := MayCurate(a); err != nil {
		return withOp(op, err)
	}
	e.Name = strings.TrimSpace(e.Name)
	if e.Name == "" {
		return fail(op, "name", "required", ErrInvalid)
	}
	if !e.FDASpecies.Valid() {
		return fail(op, "fdaSpecies", fmt.Sprintf("%q: not an FDA class", e.FDASpecies), ErrInvalid)
	}
	return storeErr(op, "eligibility "+e.Name, l.Store.CreateEligibility(ctx, e))
}

// Eligibilities lists every eligibility (getEligibilities).
func (l *Library) Eligibilities(ctx context.Context, a Actor) ([]protocol.Eligibility, error) {
	if err := MayReadCatalog(a); err != nil {
		return nil, withOp("eligibilities", err)
	}
	es, err := l.Store.Eligibilities(ctx)
	return es, storeErr("eligibilities", "", err)
}

// DeleteEligibility deletes an eligibility (deleteEligibility); the SAOR
// may.
func (l *Library) DeleteEligibility(ctx context.Context, a Actor, id int64) error {
	if err := MayCurate(a); err != nil {
		return withOp("delete eligibility", err)
	}
	return storeErr("delete eligibility", refInput("eligibility", id), l.Store.DeleteEligibility(ctx, id))
}

// FDASpecies lists the FDA classes an eligibility may name
// (getExFDASpecies), in the order of the VCPR enumeration.
func (l *Library) FDASpecies(ctx context.Context, a Actor) ([]protocol.Species, error) {
	if err := MayReadCatalog(a); err != nil {
		return nil, withOp("fda species", err)
	}
	return slices.Clone(fdaSpecies), nil
}

// fdaSpecies is the VCPR FDASpecies enumeration (vcpr-openapi.yaml,
// components/schemas/FDASpecies), without the "Other" and "Unidentified"
// markers protocol adds for data it cannot classify.
var fdaSpecies = []protocol.Species{
	protocol.BeefCattle, protocol.Calves, protocol.CalvesNotVeal, protocol.Cats, protocol.Chickens,
	protocol.ChickensBroilers, protocol.ChickensNotLaying, protocol.ChickensReplacements,
	protocol.DairyCalves, protocol.DairyHeifers, protocol.DairyCattle, protocol.DairyCattleNonLactating,
	protocol.Dogs, protocol.Fish, protocol.Goats, protocol.Horses, protocol.Sheep, protocol.Swine,
	protocol.SwineBreeding, protocol.Turkeys, protocol.TurkeysGrowing, protocol.TurkeysMeatProducing,
	protocol.TurkeysNotLaying, protocol.Catfish, protocol.Gamebirds, protocol.Llamas, protocol.Salmon,
	protocol.Emus, protocol.Bison,
}

// minPromiseName is the shortest promise name protocol.Validate accepts.
const minPromiseName = 8

func (l *Library) createPromise(ctx context.Context, op string, p *protocol.Promise) error {
	if !p.Kind.Valid() {
		return fail(op, "_type", fmt.Sprintf("%q: not a promise kind", p.Kind), ErrInvalid)
	}
	if len([]rune(strings.TrimSpace(p.Name))) < minPromiseName {
		return fail(op, "name", fmt.Sprintf("%q: must be at least %d characters", p.Name, minPromiseName), ErrInvalid)
	}
	return storeErr(op, "promise "+p.Name, l.Store.CreatePromise(ctx, p))
}

// CreatePublicPromise records a promise every VOR may use
// (createPublicPromise); the SAOR may. Its ownerId is cleared.
func (l *Library) CreatePublicPromise(ctx context.Context, a Actor, p *protocol.Promise) error {
	const op = "create public promise"
	if err := MayCurate(a); err != nil {
		return withOp(op, err)
	}
	p.OwnerID = nil
	return l.createPromise(ctx, op, p)
}

// CreatePrivatePromise records a promise only the acting VOR may use
// (createPrivatePromise); its ownerId becomes the actor.
func (l *Library) CreatePrivatePromise(ctx context.Context, a Actor, p *protocol.Promise) error {
	const op = "create private promise"
	if err := MayCreateProtocol(a); err != nil {
		return withOp(op, err)
	}
	owner := int64(a.User.ID)
	p.OwnerID = &owner
	return l.createPromise(ctx, op, p)
}

// Promises lists the public promises and the acting VOR's own
// (getPromisess); the SAOR and other users see the public ones.
func (l *Library) Promises(ctx context.Context, a Actor) ([]protocol.Promise, error) {
	if err := MayReadCatalog(a); err != nil {
		return nil, withOp("promises", err)
	}
	var owner UserID
	if a.User.Type == VOR {
		owner = a.User.ID
	}
	ps, err := l.Store.Promises(ctx, owner)
	return ps, storeErr("promises", "", err)
}

// Promise reads one promise (getPromise), if the actor may (MayReadPromise).
func (l *Library) Promise(ctx context.Context, a Actor, id int64) (protocol.Promise, error) {
	const op = "get promise"
	if err := acting(a); err != nil {
		return protocol.Promise{}, withOp(op, err)
	}
	p, err := l.Store.Promise(ctx, id)
	if err != nil {
		return protocol.Promise{}, storeErr(op, refInput("promise", id), err)
	}
	if err := MayReadPromise(a, &p); err != nil {
		return protocol.Promise{}, withOp(op, err)
	}
	return p, nil
}

// checkLabel checks what a label claim needs to be used by Validate and
// Classify: a product, a route, known FDA classes, and withdrawal hours in
// [0, 87600] (ten years, protocol.Validate's bound).
func checkLabel(op string, c *protocol.LabelClaim) error {
	switch {
	case strings.TrimSpace(c.Product) == "":
		return fail(op, "product", "required", ErrInvalid)
	case strings.TrimSpace(c.Route) == "":
		return fail(op, "route", "required", ErrInvalid)
	case len(c.FDASpecies) == 0:
		return fail(op, "fdaSpecies", "at least one FDA class is required", ErrInvalid)
	}
	for _, s := range c.FDASpecies {
		if !s.Valid() {
			return fail(op, "fdaSpecies", fmt.Sprintf("%q: not an FDA class", s), ErrInvalid)
		}
	}
	limit := protocol.Int(87600)
	for name, h := range map[string]protocol.Number{"wtMeatHrs": c.WtMeatHrs, "wtMilkHrs": c.WtMilkHrs} {
		if h.Sign() < 0 || h.Cmp(limit) > 0 {
			return fail(op, name, fmt.Sprintf("%s: must be between 0 and 87600", h), ErrInvalid)
		}
	}
	return nil
}

// CreateLabelClaim records a label claim (createLabelClaim); the SAOR may.
// Protocols validated afterwards are checked against it.
func (l *Library) CreateLabelClaim(ctx context.Context, a Actor, c *protocol.LabelClaim) error {
	const op = "create label claim"
	if err := MayCurate(a); err != nil {
		return withOp(op, err)
	}
	if err := checkLabel(op, c); err != nil {
		return err
	}
	return storeErr(op, "label claim", l.Store.CreateLabelClaim(ctx, c))
}

// UpdateLabelClaim writes c over label claim c.ID (updateLabelClaim); the
// SAOR may. Prescriptions keep the withdrawal they were written with.
func (l *Library) UpdateLabelClaim(ctx context.Context, a Actor, c *protocol.LabelClaim) error {
	const op = "update label claim"
	if err := MayCurate(a); err != nil {
		return withOp(op, err)
	}
	if err := checkLabel(op, c); err != nil {
		return err
	}
	return storeErr(op, refInput("label claim", c.ID), l.Store.UpdateLabelClaim(ctx, c))
}

// LabelClaim reads one label claim (getLabel).
func (l *Library) LabelClaim(ctx context.Context, a Actor, id int64) (protocol.LabelClaim, error) {
	if err := MayReadCatalog(a); err != nil {
		return protocol.LabelClaim{}, withOp("get label claim", err)
	}
	c, err := l.Store.LabelClaim(ctx, id)
	return c, storeErr("get label claim", refInput("label claim", id), err)
}

// LabelClaims lists every label claim (getLabels).
func (l *Library) LabelClaims(ctx context.Context, a Actor) ([]protocol.LabelClaim, error) {
	if err := MayReadCatalog(a); err != nil {
		return nil, withOp("label claims", err)
	}
	cs, err := l.Store.LabelClaims(ctx)
	return cs, storeErr("label claims", "", err)
}

// PutGreenbookDrug creates or replaces a Green Book drug
// (updateGreenbookDrugs); the SAOR may. The NDC must be "labeler-product"
// digits, the FDA's product code without its package section.
func (l *Library) PutGreenbookDrug(ctx context.Context, a Actor, d GreenbookDrug) error {
	const op = "put greenbook drug"
	if err := MayCurate(a); err != nil {
		return withOp(op, err)
	}
	if !validNDC(d.NDC) {
		return fail(op, "ndc", fmt.Sprintf("%q: must be labeler-product digits, such as 0010-3495", d.NDC), ErrInvalid)
	}
	if strings.TrimSpace(d.Proprietary) == "" {
		return fail(op, "proprietary", "required", ErrInvalid)
	}
	d.LastChanged = d.LastChanged.UTC()
	return storeErr(op, "ndc "+d.NDC, l.Store.PutGreenbookDrug(ctx, d))
}

// validNDC reports whether s is an NDC product code: two hyphen-separated
// sections of digits (labeler 4-5, product 3-4; 21 CFR 207.33).
func validNDC(s string) bool {
	lab, prod, ok := strings.Cut(s, "-")
	digits := func(s string, lo, hi int) bool {
		return len(s) >= lo && len(s) <= hi && strings.Trim(s, "0123456789") == ""
	}
	return ok && digits(lab, 4, 5) && digits(prod, 3, 4)
}

// GreenbookDrug reads a Green Book drug by NDC (getGreenbookDrug,
// getGbdHeaderByNDC). The Green Book is public FDA data: any user may.
func (l *Library) GreenbookDrug(ctx context.Context, a Actor, ndc string) (GreenbookDrug, error) {
	if err := MayReadCatalog(a); err != nil {
		return GreenbookDrug{}, withOp("get greenbook drug", err)
	}
	d, err := l.Store.GreenbookDrug(ctx, ndc)
	return d, storeErr("get greenbook drug", "ndc "+ndc, err)
}

// GreenbookDrugs lists the Green Book drugs q selects (getGreenbookDrugs).
func (l *Library) GreenbookDrugs(ctx context.Context, a Actor, q GreenbookQuery) ([]GreenbookDrug, error) {
	if err := MayReadCatalog(a); err != nil {
		return nil, withOp("greenbook drugs", err)
	}
	ds, err := l.Store.GreenbookDrugs(ctx, q)
	return ds, storeErr("greenbook drugs", "", err)
}
