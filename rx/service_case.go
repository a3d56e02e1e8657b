package rx

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

// EnrollRequest is a case to enroll under a prescription (the VCPR Case a
// farm posts, with what eligibility and dosing need besides).
type EnrollRequest struct {
	RxID string
	// AnimalID names the animal, or the group for a group case.
	AnimalID string
	// Head is the number of animals in the case; zero means one, or
	// len(Members) when Members are given.
	Head int
	// Members are the IDs of the animals of a group case, when the farm
	// knows them. A clearance for any of them then finds the group's
	// withhold (see Service.Clear). When given, Head must be zero or
	// len(Members); IDs must be distinct and differ from AnimalID.
	Members []string
	// Initiation is when the case starts; every task counts from it.
	Initiation time.Time
	// Data is the VCPR case data (weight, preferred dose…); nil is NoData.
	Data protocol.CaseData
	// Animal is the animal's FDA class, sex and birth date, checked
	// against the protocol's eligibilities.
	Animal protocol.Animal
	Note   string
	// Products are concentrations, site limits and extra withdrawal terms
	// of the products used, keyed by Treatment.Product (optional).
	Products map[string]protocol.Product
	// Executor assigns every task to a TOR employed by the MOR; zero
	// leaves them to anyone on the farm.
	Executor UserID
}

// MaxMembers bounds the animals listed in one group case.
const MaxMembers = 10000

// checkMembers trims the member IDs of a group case and checks them: each
// present, at most 64 characters, distinct, and not the group's own ID.
func checkMembers(group string, members []string) ([]string, error) {
	if len(members) == 0 {
		return nil, nil
	}
	if len(members) > MaxMembers {
		return nil, fail("", fmt.Sprintf("members (%d)", len(members)), fmt.Sprintf("at most %d animals per case", MaxMembers), ErrInvalid)
	}
	out := make([]string, len(members))
	seen := make(map[string]bool, len(members))
	for i, m := range members {
		m = strings.TrimSpace(m)
		input := fmt.Sprintf("members[%d]", i)
		switch {
		case m == "":
			return nil, fail("", input, "is empty", ErrInvalid)
		case len(m) > 64:
			return nil, fail("", input+" "+quote(m), "must be at most 64 characters", ErrInvalid)
		case m == group:
			return nil, fail("", input+" "+quote(m), "is the group's own animalId", ErrInvalid)
		case seen[m]:
			return nil, fail("", input+" "+quote(m), "is listed twice", ErrInvalid)
		}
		seen[m] = true
		out[i] = m
	}
	return out, nil
}

// MaxFuture bounds how far ahead of now a case may be initiated.
const MaxFuture = 30 * 24 * time.Hour

// Enroll enrolls a case under prescription req.RxID, in one transaction:
// the case, a DoseTask per planned dose (product, route, dose from the
// size function, doAt from the sequence function), a PTask per promise
// (doAt = initiation + when), and the withhold computed by
// protocol.Withdrawal. It uses one fill of the prescription and moves it
// to INITIATED.
//
// Checked first, in this order, each failing with nothing written: the
// input's form (ErrInvalid), the prescription (ErrNotFound), the actor
// (MayEnroll), the prescription's status, expiry and fills (Usable:
// ErrRecalled, ErrDeclined, ErrNotActive, ErrExpired, ErrUsedUp), the
// protocol's case definition and eligibility, and the plan (ErrInvalid
// wrapping the protocol's error). The prescription row is locked for the
// whole write, so concurrent enrollments never use one fill twice.
func (s *Service) Enroll(ctx context.Context, a Actor, req EnrollRequest) (CaseHx, error) {
	const op = "enroll"
	now := s.now()
	req.AnimalID = strings.TrimSpace(req.AnimalID)
	switch {
	case req.AnimalID == "":
		return CaseHx{}, fail(op, "animalId", "is required", ErrInvalid)
	case len(req.AnimalID) > 64:
		return CaseHx{}, fail(op, "animalId "+quote(req.AnimalID), "must be at most 64 characters", ErrInvalid)
	case req.Initiation.IsZero():
		return CaseHx{}, fail(op, "initiationTime", "is required", ErrInvalid)
	case req.Initiation.After(now.Add(MaxFuture)):
		return CaseHx{}, fail(op, "initiationTime "+req.Initiation.UTC().Format(time.RFC3339), "more than 30 days ahead", ErrInvalid)
	case req.Head < 0:
		return CaseHx{}, fail(op, fmt.Sprintf("head %d", req.Head), "must not be negative", ErrInvalid)
	}
	if err := CheckID(req.RxID); err != nil {
		return CaseHx{}, withOp(op, err)
	}
	if req.Data == nil {
		req.Data = &protocol.NoData{}
	}
	members, err := checkMembers(req.AnimalID, req.Members)
	if err != nil {
		return CaseHx{}, withOp(op, err)
	}
	switch {
	case len(members) > 0 && req.Head != 0 && req.Head != len(members):
		return CaseHx{}, fail(op, fmt.Sprintf("head %d", req.Head), fmt.Sprintf("%d members are listed", len(members)), ErrInvalid)
	case len(members) > 0:
		req.Head = len(members)
	case req.Head == 0:
		req.Head = 1
	}
	var hx CaseHx
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		p, err := s.Store.Prescription(ctx, req.RxID, true)
		if err != nil {
			return storeErr(op, rxInput(req.RxID), err)
		}
		if err := MayEnroll(a, &p); err != nil {
			return withOp(op, err)
		}
		if err := p.Usable(now); err != nil {
			return withOp(op, err)
		}
		// The case definition's requireMOR is an authorization rule
		// (MayEnroll); requireID asks for one identified animal per case.
		if cd := p.Protocol.CaseDefinition; cd != nil && cd.RequireID && req.Head > 1 {
			return fail(op, fmt.Sprintf("head %d", req.Head), "the protocol's case definition requires one identified animal per case", ErrInvalid)
		}
		if req.Initiation.Before(p.Created) {
			return fail(op, "initiationTime "+req.Initiation.UTC().Format(time.RFC3339), "before the prescription was written", ErrInvalid)
		}
		if err := protocol.CheckEligibility(&p.Protocol, req.Animal); err != nil {
			return invalid(op, "animal "+quote(req.AnimalID), err)
		}
		if why := prohibitedUse(&p.Protocol, s.Labels, &req.Animal, req.Initiation); why != "" {
			return fail(op, "animal "+quote(req.AnimalID), why, ErrProhibited)
		}
		if req.Executor != 0 {
			if err := s.checkExecutor(ctx, p.MOR, req.Executor); err != nil {
				return withOp(op, err)
			}
		}
		in := protocol.CaseInput{Initiation: req.Initiation.UTC(), Products: req.Products, Withholds: s.WithholdOptions}
		if err := in.Apply(req.Data); err != nil {
			return invalid(op, "caseData", err)
		}
		plan, err := protocol.Plan(&p.Protocol, in)
		if err != nil {
			return invalid(op, "caseData", err)
		}
		c := Case{
			RxID: p.ID, AnimalID: req.AnimalID, Initiation: req.Initiation.UTC(), Note: req.Note,
			MOR: p.MOR, VOR: p.VOR, Data: req.Data, Species: req.Animal.Class, Head: req.Head, Members: members,
			EnrolledBy: a.User.ID, Created: now,
		}
		tasks := planTasks(&p, &c, plan, req.Executor)
		if err := s.Store.CreateCase(ctx, &c, tasks); err != nil {
			return err
		}
		if err := CheckTransition(p.Status, Initiated); err != nil {
			return withOp(op, err)
		}
		p.Status = Initiated
		p.FillsUsed++
		if err := s.Store.UpdatePrescription(ctx, &p); err != nil {
			return err
		}
		w, err := s.putWithhold(ctx, &p, &c, tasks)
		if err != nil {
			return err
		}
		hx = s.history(c, tasks, &w, now)
		return nil
	})
	if err != nil {
		return CaseHx{}, storeErr(op, rxInput(req.RxID), err)
	}
	s.log().Info("rx: case enrolled", "rx", req.RxID, "case", hx.ID, "animal", hx.AnimalID, "by", a.User.ID)
	return hx, nil
}

// checkExecutor reports whether user id is a TOR employed by mor.
func (s *Service) checkExecutor(ctx context.Context, mor, id UserID) error {
	u, err := s.Store.User(ctx, id)
	if err != nil {
		return storeErr("", "executor "+strconv.FormatInt(int64(id), 10), err)
	}
	rels, err := s.Store.Relations(ctx, id)
	if err != nil {
		return err
	}
	ex := Actor{User: u, Relations: rels}
	if !ex.employedBy(mor) {
		return fail("", fmt.Sprintf("executor %d", id), fmt.Sprintf("is not a TOR employed by user %d", mor), ErrInvalid)
	}
	return nil
}

// planTasks turns a case plan into the case's tasks.
func planTasks(p *Prescription, c *Case, plan *protocol.CasePlan, executor UserID) []Task {
	tasks := make([]Task, 0, len(plan.Doses)+len(plan.Promises))
	base := Task{MOR: p.MOR, VOR: p.VOR, AnimalID: c.AnimalID, RxID: p.ID, Executor: executor, Status: TaskRequired}
	for k, d := range plan.Doses {
		t := base
		t.Kind, t.DoAt = DoseTaskKind, d.At.UTC()
		t.Product, t.Route, t.Dose, t.Volume = d.Product, d.Route, d.Dose, d.Volume
		t.Treatment, t.Seq = d.Treatment, d.Seq
		t.Rule = plan.Administrations[k].Rule
		tasks = append(tasks, t)
	}
	for _, pr := range plan.Promises {
		t := base
		t.Kind, t.DoAt = PromiseTaskKind, pr.Due.UTC()
		t.Promise, t.PromiseName, t.PromiseKind = pr.Promise, pr.Name, pr.Kind
		t.PromID = p.Protocol.Promises[pr.Promise].ID
		tasks = append(tasks, t)
	}
	return tasks
}

// computeWithhold derives a case's withhold from its dose tasks and the
// animal's recorded events: executed doses count at the time given,
// REQUIRED ones at their doAt, cancelled and recalled ones not at all.
func computeWithhold(p *Prescription, c *Case, tasks []Task, events []protocol.Event, opt protocol.WithholdOptions) (Withhold, error) {
	var admins []protocol.Administration
	var from []*Task
	for i := range tasks {
		t := &tasks[i]
		if t.Kind != DoseTaskKind {
			continue
		}
		at := t.DoAt
		switch t.Status {
		case TaskExecuted:
			at = t.DoneAt
		case TaskRequired, TaskDue, TaskOverdue:
		default:
			continue
		}
		admins = append(admins, protocol.Administration{Ref: strconv.FormatInt(t.ID, 10), Product: t.Product, At: at, Rule: t.Rule})
		from = append(from, t)
	}
	ws, err := protocol.Withdrawal(admins, events, opt)
	if err != nil {
		return Withhold{}, err
	}
	w := Withhold{CaseID: c.ID, AnimalID: c.AnimalID, Initiated: c.Initiation, MOR: c.MOR, RxID: p.ID, Note: c.Note}
	w.MeatUntil, w.Meat = release(ws.Meat, from, c.Initiation)
	w.MilkUntil, w.Milk = release(ws.Milk, from, c.Initiation)
	return w, nil
}

func release(r protocol.Release, from []*Task, initiated time.Time) (time.Time, Cause) {
	if !r.Set {
		return initiated, Cause{}
	}
	t := from[r.Cause]
	c := Cause{TaskID: t.ID, Product: r.Product, Given: r.Given, Term: r.Term.String(), Planned: t.Status != TaskExecuted}
	if r.Open {
		c.WaitingFor = string(r.WaitingFor)
		return Forever, c
	}
	return r.Until.UTC(), c
}

func (s *Service) putWithhold(ctx context.Context, p *Prescription, c *Case, tasks []Task) (Withhold, error) {
	events, err := s.events(ctx, c)
	if err != nil {
		return Withhold{}, err
	}
	w, err := computeWithhold(p, c, tasks, events, s.WithholdOptions)
	if err != nil {
		return Withhold{}, invalid("withhold", fmt.Sprintf("case %d", c.ID), err)
	}
	if err := s.Store.PutWithhold(ctx, &w); err != nil {
		return Withhold{}, err
	}
	return w, nil
}

// rewithhold recomputes and stores the withhold of case c.
func (s *Service) rewithhold(ctx context.Context, p *Prescription, c *Case) (Withhold, error) {
	tasks, err := s.Store.Tasks(ctx, c.ID)
	if err != nil {
		return Withhold{}, err
	}
	return s.putWithhold(ctx, p, c, tasks)
}

// history assembles a CaseHx with task statuses as of now.
func (s *Service) history(c Case, tasks []Task, w *Withhold, now time.Time) CaseHx {
	hx := CaseHx{Case: c, DoseTasks: []Task{}, PromiseTasks: []Task{}, Withhold: w}
	for _, t := range tasks {
		t.Status = t.StatusAt(now, s.grace())
		if t.Kind == DoseTaskKind {
			hx.DoseTasks = append(hx.DoseTasks, t)
		} else {
			hx.PromiseTasks = append(hx.PromiseTasks, t)
		}
	}
	return hx
}

// Execution records a task done.
type Execution struct {
	TaskID int64
	// At is when the task was actually done; zero means now. It may not
	// be in the future nor before the case's initiation.
	At time.Time
	// Data answers a promise task; it must fit the promise's kind (an
	// affirmation may have none). Dose tasks take none.
	Data *PData
	Note string
}

// MaxClockSkew is how far in the future an execution time may lie, to
// allow for a device clock slightly ahead.
const MaxClockSkew = 5 * time.Minute

// Execute records that a task was done: by the actor, at e.At, with the
// promise data. A dose given at another time than planned moves the
// case's withhold, which is recomputed from the doses actually given. It
// fails with ErrConflict when the task is no longer REQUIRED (already
// executed or skipped: a task is executed once) and ErrRecalled when its
// prescription was recalled or declined. Returns the case history.
func (s *Service) Execute(ctx context.Context, a Actor, e Execution) (CaseHx, error) {
	const op = "execute"
	now := s.now()
	at := e.At.UTC()
	if e.At.IsZero() {
		at = now
	}
	if at.After(now.Add(MaxClockSkew)) {
		return CaseHx{}, fail(op, "at "+at.Format(time.RFC3339), "is in the future", ErrInvalid)
	}
	return s.finish(ctx, op, a, e.TaskID, func(t *Task, c *Case) error {
		if at.Before(c.Initiation) {
			return fail(op, "at "+at.Format(time.RFC3339), "before the case was initiated", ErrInvalid)
		}
		switch {
		case t.Kind == DoseTaskKind && e.Data != nil:
			return fail(op, fmt.Sprintf("task %d data", t.ID), "a dose task takes no promise data", ErrInvalid)
		case t.Kind == PromiseTaskKind && e.Data == nil && t.PromiseKind != protocol.AffirmationPromise:
			return fail(op, fmt.Sprintf("task %d data", t.ID), fmt.Sprintf("%s needs an answer", t.PromiseKind), ErrInvalid)
		case t.Kind == PromiseTaskKind && e.Data != nil && !e.Data.Kind.fits(t.PromiseKind):
			return fail(op, fmt.Sprintf("task %d data", t.ID), fmt.Sprintf("%s does not answer a %s", e.Data.Kind, t.PromiseKind), ErrInvalid)
		}
		t.Status, t.DoneAt, t.Note, t.Data = TaskExecuted, at, e.Note, e.Data
		if t.Data != nil && t.Data.PromiseID == 0 {
			t.Data.PromiseID = t.PromID
		}
		return nil
	})
}

// Skip records that a task will not be done (CANCELLED), with the reason.
// A skipped dose no longer counts toward the withhold; the skip stays
// visible in the case history.
func (s *Service) Skip(ctx context.Context, a Actor, taskID int64, reason string) (CaseHx, error) {
	const op = "skip"
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return CaseHx{}, fail(op, fmt.Sprintf("task %d reason", taskID), "is required", ErrInvalid)
	}
	now := s.now()
	return s.finish(ctx, op, a, taskID, func(t *Task, _ *Case) error {
		t.Status, t.DoneAt, t.Note = TaskCancelled, now, reason
		return nil
	})
}

// finish runs the common part of Execute and Skip: lock the case, check
// the task and the actor, record the end, recompute the withhold.
func (s *Service) finish(ctx context.Context, op string, a Actor, taskID int64, set func(*Task, *Case) error) (CaseHx, error) {
	now := s.now()
	in := fmt.Sprintf("task %d", taskID)
	var hx CaseHx
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.Store.Task(ctx, taskID)
		if err != nil {
			return storeErr(op, in, err)
		}
		c, err := s.Store.Case(ctx, t.CaseID, true) // serialises work on one case
		if err != nil {
			return err
		}
		if t, err = s.Store.Task(ctx, taskID); err != nil {
			return err
		}
		p, err := s.Store.Prescription(ctx, c.RxID, false)
		if err != nil {
			return err
		}
		if err := MayExecute(a, &p, &t); err != nil {
			return withOp(op, err)
		}
		switch t.Status {
		case TaskRequired:
		case TaskRecalled:
			return fail(op, in, fmt.Sprintf("prescription %s was %s", p.ID, strings.ToLower(string(p.Status))), ErrRecalled)
		default:
			return fail(op, in, "already "+strings.ToLower(string(t.Status)), ErrConflict)
		}
		if err := set(&t, &c); err != nil {
			return err
		}
		t.DoneBy, t.RecordedAt = a.User.ID, now
		if err := s.Store.FinishTask(ctx, &t); err != nil {
			return err
		}
		tasks, err := s.Store.Tasks(ctx, c.ID)
		if err != nil {
			return err
		}
		w, err := s.putWithhold(ctx, &p, &c, tasks)
		if err != nil {
			return err
		}
		hx = s.history(c, tasks, &w, now)
		return nil
	})
	if err != nil {
		return CaseHx{}, storeErr(op, in, err)
	}
	s.log().Info("rx: task "+op, "task", taskID, "case", hx.ID, "by", a.User.ID)
	return hx, nil
}

// CaseHx returns case id with its tasks (statuses as of now) and withhold.
func (s *Service) CaseHx(ctx context.Context, a Actor, id int64) (CaseHx, error) {
	const op = "case history"
	in := fmt.Sprintf("case %d", id)
	c, err := s.Store.Case(ctx, id, false)
	if err != nil {
		return CaseHx{}, storeErr(op, in, err)
	}
	p, err := s.Store.Prescription(ctx, c.RxID, false)
	if err != nil {
		return CaseHx{}, storeErr(op, in, err)
	}
	if err := MayRead(a, &p); err != nil {
		return CaseHx{}, withOp(op, err)
	}
	tasks, err := s.Store.Tasks(ctx, id)
	if err != nil {
		return CaseHx{}, storeErr(op, in, err)
	}
	w, err := s.Store.Withhold(ctx, id)
	if err != nil {
		return CaseHx{}, storeErr(op, in, err)
	}
	return s.history(c, tasks, &w, s.now()), nil
}

// Cases lists the cases enrolled under prescription rxID.
func (s *Service) Cases(ctx context.Context, a Actor, rxID string) ([]Case, error) {
	p, err := s.Prescription(ctx, a, rxID)
	if err != nil {
		return nil, withOp("list cases", err)
	}
	cs, err := s.Store.Cases(ctx, p.ID)
	return cs, storeErr("list cases", rxInput(rxID), err)
}
