package rx

import (
	"context"
	"errors"
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

	// IdempotencyKey makes the request safe to retry (the HTTP layer
	// passes the Idempotency-Key header): a second enrollment by the same
	// user on the same farm with the same key enrolls nothing and returns
	// the case the first one made, with its tasks and withhold as they are
	// now, even when that first enrollment used the last fill. A key
	// already used for another prescription or animal is a conflict.
	// Empty means none; at most MaxIdempotencyKey printable ASCII
	// characters.
	IdempotencyKey string
	// NewCourse says that the animal starts a new course of the
	// prescription while a case of it is still open (a dose still to be
	// given). Without it such an enrollment is refused with ErrConflict
	// naming the open case: the usual cause is a double submission, and a
	// second case doubles every dose and task.
	NewCourse bool
	// Animals describes members of a group case by their ID: each member's
	// FDA class, sex and birth date, for eligibility and the AMDUCA rules,
	// which are decided for every member. A member not described is of
	// Animal.Class and is taken as a female of unknown age, which the
	// age-limited rules count as old enough (phenylbutazone is then refused
	// in every dairy class): the group's description never decides a
	// member's age. Keys must be members.
	Animals map[string]protocol.Animal
}

// MaxIdempotencyKey bounds the length of an idempotency key.
const MaxIdempotencyKey = 255

// checkKey checks an idempotency key: printable ASCII, at most
// MaxIdempotencyKey characters.
func checkKey(k string) error {
	if len(k) > MaxIdempotencyKey {
		return fail("", fmt.Sprintf("idempotency key (%d characters)", len(k)), fmt.Sprintf("must be at most %d characters", MaxIdempotencyKey), ErrInvalid)
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return fail("", "idempotency key "+strconv.Quote(k), "must be printable ASCII", ErrInvalid)
		}
	}
	return nil
}

// subject is one animal whose eligibility an enrollment decides.
type subject struct {
	input  string
	animal protocol.Animal
}

// subjects returns the animals of an enrollment: the animal itself, or
// each member of a group case described as EnrollRequest.Animals says.
func subjects(req *EnrollRequest, members []string) ([]subject, error) {
	if len(members) == 0 {
		if len(req.Animals) > 0 {
			return nil, fail("", "animals", "describe the members of a group case; this case lists none", ErrInvalid)
		}
		return []subject{{"animal " + quote(req.AnimalID), req.Animal}}, nil
	}
	if !req.Animal.Born.IsZero() {
		return nil, fail("", "animal born "+req.Animal.Born.UTC().Format(time.DateOnly),
			"a group case has no one birth date: give each member's in animals", ErrInvalid)
	}
	listed := make(map[string]bool, len(members))
	for _, m := range members {
		listed[m] = true
	}
	for id := range req.Animals {
		if !listed[id] {
			return nil, fail("", "animals "+quote(id), "is not a member of the case", ErrInvalid)
		}
	}
	out := make([]subject, len(members))
	for i, m := range members {
		a, ok := req.Animals[m]
		if !ok {
			a = protocol.Animal{Class: req.Animal.Class, Female: true}
		} else if a.Class == "" {
			a.Class = req.Animal.Class
		}
		out[i] = subject{"animal " + quote(m) + " (member of " + quote(req.AnimalID) + ")", a}
	}
	return out, nil
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
// input's form (ErrInvalid; a group case lists its members), the
// prescription (ErrNotFound), the actor (MayEnroll), the idempotency key
// (a case already enrolled with it is returned as it is, or ErrConflict
// when it was for another prescription or animal), the prescription's
// status, expiry and fills (Usable: ErrRecalled, ErrDeclined,
// ErrNotActive, ErrExpired, ErrUsedUp), the protocol's case definition,
// the eligibility and AMDUCA prohibitions of each animal (every member of
// a group), an open case of the prescription holding any of them
// (ErrConflict unless NewCourse), and the plan (ErrInvalid wrapping the
// protocol's error). The prescription row is locked for the whole write,
// so concurrent enrollments never use one fill twice, and concurrent
// retries with one key make one case.
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
	case req.Head > 1:
		// An anonymous "12 head" cannot be cleared animal by animal, nor
		// checked for eligibility one by one.
		return CaseHx{}, fail(op, fmt.Sprintf("head %d", req.Head), "a group case lists its animals in members", ErrInvalid)
	case req.Head == 0:
		req.Head = 1
	}
	subs, err := subjects(&req, members)
	if err != nil {
		return CaseHx{}, withOp(op, err)
	}
	if err := checkKey(req.IdempotencyKey); err != nil {
		return CaseHx{}, withOp(op, err)
	}
	var (
		hx       CaseHx
		replayed bool
	)
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		p, err := s.Store.Prescription(ctx, req.RxID, true)
		if err != nil {
			return storeErr(op, rxInput(req.RxID), err)
		}
		if err := MayEnroll(a, &p); err != nil {
			return withOp(op, err)
		}
		// The prescription's row lock serialises enrollments under it, so
		// of several requests with one key the first enrolls and the
		// others find its case here.
		if req.IdempotencyKey != "" {
			c, err := s.Store.CaseByKey(ctx, p.MOR, a.User.ID, req.IdempotencyKey)
			switch {
			case err == nil:
				if c.RxID != req.RxID || c.AnimalID != req.AnimalID {
					return fail(op, "idempotency key "+strconv.Quote(req.IdempotencyKey),
						fmt.Sprintf("already used for case %d (animal %s under prescription %s)", c.ID, quote(c.AnimalID), c.RxID), ErrConflict)
				}
				replayed = true
				hx, err = s.readHistory(ctx, c, now)
				hx.Replayed = true
				return err
			case !errors.Is(err, ErrNotFound):
				return err
			}
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
		claims, err := s.LabelClaims(ctx)
		if err != nil {
			return withOp(op, err)
		}
		for _, sub := range subs {
			if err := protocol.CheckEligibility(&p.Protocol, sub.animal); err != nil {
				return invalid(op, sub.input, err)
			}
			if why := prohibitedUse(&p.Protocol, claims, p.Confirmations, &sub.animal, req.Initiation); why != "" {
				return fail(op, sub.input, why, ErrProhibited)
			}
			if why := unidentifiedUse(&p.Protocol, claims, p.Confirmations, &sub.animal); why != "" {
				return unidentified(op, sub.input, why)
			}
		}
		if !req.NewCourse {
			if err := s.checkNotOpen(ctx, &p, req.AnimalID, members); err != nil {
				return withOp(op, err)
			}
		}
		if req.Executor != 0 {
			if err := s.checkExecutor(ctx, p.MOR, req.Executor); err != nil {
				return withOp(op, err)
			}
		}
		// Without any product concentrations the case records doses only (the
		// volume is measured at administration); a given map must cover them.
		in := protocol.CaseInput{Initiation: req.Initiation.UTC(), Products: req.Products, DosesOnly: len(req.Products) == 0, Withholds: s.WithholdOptions}
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
			EnrolledBy: a.User.ID, Created: now, IdempotencyKey: req.IdempotencyKey,
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
	if replayed {
		s.log().Info("rx: enrollment replayed", "rx", req.RxID, "case", hx.ID, "animal", hx.AnimalID, "by", a.User.ID)
		return hx, nil
	}
	s.log().Info("rx: case enrolled", "rx", req.RxID, "case", hx.ID, "animal", hx.AnimalID, "by", a.User.ID)
	return hx, nil
}

// checkNotOpen refuses an enrollment of animal (or of a group with
// members) while any of them is in an open case of prescription p: a case
// with a dose still to be given, as its animal or as a member.
func (s *Service) checkNotOpen(ctx context.Context, p *Prescription, animal string, members []string) error {
	open, err := s.Store.OpenCases(ctx, p.ID)
	if err != nil || len(open) == 0 {
		return err
	}
	ours := make(map[string]bool, 1+len(members))
	ours[animal] = true
	for _, m := range members {
		ours[m] = true
	}
	for _, c := range open {
		for _, id := range append([]string{c.AnimalID}, c.Members...) {
			if ours[id] {
				return fail("", "animal "+quote(id),
					fmt.Sprintf("already in open case %d of prescription %s (a dose still to be given); say it is a new course to enroll it again", c.ID, p.ID), ErrConflict)
			}
		}
	}
	return nil
}

// readHistory reads the tasks and withhold of a stored case and assembles
// its history as of now.
func (s *Service) readHistory(ctx context.Context, c Case, now time.Time) (CaseHx, error) {
	tasks, err := s.Store.Tasks(ctx, c.ID)
	if err != nil {
		return CaseHx{}, err
	}
	w, err := s.Store.Withhold(ctx, c.ID)
	if err != nil {
		return CaseHx{}, err
	}
	return s.history(c, tasks, &w, now), nil
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
	return s.finish(ctx, op, a, e.TaskID, func(t *Task, c *Case, tasks []Task) error {
		if at.Before(c.Initiation) {
			return fail(op, "at "+at.Format(time.RFC3339), "before the case was initiated", ErrInvalid)
		}
		if t.Kind == DoseTaskKind {
			if err := checkDoseOrder(t, at, tasks); err != nil {
				return withOp(op, err)
			}
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

// checkDoseOrder refuses to record dose t of a treatment as given at at
// when another dose of the same treatment, given already, contradicts the
// order: an earlier dose (lower Seq) given after at, or a later one given
// before it. Doses given at the same instant are in order.
//
// It refuses rather than flags because the withhold counts from the last
// dose given: a time out of order is almost always a mistyped date, and
// accepting it would move a release silently. Nothing is stored, the error
// names the dose it contradicts, and the farm records the dose again with
// the right time (or corrects nothing, when the order is the truth, by
// skipping the dose and noting why).
func checkDoseOrder(t *Task, at time.Time, tasks []Task) error {
	for i := range tasks {
		o := &tasks[i]
		if o.ID == t.ID || o.Kind != DoseTaskKind || o.Treatment != t.Treatment || o.Status != TaskExecuted {
			continue
		}
		var why string
		switch {
		case o.Seq < t.Seq && o.DoneAt.After(at):
			why = "before"
		case o.Seq > t.Seq && o.DoneAt.Before(at):
			why = "after"
		default:
			continue
		}
		return fail("", fmt.Sprintf("task %d (dose %d) at %s", t.ID, t.Seq, at.Format(time.RFC3339)),
			fmt.Sprintf("is %s dose %d of the same treatment, given at %s (task %d): doses are given in order",
				why, o.Seq, o.DoneAt.UTC().Format(time.RFC3339), o.ID), ErrInvalid)
	}
	return nil
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
	return s.finish(ctx, op, a, taskID, func(t *Task, _ *Case, _ []Task) error {
		t.Status, t.DoneAt, t.Note = TaskCancelled, now, reason
		return nil
	})
}

// finish runs the common part of Execute and Skip: lock the case, check
// the task and the actor, record the end, recompute the withhold.
func (s *Service) finish(ctx context.Context, op string, a Actor, taskID int64, set func(*Task, *Case, []Task) error) (CaseHx, error) {
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
		tasks, err := s.Store.Tasks(ctx, c.ID)
		if err != nil {
			return err
		}
		if err := set(&t, &c, tasks); err != nil {
			return err
		}
		t.DoneBy, t.RecordedAt = a.User.ID, now
		if err := s.Store.FinishTask(ctx, &t); err != nil {
			return err
		}
		if tasks, err = s.Store.Tasks(ctx, c.ID); err != nil {
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
