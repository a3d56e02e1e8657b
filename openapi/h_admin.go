package openapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/webhook"
)

// AuditLog records what administrators change. store's AdminStore
// implements it; Record joins the transaction ctx carries, so a change and
// its record commit together.
type AuditLog interface {
	// RecordAdminChange stores one change: when, by whom, the operation
	// (e.g. "createAdminJob"), its target (an ID) and what was asked, as
	// JSON without secrets. It returns the record's number.
	RecordAdminChange(ctx context.Context, at time.Time, actor int64, action, target string, detail []byte) (int64, error)
}

// AdminChange is the data of an admin.changed event.
type AdminChange struct {
	ID     int64           `json:"id"`
	At     time.Time       `json:"at"`
	Actor  int64           `json:"actor"`
	Action string          `json:"action"`
	Target string          `json:"target"`
	Detail json.RawMessage `json:"detail,omitempty"`
}

// errAdminNotConfigured answers the admin operations of a server built
// without vetview or an audit log (Config.Vetview, Config.Audit).
var errAdminNotConfigured = fmt.Errorf("%w: this server has no job scheduler or audit log configured", errNotImplemented)

// administrator returns the caller when it is the SAOR; anyone else gets
// rx.ErrForbidden (403), before anything is read.
func (h *API) administrator(ctx context.Context) (rx.Actor, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return rx.Actor{}, err
	}
	if a.User.Type != rx.SAOR {
		return rx.Actor{}, fmt.Errorf("%w: the admin API is for the administrator (SAOR), not %s %s", rx.ErrForbidden, a.User.Type, a.User.Uname)
	}
	if h.cfg.Vetview == nil || h.cfg.Audit == nil {
		return rx.Actor{}, errAdminNotConfigured
	}
	return a, nil
}

// adminChange runs change in one transaction with its audit record and
// its admin.changed event, so that a change is never made unrecorded, nor
// recorded unmade.
func (h *API) adminChange(ctx context.Context, a rx.Actor, action, target string, detail any, change func(ctx context.Context) error) error {
	return h.adminCreation(ctx, a, action, detail, func(ctx context.Context) (string, error) { return target, change(ctx) })
}

// adminCreation is adminChange for a change whose target is known only
// once it is made (a new job's ID): create returns it.
func (h *API) adminCreation(ctx context.Context, a rx.Actor, action string, detail any, create func(ctx context.Context) (target string, err error)) error {
	return adminErr(h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		target, err := create(ctx)
		if err != nil {
			return err
		}
		var d []byte
		if detail != nil {
			if d, err = json.Marshal(detail); err != nil {
				return fmt.Errorf("openapi: encoding the audit record of %s: %w", action, err)
			}
		}
		at := time.Now().UTC().Truncate(time.Microsecond)
		id, err := h.cfg.Audit.RecordAdminChange(ctx, at, int64(a.User.ID), action, target, d)
		if err != nil {
			return err
		}
		return pub.publish(ctx, eventAdminChanged, fmt.Sprint(id), AdminChange{ID: id, At: at, Actor: int64(a.User.ID), Action: action, Target: target, Detail: d})
	}))
}

// adminErr maps the errors of vetview and webhook to those ProblemFor
// answers: an invalid input 422, an unknown thing 404, a state that
// forbids the change 409.
func adminErr(err error) error {
	var sub *webhook.SubscriptionError
	var ev *webhook.EventError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, vetview.ErrInvalid), errors.As(err, &sub), errors.As(err, &ev), errors.Is(err, vetview.ErrUnknownKind):
		return fmt.Errorf("%w: %s", rx.ErrInvalid, err.Error())
	case errors.Is(err, vetview.ErrJobNotFound), errors.Is(err, vetview.ErrServerNotFound):
		return fmt.Errorf("%w: %s", rx.ErrNotFound, err.Error())
	case errors.Is(err, vetview.ErrServerLive), errors.Is(err, vetview.ErrJobExists), errors.Is(err, vetview.ErrJobInactive):
		return fmt.Errorf("%w: %s", rx.ErrConflict, err.Error())
	}
	return err
}

// ---- servers

// ListAdminServers lists the registered servers with their liveness.
func (h *API) ListAdminServers(ctx context.Context, _ ListAdminServersRequestObject) (ListAdminServersResponseObject, error) {
	if _, err := h.administrator(ctx); err != nil {
		return nil, err
	}
	servers, err := h.cfg.Vetview.Servers(ctx)
	if err != nil {
		return nil, err
	}
	jobs, err := h.cfg.Vetview.Jobs(ctx)
	if err != nil {
		return nil, err
	}
	assigned := map[string]bool{}
	for _, j := range jobs {
		for _, s := range j.Servers {
			assigned[s] = true
		}
	}
	out := ListAdminServers200JSONResponse{}
	for _, s := range servers {
		out = append(out, adminServer(s, assigned[s.Name], h.cfg.Vetview.StaleMultiple()))
	}
	return out, nil
}

func adminServer(s vetview.ServerStatus, hasJobs bool, staleMultiple int) AdminServer {
	out := AdminServer{
		Id: s.ID, Name: s.Name, Host: s.Host, Pid: s.PID,
		StartedAt: s.StartedAt.UTC(), HeartbeatAt: s.HeartbeatAt.UTC(),
		HeartbeatInterval: protocol.DurationOf(s.HeartbeatInterval).String(),
		StaleAt:           s.StaleAfter(staleMultiple).UTC(),
		Status:            AdminServerStatus("live"), Role: AdminServerRole("idle"),
		Running: append([]string{}, s.Running...),
	}
	if s.Stale {
		out.Status = "stale"
	}
	if hasJobs {
		out.Role = "jobs"
	}
	if s.Version != "" {
		out.Version = &s.Version
	}
	return out
}

// DeleteAdminServer deletes a stale server; a live one is a 409.
func (h *API) DeleteAdminServer(ctx context.Context, request DeleteAdminServerRequestObject) (DeleteAdminServerResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	id := uuid.UUID(request.Id)
	err = h.adminChange(ctx, a, "deleteAdminServer", id.String(), nil, func(ctx context.Context) error {
		return h.cfg.Vetview.DeleteStaleServer(ctx, id)
	})
	if err != nil {
		return nil, err
	}
	return DeleteAdminServer204Response{}, nil
}

// ---- job kinds

// ListAdminJobKinds lists the kinds (only those no job uses, when asked).
func (h *API) ListAdminJobKinds(ctx context.Context, request ListAdminJobKindsRequestObject) (ListAdminJobKindsResponseObject, error) {
	if _, err := h.administrator(ctx); err != nil {
		return nil, err
	}
	unconfigured, err := h.cfg.Vetview.UnconfiguredKinds(ctx)
	if err != nil {
		return nil, err
	}
	free := map[string]bool{}
	for _, k := range unconfigured {
		free[k.Name] = true
	}
	only := request.Params.Unconfigured != nil && *request.Params.Unconfigured
	out := ListAdminJobKinds200JSONResponse{}
	for _, k := range h.cfg.Vetview.Kinds() {
		if only && !free[k.Name] {
			continue
		}
		ak, err := h.adminJobKind(k, !free[k.Name])
		if err != nil {
			return nil, err
		}
		out = append(out, ak)
	}
	return out, nil
}

// GetAdminJobKind answers one kind with its settings schema.
func (h *API) GetAdminJobKind(ctx context.Context, request GetAdminJobKindRequestObject) (GetAdminJobKindResponseObject, error) {
	if _, err := h.administrator(ctx); err != nil {
		return nil, err
	}
	k, err := h.cfg.Vetview.Kind(request.Kind)
	if errors.Is(err, vetview.ErrUnknownKind) {
		return nil, fmt.Errorf("%w: job kind %q: no such kind is registered", rx.ErrNotFound, request.Kind)
	}
	if err != nil {
		return nil, err
	}
	unconfigured, err := h.cfg.Vetview.UnconfiguredKinds(ctx)
	if err != nil {
		return nil, err
	}
	configured := true
	for _, u := range unconfigured {
		if u.Name == k.Name {
			configured = false
		}
	}
	ak, err := h.adminJobKind(k, configured)
	if err != nil {
		return nil, err
	}
	return GetAdminJobKind200JSONResponse(ak), nil
}

func (h *API) adminJobKind(k vetview.KindInfo, configured bool) (AdminJobKind, error) {
	schema, err := h.cfg.Vetview.SettingsSchema(k.Name)
	if err != nil {
		return AdminJobKind{}, err
	}
	out := AdminJobKind{Name: k.Name, Title: k.Title, Description: k.Description, Configured: configured}
	if err := json.Unmarshal(k.Defaults, &out.Defaults); err != nil {
		return AdminJobKind{}, fmt.Errorf("openapi: the defaults of kind %s: %w", k.Name, err)
	}
	if err := json.Unmarshal(schema, &out.SettingsSchema); err != nil {
		return AdminJobKind{}, fmt.Errorf("openapi: the settings schema of kind %s: %w", k.Name, err)
	}
	if out.Defaults == nil {
		out.Defaults = map[string]any{}
	}
	return out, nil
}

// ---- jobs

// ListAdminJobs lists the jobs with their live status.
func (h *API) ListAdminJobs(ctx context.Context, _ ListAdminJobsRequestObject) (ListAdminJobsResponseObject, error) {
	if _, err := h.administrator(ctx); err != nil {
		return nil, err
	}
	statuses, err := h.cfg.Vetview.Statuses(ctx)
	if err != nil {
		return nil, err
	}
	out := ListAdminJobs200JSONResponse{}
	for _, st := range statuses {
		j, err := h.adminJob(st)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// GetAdminJob answers one job with its live status.
func (h *API) GetAdminJob(ctx context.Context, request GetAdminJobRequestObject) (GetAdminJobResponseObject, error) {
	if _, err := h.administrator(ctx); err != nil {
		return nil, err
	}
	j, err := h.jobStatus(ctx, uuid.UUID(request.Id))
	if err != nil {
		return nil, err
	}
	return GetAdminJob200JSONResponse(j), nil
}

func (h *API) jobStatus(ctx context.Context, id uuid.UUID) (AdminJob, error) {
	st, err := h.cfg.Vetview.Status(ctx, id)
	if err != nil {
		return AdminJob{}, adminErr(err)
	}
	return h.adminJob(st)
}

// The status names of the wire, by vetview state.
var adminJobStates = map[vetview.State]AdminJobStatus{
	vetview.Running:    "Running",
	vetview.Waiting:    "Waiting",
	vetview.NotRunning: "Not running",
}

func (h *API) adminJob(st vetview.JobStatus) (AdminJob, error) {
	j := st.Job
	out := AdminJob{
		Id: j.ID, Name: j.Name, Kind: j.Kind, Active: j.Active,
		Servers:   append([]string{}, j.Servers...),
		Schedule:  adminSchedule(j.Schedule),
		Status:    adminJobStates[st.State],
		CreatedAt: j.CreatedAt.UTC(), UpdatedAt: j.UpdatedAt.UTC(),
		Settings:   map[string]any{},
		LastResult: "never run",
	}
	if k, err := h.cfg.Vetview.Kind(j.Kind); err == nil {
		out.Title = k.Title
		if len(j.Settings) == 0 {
			j.Settings = k.Defaults
		}
	}
	if len(j.Settings) > 0 {
		if err := json.Unmarshal(j.Settings, &out.Settings); err != nil {
			return AdminJob{}, fmt.Errorf("openapi: the settings of job %s: %w", j.ID, err)
		}
	}
	if st.Server != "" {
		out.Server = &st.Server
	}
	if st.State == vetview.Waiting && !st.NextRunAt.IsZero() {
		t := st.NextRunAt.UTC()
		out.NextExecution = &t
	}
	if !st.LastStartedAt.IsZero() {
		t := st.LastStartedAt.UTC()
		out.LastStartedAt = &t
		switch {
		case st.LastFinishedAt.IsZero():
			out.LastResult = "running"
		case st.LastError != "":
			out.LastResult = "failed"
		default:
			out.LastResult = "succeeded"
		}
	}
	if !st.LastFinishedAt.IsZero() {
		t := st.LastFinishedAt.UTC()
		out.LastFinishedAt = &t
	}
	if st.LastError != "" {
		out.LastError = &st.LastError
	}
	return out, nil
}

func adminSchedule(s vetview.Schedule) AdminSchedule {
	if s.Cron != "" {
		expr, tz := s.Cron, "UTC"
		if c, err := vetview.ParseCron(s.Cron); err == nil {
			tz = c.Location().String()
		}
		return AdminSchedule{Cron: &expr, TimeZone: &tz}
	}
	every := protocol.DurationOf(s.Every).String()
	return AdminSchedule{Every: &every}
}

// jobSpec turns the wire's spec into vetview's, naming the member at
// fault.
func jobSpec(in *AdminJobSpec) (vetview.JobSpec, error) {
	if in == nil {
		return vetview.JobSpec{}, fmt.Errorf("%w: a job needs a body", rx.ErrInvalid)
	}
	spec := vetview.JobSpec{Name: in.Name, Kind: in.Kind}
	if in.Active != nil {
		spec.Active = *in.Active
	}
	if in.Servers != nil {
		spec.Servers = *in.Servers
	}
	if in.Settings != nil {
		b, err := json.Marshal(*in.Settings)
		if err != nil {
			return vetview.JobSpec{}, fmt.Errorf("%w: settings: %v", rx.ErrInvalid, err)
		}
		spec.Settings = b
	}
	if in.Schedule.Every != nil && *in.Schedule.Every != "" {
		d, err := protocol.ParseDuration(*in.Schedule.Every)
		if err != nil {
			return vetview.JobSpec{}, fmt.Errorf("%w: schedule.every %q: must be an ISO-8601 duration such as PT1M", rx.ErrInvalid, *in.Schedule.Every)
		}
		spec.Schedule.Every = d.Std()
	}
	if in.Schedule.Cron != nil {
		spec.Schedule.Cron = strings.TrimSpace(*in.Schedule.Cron)
	}
	return spec, nil
}

// CreateAdminJob configures a job.
func (h *API) CreateAdminJob(ctx context.Context, request CreateAdminJobRequestObject) (CreateAdminJobResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	spec, err := jobSpec(request.Body)
	if err != nil {
		return nil, err
	}
	var j vetview.Job
	err = h.adminCreation(ctx, a, "createAdminJob", request.Body, func(ctx context.Context) (string, error) {
		j, err = h.cfg.Vetview.CreateJob(ctx, spec)
		return j.ID.String(), err
	})
	if err != nil {
		return nil, err
	}
	out, err := h.jobStatus(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	return CreateAdminJob201JSONResponse(out), nil
}

// UpdateAdminJob replaces a job's configuration.
func (h *API) UpdateAdminJob(ctx context.Context, request UpdateAdminJobRequestObject) (UpdateAdminJobResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	spec, err := jobSpec(request.Body)
	if err != nil {
		return nil, err
	}
	id := uuid.UUID(request.Id)
	err = h.adminChange(ctx, a, "updateAdminJob", id.String(), request.Body, func(ctx context.Context) error {
		_, err := h.cfg.Vetview.UpdateJob(ctx, id, spec)
		return err
	})
	if err != nil {
		return nil, err
	}
	out, err := h.jobStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	return UpdateAdminJob200JSONResponse(out), nil
}

// setActive switches job id on or off, keeping the rest of its
// configuration.
func (h *API) setActive(ctx context.Context, id uuid.UUID, active bool) (AdminJob, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return AdminJob{}, err
	}
	action := "deactivateAdminJob"
	if active {
		action = "activateAdminJob"
	}
	err = h.adminChange(ctx, a, action, id.String(), nil, func(ctx context.Context) error {
		j, err := h.cfg.Vetview.Job(ctx, id)
		if err != nil {
			return err
		}
		_, err = h.cfg.Vetview.UpdateJob(ctx, id, vetview.JobSpec{Name: j.Name, Kind: j.Kind, Settings: j.Settings, Schedule: j.Schedule, Servers: j.Servers, Active: active})
		return err
	})
	if err != nil {
		return AdminJob{}, err
	}
	return h.jobStatus(ctx, id)
}

// ActivateAdminJob switches a job on.
func (h *API) ActivateAdminJob(ctx context.Context, request ActivateAdminJobRequestObject) (ActivateAdminJobResponseObject, error) {
	j, err := h.setActive(ctx, uuid.UUID(request.Id), true)
	if err != nil {
		return nil, err
	}
	return ActivateAdminJob200JSONResponse(j), nil
}

// DeactivateAdminJob switches a job off.
func (h *API) DeactivateAdminJob(ctx context.Context, request DeactivateAdminJobRequestObject) (DeactivateAdminJobResponseObject, error) {
	j, err := h.setActive(ctx, uuid.UUID(request.Id), false)
	if err != nil {
		return nil, err
	}
	return DeactivateAdminJob200JSONResponse(j), nil
}

// DeleteAdminJob deletes a job and its history.
func (h *API) DeleteAdminJob(ctx context.Context, request DeleteAdminJobRequestObject) (DeleteAdminJobResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	id := uuid.UUID(request.Id)
	err = h.adminChange(ctx, a, "deleteAdminJob", id.String(), nil, func(ctx context.Context) error {
		return h.cfg.Vetview.DeleteJob(ctx, id)
	})
	if err != nil {
		return nil, err
	}
	return DeleteAdminJob204Response{}, nil
}

// RunAdminJobNow makes a job due at once.
func (h *API) RunAdminJobNow(ctx context.Context, request RunAdminJobNowRequestObject) (RunAdminJobNowResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	id := uuid.UUID(request.Id)
	err = h.adminChange(ctx, a, "runAdminJobNow", id.String(), nil, func(ctx context.Context) error {
		return h.cfg.Vetview.RunNow(ctx, id)
	})
	if err != nil {
		return nil, err
	}
	return RunAdminJobNow202Response{}, nil
}

// ListAdminJobRuns pages a job's history, newest first.
func (h *API) ListAdminJobRuns(ctx context.Context, request ListAdminJobRunsRequestObject) (ListAdminJobRunsResponseObject, error) {
	if _, err := h.administrator(ctx); err != nil {
		return nil, err
	}
	offset, limit := 0, 20
	if request.Params.Offset != nil {
		offset = *request.Params.Offset
	}
	if request.Params.Limit != nil {
		limit = *request.Params.Limit
	}
	// One more than the page tells whether older runs follow.
	runs, err := h.cfg.Vetview.History(ctx, uuid.UUID(request.Id), offset+limit+1)
	if err != nil {
		return nil, adminErr(err)
	}
	page := AdminJobRunPage{Offset: offset, Limit: limit, Runs: []AdminJobRun{}}
	if offset < len(runs) {
		runs = runs[offset:]
	} else {
		runs = nil
	}
	if len(runs) > limit {
		page.More = true
		runs = runs[:limit]
	}
	for _, r := range runs {
		page.Runs = append(page.Runs, adminRun(r))
	}
	return ListAdminJobRuns200JSONResponse(page), nil
}

func adminRun(r vetview.Run) AdminJobRun {
	out := AdminJobRun{Id: r.ID, Server: r.Server, ScheduledAt: r.ScheduledAt.UTC(), StartedAt: r.StartedAt.UTC(), Result: "running"}
	if r.Finished() {
		t := r.FinishedAt.UTC()
		out.FinishedAt = &t
		out.Result = "succeeded"
		if r.Error != "" {
			out.Result = "failed"
		}
	}
	if r.Error != "" {
		out.Error = &r.Error
	}
	if r.RerunOf != "" {
		out.RerunOf, out.RerunReason = &r.RerunOf, &r.RerunReason
	}
	return out
}

// ---- the audit log

// AuditLogReader is an AuditLog the API can page through (GET
// /api/admin/audit); store's AdminStore implements it. Without it that
// operation answers 501.
type AuditLogReader interface {
	// EachAdminChange calls fn with each of up to limit records older than
	// record before (all when before is 0), newest first.
	EachAdminChange(ctx context.Context, before int64, limit int, fn func(id int64, at time.Time, actor int64, action, target string, detail []byte)) error
}

// ListAdminAudit answers a page of the audit log, newest first.
func (h *API) ListAdminAudit(ctx context.Context, request ListAdminAuditRequestObject) (ListAdminAuditResponseObject, error) {
	if _, err := h.administrator(ctx); err != nil {
		return nil, err
	}
	r, ok := h.cfg.Audit.(AuditLogReader)
	if !ok {
		return nil, fmt.Errorf("%w: this server's audit log cannot be read", errNotImplemented)
	}
	var before int64
	if request.Params.Before != nil {
		before = *request.Params.Before
	}
	limit := 50
	if request.Params.Limit != nil {
		limit = *request.Params.Limit
	}
	page := AdminAuditPage{Changes: []AdminAuditRecord{}}
	// One more than the page tells whether older records follow.
	err := r.EachAdminChange(ctx, before, limit+1, func(id int64, at time.Time, actor int64, action, target string, detail []byte) {
		if len(page.Changes) == limit {
			last := page.Changes[limit-1].Id
			page.Next = &last
			return
		}
		rec := AdminAuditRecord{Id: id, At: at.UTC(), Actor: actor, Action: action, Target: target}
		if len(detail) > 0 {
			var d any
			if json.Unmarshal(detail, &d) == nil {
				rec.Detail = d
			}
		}
		page.Changes = append(page.Changes, rec)
	})
	if err != nil {
		return nil, err
	}
	return ListAdminAudit200JSONResponse(page), nil
}
