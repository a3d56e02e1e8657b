package rx

import (
	"context"
	"time"
)

// Store is the durable state rx needs, in rx's words. Package store
// implements it on SQLite and PostgreSQL (store.DB.Rx); rxtest.TestStore is
// its conformance suite.
//
// Every method joins the transaction its context carries (InTx). Errors
// that mean something to rx wrap ErrNotFound or ErrConflict; others are
// returned as they are.
type Store interface {
	// InTx runs fn in one transaction: everything fn does through the
	// store commits together or not at all. Called with a context already
	// in a transaction, it nests (a savepoint).
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	// CreateUser stores u and sets u.ID and u.Created. ErrConflict when
	// the uname is taken.
	CreateUser(ctx context.Context, u *User) error
	// User reads a user; ErrNotFound when there is none.
	User(ctx context.Context, id UserID) (User, error)
	// UpdateUser writes u's type and names over the stored user.
	UpdateUser(ctx context.Context, u User) error
	// DeleteUser deletes a user and every relation involving it.
	DeleteUser(ctx context.Context, id UserID) error
	// AddRelation stores r; ErrConflict when it exists.
	AddRelation(ctx context.Context, r Relation) error
	// Relations lists the relations in which id is left or right.
	Relations(ctx context.Context, id UserID) ([]Relation, error)

	// CreatePrescription stores p (its ID is set by the caller) with
	// Version 1. ErrConflict when the ID exists.
	CreatePrescription(ctx context.Context, p *Prescription) error
	// Prescription reads one; ErrNotFound when there is none. With lock,
	// inside a transaction, the row stays locked against other writers
	// until the transaction ends.
	Prescription(ctx context.Context, id string, lock bool) (Prescription, error)
	// UpdatePrescription writes Status, FillsUsed and Metadata — never the
	// protocol snapshot, parties, refills or expiration — if the stored
	// version is still p.Version, and advances p.Version. ErrConflict
	// when another write came first.
	UpdatePrescription(ctx context.Context, p *Prescription) error
	// Prescriptions lists prescriptions by VOR and/or to MOR (zero means
	// any), newest first.
	Prescriptions(ctx context.Context, vor, mor UserID) ([]Prescription, error)

	// CreateCase stores c (with its Members and IdempotencyKey) and its
	// tasks, setting their IDs, CaseID and c.ID. ErrConflict when c carries
	// an IdempotencyKey that a case of the same MOR enrolled by the same
	// user already has.
	CreateCase(ctx context.Context, c *Case, tasks []Task) error
	// CaseByKey reads the case of MOR mor that user by enrolled with
	// idempotency key key (see CreateCase); ErrNotFound when there is none.
	CaseByKey(ctx context.Context, mor, by UserID, key string) (Case, error)
	// OpenCases lists the cases of prescription rxID, with their Members,
	// that have a dose task still REQUIRED, in enrollment order. It reads
	// the index of pending tasks, so it costs the open cases, not the
	// history.
	OpenCases(ctx context.Context, rxID string) ([]Case, error)
	// Case reads a case; ErrNotFound when there is none. With lock, as
	// for Prescription.
	Case(ctx context.Context, id int64, lock bool) (Case, error)
	// Cases lists the cases of a prescription in enrollment order.
	Cases(ctx context.Context, rxID string) ([]Case, error)
	// Tasks lists a case's tasks by doAt, then ID.
	Tasks(ctx context.Context, caseID int64) ([]Task, error)
	// Task reads one task; ErrNotFound when there is none.
	Task(ctx context.Context, id int64) (Task, error)
	// FinishTask records the end of a REQUIRED task: t.Status (EXECUTED
	// or CANCELLED), DoneAt, DoneBy, RecordedAt, Note and Data. It is a
	// conditional write: ErrConflict when the task is no longer
	// REQUIRED, so a task is executed once however many try at once.
	FinishTask(ctx context.Context, t *Task) error
	// RecallTasks marks RECALLED every REQUIRED task of the
	// prescription's cases, recording at, and returns the IDs of the
	// cases that had any.
	RecallTasks(ctx context.Context, rxID string, at time.Time) ([]int64, error)

	// PutWithhold creates or replaces the withhold of w.CaseID, setting
	// w.ID.
	PutWithhold(ctx context.Context, w *Withhold) error
	// Withhold reads the withhold of a case; ErrNotFound when none.
	Withhold(ctx context.Context, caseID int64) (Withhold, error)

	// DueTasks lists the REQUIRED tasks (Rule left empty) of MOR mor with doAt before
	// before, by doAt: a farm's work up to the end of today, overdue
	// tasks included. It must read an index of pending tasks, so it costs
	// the size of the answer, not of the history.
	DueTasks(ctx context.Context, mor UserID, before time.Time) ([]Task, error)
	// Withholds lists the withholds of MOR mor whose later release is
	// after at, and those of cases with a dose still to be given that was
	// planned at or before at (their release may have moved: see
	// [Withhold.AsOf]), by release. Index-backed like DueTasks.
	Withholds(ctx context.Context, mor UserID, at time.Time) ([]Withhold, error)
	// AnimalWithholds lists the withholds of one animal (or group ID) of
	// MOR mor whose later release is after at, and those of its cases with
	// a dose still to be given. The animal's cases include the group cases
	// that list it among their Members.
	AnimalWithholds(ctx context.Context, mor UserID, animal string, at time.Time) ([]Withhold, error)
	// Herd lists, in one query, every animal of MOR mor with the withholds
	// AnimalWithholds would return for it at at. The animals of a farm are
	// the IDs its cases name: the animal of each one-animal case, the
	// members of each group case, and the group ID of a group case that
	// lists none. Order is unspecified.
	Herd(ctx context.Context, mor UserID, at time.Time) ([]HerdAnimal, error)
	// AddEvent records an event on an animal (or group ID) of MOR mor.
	AddEvent(ctx context.Context, e *Event) error
	// Events lists the events recorded on an animal of MOR mor, by time.
	Events(ctx context.Context, mor UserID, animal string) ([]Event, error)

	// ExecutedDoses lists MOR mor's executed dose tasks (Rule left empty) given in
	// [from, to), by time given.
	ExecutedDoses(ctx context.Context, mor UserID, from, to time.Time) ([]Task, error)

	// Users lists the users whose type is one of types, by last name,
	// first name, then ID (the directory of rx/service_directory.go).
	Users(ctx context.Context, types []UserType) ([]User, error)
}

// HerdAnimal is one animal of a farm with the withholds that may hold it
// at the time asked (Store.Herd): its own cases' and those of the group
// cases listing it.
type HerdAnimal struct {
	AnimalID  string
	Withholds []Withhold
}
