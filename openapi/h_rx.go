package openapi

import (
	"context"
	"strconv"
	"time"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

// GetRxBy lists the prescriptions the caller wrote.
func (h *API) GetRxBy(ctx context.Context, request GetRxByRequestObject) (GetRxByResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := h.cfg.Rx.PrescriptionsBy(ctx, a)
	if err != nil {
		return nil, err
	}
	ps = nonNilSlice(ps)
	return GetRxBy200JSONResponse{Prescriptions: &ps, Of: count(len(ps))}, nil
}

// GetRxTo lists the prescriptions written to the caller's farm.
func (h *API) GetRxTo(ctx context.Context, request GetRxToRequestObject) (GetRxToResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := h.cfg.Rx.PrescriptionsTo(ctx, a)
	if err != nil {
		return nil, err
	}
	ps = nonNilSlice(ps)
	return GetRxTo200JSONResponse{Prescriptions: &ps, Of: count(len(ps))}, nil
}

// GetPrescriptions lists the prescriptions the caller may list.
func (h *API) GetPrescriptions(ctx context.Context, request GetPrescriptionsRequestObject) (GetPrescriptionsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := h.cfg.Rx.Prescriptions(ctx, a)
	if err != nil {
		return nil, err
	}
	ps = nonNilSlice(ps)
	return GetPrescriptions200JSONResponse{Diagnoses: &ps}, nil
}

// CreatePrescription prescribes a protocol from the calling VOR to its
// client, publishing prescription.created with it.
func (h *API) CreatePrescription(ctx context.Context, request CreatePrescriptionRequestObject) (CreatePrescriptionResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	var (
		p      rx.Prescription
		pdfErr *ProblemDetails
	)
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		var err error
		if p, err = h.cfg.Rx.Prescribe(ctx, a, *request.Body); err != nil {
			return err
		}
		if err := pub.publish(ctx, eventPrescriptionCreated, p.ID, p); err != nil {
			return err
		}
		// The mail is queued with the prescription; a PDF that cannot be
		// made is answered as pdfError and made again by the outbox.
		pdfErr, err = h.queuePrescriptionMail(ctx, p, request.Body.EmailToClient, request.Body.EmailToVOR)
		return err
	})
	if err != nil {
		return nil, err
	}
	h.mailed()
	return CreatePrescription201JSONResponse{Prescription: &p, PdfError: pdfErr}, nil
}

// ApprovePrescription approves a REQUESTED renewal (rx.Service.Approve),
// publishing prescription.updated.
func (h *API) ApprovePrescription(ctx context.Context, request ApprovePrescriptionRequestObject) (ApprovePrescriptionResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	var p rx.Prescription
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		if p, err = h.cfg.Rx.Approve(ctx, a, request.Id); err != nil {
			return err
		}
		return pub.publish(ctx, eventPrescriptionUpdated, p.ID, p)
	})
	if err != nil {
		return nil, err
	}
	return ApprovePrescription200JSONResponse{Prescription: &p}, nil
}

// GetPrescriptionsOfProtocol lists the caller's prescriptions of one
// protocol.
func (h *API) GetPrescriptionsOfProtocol(ctx context.Context, request GetPrescriptionsOfProtocolRequestObject) (GetPrescriptionsOfProtocolResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := h.cfg.Rx.PrescriptionsOfProtocol(ctx, a, request.Id)
	if err != nil {
		return nil, err
	}
	ps = nonNilSlice(ps)
	return GetPrescriptionsOfProtocol200JSONResponse{Diagnoses: &ps}, nil
}

// GetProtocolPrescription reads one prescription, as GetPrescription.
func (h *API) GetProtocolPrescription(ctx context.Context, request GetProtocolPrescriptionRequestObject) (GetProtocolPrescriptionResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	p, err := h.cfg.Rx.Prescription(ctx, a, request.Id)
	if err != nil {
		return nil, err
	}
	return GetProtocolPrescription200JSONResponse{Prescription: &p}, nil
}

// GetPrescription reads one prescription: as JSON, or as its PDF
// (rxdoc) when the Accept header prefers application/pdf.
func (h *API) GetPrescription(ctx context.Context, request GetPrescriptionRequestObject) (GetPrescriptionResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if acceptsPDF(ctx) {
		return h.prescriptionPDF(ctx, a, request.Id)
	}
	p, err := h.cfg.Rx.Prescription(ctx, a, request.Id)
	if err != nil {
		return nil, err
	}
	return GetPrescription200JSONResponse{Prescription: &p}, nil
}

// DeletePrescription ends a prescription: a VOR recalls it, anyone else
// declines it (rx decides who may), publishing prescription.cancelled.
func (h *API) DeletePrescription(ctx context.Context, request DeletePrescriptionRequestObject) (DeletePrescriptionResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		end := h.cfg.Rx.Decline
		if a.User.Type == rx.VOR {
			end = h.cfg.Rx.Recall
		}
		p, err := end(ctx, a, request.Id)
		if err != nil {
			return err
		}
		return pub.publish(ctx, eventPrescriptionCancelled, p.ID, p)
	})
	if err != nil {
		return nil, err
	}
	one := int32(1)
	return DeletePrescription200JSONResponse{Updated: &one}, nil
}

// DeprecatedEnrollCase enrolls a case as EnrollCase does and answers only
// the counts of what was created.
func (h *API) DeprecatedEnrollCase(ctx context.Context, request DeprecatedEnrollCaseRequestObject) (DeprecatedEnrollCaseResponseObject, error) {
	hx, err := h.enroll(ctx, request.Body, request.Params.IdempotencyKey, request.Params.NewCourse)
	if err != nil {
		return nil, err
	}
	var resp DeprecatedEnrollCase200JSONResponse
	resp.Case = &struct {
		Doses    *int32 `json:"doses,omitempty"`
		Id       *int64 `json:"id,omitempty"`
		Promises *int32 `json:"promises,omitempty"`
		Withhold *int64 `json:"withhold,omitempty"`
	}{Doses: count(len(hx.DoseTasks)), Id: &hx.ID, Promises: count(len(hx.PromiseTasks))}
	if hx.Withhold != nil {
		resp.Case.Withhold = &hx.Withhold.ID
	}
	return resp, nil
}

// MyCases lists the cases of the caller's prescriptions.
func (h *API) MyCases(ctx context.Context, request MyCasesRequestObject) (MyCasesResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := h.cfg.Rx.MyCases(ctx, a)
	if err != nil {
		return nil, err
	}
	cs = nonNilSlice(cs)
	return MyCases200JSONResponse{Cases: &cs}, nil
}

// EnrollCase enrolls a case and answers its tasks and withhold.
func (h *API) EnrollCase(ctx context.Context, request EnrollCaseRequestObject) (EnrollCaseResponseObject, error) {
	hx, err := h.enroll(ctx, request.Body, request.Params.IdempotencyKey, request.Params.NewCourse)
	if err != nil {
		return nil, err
	}
	doses, promises := nonNilSlice(hx.DoseTasks), nonNilSlice(hx.PromiseTasks)
	var resp EnrollCase200JSONResponse
	resp.Case = &struct {
		Doses    *[]AnimalTask `json:"doses,omitempty"`
		Id       *int64        `json:"id,omitempty"`
		Promises *[]AnimalTask `json:"promises,omitempty"`
		Withhold *Withhold     `json:"withhold,omitempty"`
	}{Doses: &doses, Id: &hx.ID, Promises: &promises, Withhold: hx.Withhold}
	return resp, nil
}

// enroll enrolls the case c under its prescription, publishing
// case.created and, when the case has one, withhold.started. With an
// idempotency key (the Idempotency-Key header) a retry answers the case
// the first request made and publishes nothing again; newCourse allows a
// second open case of the same animal.
func (h *API) enroll(ctx context.Context, c *rx.Case, key *string, newCourse *bool) (rx.CaseHx, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return rx.CaseHx{}, err
	}
	req := rx.EnrollRequest{
		RxID: c.RxID, AnimalID: c.AnimalID, Head: c.Head, Members: c.Members,
		Initiation: c.Initiation, Data: c.Data, Note: c.Note,
		// The wire Case says the FDA class but neither sex nor birth date.
		// Taking a female of unknown age (which rx counts as old enough)
		// refuses phenylbutazone in every dairy class, 21 CFR
		// 530.41(a)(12), rather than allowing it on a guess.
		Animal: protocol.Animal{Class: c.Species, Female: true},
	}
	if key != nil {
		req.IdempotencyKey = *key
	}
	if newCourse != nil {
		req.NewCourse = *newCourse
	}
	var hx rx.CaseHx
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		var err error
		if hx, err = h.cfg.Rx.Enroll(ctx, a, req); err != nil || hx.Replayed {
			return err
		}
		if err := pub.publish(ctx, eventCaseCreated, strconv.FormatInt(hx.ID, 10), hx); err != nil {
			return err
		}
		if w := hx.Withhold; w != nil {
			return pub.publish(ctx, eventWithholdStarted, strconv.FormatInt(w.ID, 10), w)
		}
		return nil
	})
	return hx, err
}

// GetCaseHx reads a case with its tasks and withhold.
func (h *API) GetCaseHx(ctx context.Context, request GetCaseHxRequestObject) (GetCaseHxResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	hx, err := h.cfg.Rx.CaseHx(ctx, a, request.CaseId)
	if err != nil {
		return nil, err
	}
	return GetCaseHx200JSONResponse{CaseHx: &hx}, nil
}

// RxWithCases lists prescriptions with their cases, filtered and paged.
func (h *API) RxWithCases(ctx context.Context, request RxWithCasesRequestObject) (RxWithCasesResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	p := request.Params
	q := rx.RxQuery{Limit: 20}
	if p.VorId != nil {
		q.VOR = rx.UserID(*p.VorId)
	}
	if p.MorId != nil {
		q.MOR = rx.UserID(*p.MorId)
	}
	if p.ProtocolId != nil {
		q.ProtocolID = *p.ProtocolId
	}
	if p.EnrolledAfter != nil {
		q.EnrolledAfter = *p.EnrolledAfter
	}
	if p.EnrolledBefore != nil {
		q.EnrolledBefore = *p.EnrolledBefore
	}
	if p.Offset != nil {
		q.Offset = int(max(*p.Offset, 0))
	}
	if p.Limit != nil && *p.Limit > 0 {
		q.Limit = min(int(*p.Limit), MaxPageSize)
	}
	rs, total, err := h.cfg.Rx.RxWithCases(ctx, a, q)
	if err != nil {
		return nil, err
	}
	return RxWithCases200JSONResponse{RxesWithCases: &rs, Of: count(total)}, nil
}

// GetCasesOfPrescription lists the cases of one prescription.
func (h *API) GetCasesOfPrescription(ctx context.Context, request GetCasesOfPrescriptionRequestObject) (GetCasesOfPrescriptionResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := h.cfg.Rx.Cases(ctx, a, request.RxId)
	if err != nil {
		return nil, err
	}
	cs = nonNilSlice(cs)
	return GetCasesOfPrescription200JSONResponse{Cases: &cs}, nil
}

// taskSkipped are the statuses by which a client says a task will not be
// done.
var taskSkipped = map[rx.TaskStatus]bool{rx.TaskCancelled: true, "REJECTED": true}

// ExecuteTask records a task done, or skipped when the body's status says
// so, publishing task.completed or task.skipped, and withhold.updated when
// the case's withhold moved.
func (h *API) ExecuteTask(ctx context.Context, request ExecuteTaskRequestObject) (ExecuteTaskResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	t := request.Body
	var hx rx.CaseHx
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		before, err := h.cfg.Rx.TaskCase(ctx, a, t.ID)
		if err != nil {
			return err
		}
		ev := eventTaskCompleted
		if taskSkipped[t.Status] {
			ev = eventTaskSkipped
			hx, err = h.cfg.Rx.Skip(ctx, a, t.ID, t.Note)
		} else {
			hx, err = h.cfg.Rx.Execute(ctx, a, rx.Execution{TaskID: t.ID, At: t.DoneAt, Data: t.Data, Note: t.Note})
		}
		if err != nil {
			return err
		}
		done := taskOf(&hx, t.ID)
		if err := pub.publish(ctx, ev, strconv.FormatInt(t.ID, 10), done); err != nil {
			return err
		}
		if w := hx.Withhold; w != nil && moved(before.Withhold, w) {
			return pub.publish(ctx, eventWithholdUpdated, strconv.FormatInt(w.ID, 10), w)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ExecuteTask200JSONResponse{Case: &hx}, nil
}

// taskOf returns task id of hx (nil when absent), the data of its event.
func taskOf(hx *rx.CaseHx, id int64) *rx.Task {
	for _, ts := range [][]rx.Task{hx.DoseTasks, hx.PromiseTasks} {
		for i := range ts {
			if ts[i].ID == id {
				return &ts[i]
			}
		}
	}
	return nil
}

// moved reports whether a withhold's meat or milk release differs from
// the one before.
func moved(before, after *rx.Withhold) bool {
	return before == nil || !before.MeatUntil.Equal(after.MeatUntil) || !before.MilkUntil.Equal(after.MilkUntil)
}

// MyRxCases lists the cases of the caller's prescriptions, as MyCases.
func (h *API) MyRxCases(ctx context.Context, request MyRxCasesRequestObject) (MyRxCasesResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := h.cfg.Rx.MyCases(ctx, a)
	if err != nil {
		return nil, err
	}
	cs = nonNilSlice(cs)
	return MyRxCases200JSONResponse{Cases: &cs}, nil
}

// GetWithholds lists the withholds in force on the caller's farms.
func (h *API) GetWithholds(ctx context.Context, request GetWithholdsRequestObject) (GetWithholdsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ws, err := h.cfg.Rx.FarmWithholds(ctx, a)
	if err != nil {
		return nil, err
	}
	ws = nonNilSlice(ws)
	return GetWithholds200JSONResponse{Labels: &ws}, nil
}

// count is n as the int32 the document's counts are.
func count(n int) *int32 {
	c := int32(min(n, 1<<31-1))
	return &c
}

// nonNilSlice makes a nil list encode as [] rather than null.
func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// GetHerdClearance answers, for every animal of a farm, whether it may
// ship meat or milk at a time, and why not.
func (h *API) GetHerdClearance(ctx context.Context, request GetHerdClearanceRequestObject) (GetHerdClearanceResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	var at time.Time
	if request.Params.At != nil {
		at = *request.Params.At
	}
	cs, err := h.cfg.Rx.HerdClearance(ctx, a, rx.UserID(request.MorId), rx.Commodity(request.Params.Commodity), at)
	if err != nil {
		return nil, err
	}
	return GetHerdClearance200JSONResponse{Clearances: nonNilSlice(cs)}, nil
}
