package rx

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

// TaskKind is the VCPR AnimalTask discriminator.
type TaskKind string

// The task kinds.
const (
	DoseTaskKind    TaskKind = "models.DoseTask"
	PromiseTaskKind TaskKind = "models.PTask"
)

// TaskStatus is a VCPR TaskStatus.
//
// The store keeps four: REQUIRED (not done yet), EXECUTED, CANCELLED (the
// farm skipped it) and RECALLED (its prescription was recalled or declined
// before it was done). DUE and OVERDUE are never stored: a REQUIRED task is
// DUE from its doAt and OVERDUE once the grace period after doAt has passed,
// computed when it is read (Task.StatusAt), so no job must run at midnight.
type TaskStatus string

// The task statuses vetlink uses (SUGGESTED, OPTIONAL, REJECTED and UNKNOWN
// of the VCPR enum are never produced).
const (
	TaskRequired  TaskStatus = "REQUIRED"
	TaskDue       TaskStatus = "DUE"
	TaskOverdue   TaskStatus = "OVERDUE"
	TaskExecuted  TaskStatus = "EXECUTED"
	TaskCancelled TaskStatus = "CANCELLED"
	TaskRecalled  TaskStatus = "RECALLED"
)

// Pending reports whether a task in status s is still to be done.
func (s TaskStatus) Pending() bool {
	return s == TaskRequired || s == TaskDue || s == TaskOverdue
}

// DefaultGrace is the grace period after doAt before a task is OVERDUE,
// when Service.Grace is zero.
const DefaultGrace = 4 * time.Hour

// Task is a DoseTask or a PTask of a case (VCPR AnimalTask). Kind tells
// which; the dose members are set for doses, the promise members for
// promises.
type Task struct {
	Kind     TaskKind   `json:"_type"`
	ID       int64      `json:"id"`
	CaseID   int64      `json:"caseId"`
	MOR      UserID     `json:"morId"`
	VOR      UserID     `json:"vorId"`
	AnimalID string     `json:"animalId,omitempty"`
	DoAt     time.Time  `json:"doAt"`
	Executor UserID     `json:"executor,omitempty"`
	Status   TaskStatus `json:"status"`

	// Dose tasks: Treatment indexes Protocol.Treatments, Seq numbers the
	// treatment's doses from 1.
	Product   string            `json:"product,omitempty"`
	Route     string            `json:"route,omitempty"`
	Dose      protocol.Quantity `json:"-"`
	Volume    protocol.Quantity `json:"-"`
	Treatment int               `json:"treatment"`
	Seq       int               `json:"seq,omitempty"`
	// Rule is the dose's withdrawal rule, fixed at enrollment (treatment
	// and protocol hours plus any product terms), from which the withhold
	// is recomputed when the dose is given or skipped.
	Rule protocol.WithdrawalRule `json:"-"`

	// Promise tasks: Promise indexes Protocol.Promises; PromID is the
	// promise's own ID.
	Promise     int                  `json:"promise"`
	PromID      int64                `json:"promId"`
	PromiseName string               `json:"promiseName,omitempty"`
	PromiseKind protocol.PromiseKind `json:"promiseKind,omitempty"`
	Data        *PData               `json:"data,omitempty"`

	// Execution: who executed (or cancelled) the task and when it
	// actually happened, and the reason or remark.
	RxID       string    `json:"rxId,omitempty"`
	DoneAt     time.Time `json:"doneAt,omitzero"`
	DoneBy     UserID    `json:"doneBy,omitempty"`
	RecordedAt time.Time `json:"recordedAt,omitzero"`
	Note       string    `json:"note,omitempty"`
}

// StatusAt is the task's status at now: a REQUIRED task becomes DUE at its
// doAt and OVERDUE after doAt+grace; other statuses are returned as
// stored.
func (t *Task) StatusAt(now time.Time, grace time.Duration) TaskStatus {
	if !t.Status.Pending() {
		return t.Status
	}
	switch {
	case now.Before(t.DoAt):
		return TaskRequired
	case now.Before(t.DoAt.Add(grace)):
		return TaskDue
	}
	return TaskOverdue
}

// Delay is how late (positive) or early (negative) an executed task was
// done relative to its doAt; zero for tasks not executed.
func (t *Task) Delay() time.Duration {
	if t.Status != TaskExecuted {
		return 0
	}
	return t.DoneAt.Sub(t.DoAt)
}

// taskWire adds the dose members that need the protocol's wire forms.
type taskWire struct {
	WireDose   *protocol.DrugQuantity `json:"dose,omitempty"`
	WireVolume *protocol.DrugQuantity `json:"volume,omitempty"`
}

// MarshalJSON writes the VCPR DoseTask or PTask with vetlink's members.
func (t Task) MarshalJSON() ([]byte, error) {
	type plain Task
	v := struct {
		plain
		taskWire
	}{plain: plain(t)}
	if !t.Dose.IsZero() {
		v.WireDose = &protocol.DrugQuantity{Quantity: t.Dose}
	}
	if !t.Volume.IsZero() {
		v.WireVolume = &protocol.DrugQuantity{Quantity: t.Volume}
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads a VCPR DoseTask or PTask (by "_type"; a lower-case
// "models.Ptask" is accepted).
func (t *Task) UnmarshalJSON(b []byte) error {
	type plain Task
	var v struct {
		plain
		taskWire
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = Task(v.plain)
	switch t.Kind {
	case DoseTaskKind, PromiseTaskKind:
	case "models.Ptask":
		t.Kind = PromiseTaskKind
	default:
		return fmt.Errorf("rx: task _type %q: want %s or %s", t.Kind, DoseTaskKind, PromiseTaskKind)
	}
	if v.WireDose != nil {
		t.Dose = v.WireDose.Quantity
	}
	if v.WireVolume != nil {
		t.Volume = v.WireVolume.Quantity
	}
	return nil
}
