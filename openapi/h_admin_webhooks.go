package openapi

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/webhook"
)

// recentDeliveries is how many of a subscription's newest deliveries its
// success rate is computed over.
const recentDeliveries = 100

// adminSubscription is sub without its secrets' keys, with its recent
// success rate read from the delivery log.
func (h *API) adminSubscription(ctx context.Context, sub webhook.Subscription) (AdminSubscription, error) {
	out := AdminSubscription{
		Id: sub.ID, Name: sub.Name, Url: sub.URL, Format: string(sub.Format),
		Active: sub.Active, Strict200: sub.Strict200,
		Events:    []string{},
		CreatedAt: sub.CreatedAt.UTC(), UpdatedAt: sub.UpdatedAt.UTC(),
	}
	out.Secrets = make([]struct {
		ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	}, len(sub.Secrets))
	for i, s := range sub.Secrets {
		if !s.ExpiresAt.IsZero() {
			t := s.ExpiresAt.UTC()
			out.Secrets[i].ExpiresAt = &t
		}
	}
	for _, e := range sub.Events {
		out.Events = append(out.Events, string(e))
	}
	if sub.Department != "" {
		out.Department = &sub.Department
	}
	if sub.MaxInFlight != 0 {
		out.MaxInFlight = &sub.MaxInFlight
	}
	if !sub.FailingSince.IsZero() {
		t := sub.FailingSince.UTC()
		out.FailingSince = &t
	}
	if !sub.DisabledAt.IsZero() {
		t := sub.DisabledAt.UTC()
		out.DisabledAt = &t
		out.DisabledReason = &sub.DisabledReason
	}
	ds, err := h.cfg.Webhooks.Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sub.ID, Limit: recentDeliveries})
	if err != nil {
		return AdminSubscription{}, err
	}
	ok := 0
	for _, d := range ds {
		switch d.State {
		case webhook.StateSucceeded:
			ok++
			out.RecentDeliveries++
		case webhook.StateFailed:
			out.RecentDeliveries++
		}
	}
	if out.RecentDeliveries > 0 {
		rate := float32(ok) / float32(out.RecentDeliveries)
		out.RecentSuccessRate = &rate
	}
	return out, nil
}

// subscriptionOf applies the wire's input to sub.
func subscriptionOf(in *AdminSubscriptionInput, sub webhook.Subscription) (webhook.Subscription, error) {
	if in == nil {
		return sub, fmt.Errorf("%w: a subscription needs a body", rx.ErrInvalid)
	}
	sub.URL = in.Url
	sub.Events = sub.Events[:0:0]
	for _, e := range in.Events {
		sub.Events = append(sub.Events, webhook.EventType(e))
	}
	sub.Name, sub.Department, sub.MaxInFlight = "", "", 0
	if in.Name != nil {
		sub.Name = *in.Name
	}
	if in.Department != nil {
		sub.Department = *in.Department
	}
	if in.MaxInFlight != nil {
		sub.MaxInFlight = *in.MaxInFlight
	}
	sub.Format = webhook.FormatJSON
	if in.Format != nil {
		sub.Format = webhook.Format(*in.Format)
	}
	sub.Active = in.Active == nil || *in.Active
	sub.Strict200 = in.Strict200 != nil && *in.Strict200
	return sub, nil
}

// withoutSecret is what the audit log keeps of a subscription input.
func withoutSecret(in *AdminSubscriptionInput) *AdminSubscriptionInput {
	if in == nil || in.Secret == nil {
		return in
	}
	c := *in
	redacted := "(redacted)"
	c.Secret = &redacted
	return &c
}

// ListAdminSubscriptions lists the subscriptions with their success rate.
func (h *API) ListAdminSubscriptions(ctx context.Context, _ ListAdminSubscriptionsRequestObject) (ListAdminSubscriptionsResponseObject, error) {
	if _, err := h.administrator(ctx); err != nil {
		return nil, err
	}
	subs, err := h.cfg.Webhooks.Subscriptions(ctx, webhook.SubscriptionQuery{})
	if err != nil {
		return nil, err
	}
	out := ListAdminSubscriptions200JSONResponse{}
	for _, s := range subs {
		as, err := h.adminSubscription(ctx, s)
		if err != nil {
			return nil, err
		}
		out = append(out, as)
	}
	return out, nil
}

// GetAdminSubscription answers one subscription without its secrets.
func (h *API) GetAdminSubscription(ctx context.Context, request GetAdminSubscriptionRequestObject) (GetAdminSubscriptionResponseObject, error) {
	if _, err := h.administrator(ctx); err != nil {
		return nil, err
	}
	sub, err := h.cfg.Webhooks.Subscription(ctx, uuid.UUID(request.Id))
	if err != nil {
		return nil, err
	}
	out, err := h.adminSubscription(ctx, sub)
	if err != nil {
		return nil, err
	}
	return GetAdminSubscription200JSONResponse(out), nil
}

// CreateAdminSubscription creates a subscription and shows its secret once.
func (h *API) CreateAdminSubscription(ctx context.Context, request CreateAdminSubscriptionRequestObject) (CreateAdminSubscriptionResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	sub, err := subscriptionOf(request.Body, webhook.Subscription{})
	if err != nil {
		return nil, err
	}
	if request.Body.Secret != nil && *request.Body.Secret != "" {
		sub.Secrets = []webhook.Secret{{Key: *request.Body.Secret}}
	}
	sub.ID = uuid.New()
	var created webhook.Subscription
	err = h.adminChange(ctx, a, "createAdminSubscription", sub.ID.String(), withoutSecret(request.Body), func(ctx context.Context) error {
		created, err = h.cfg.Webhooks.CreateSubscription(ctx, sub)
		return err
	})
	if err != nil {
		return nil, err
	}
	out, err := h.adminSubscription(ctx, created)
	if err != nil {
		return nil, err
	}
	return CreateAdminSubscription201JSONResponse{Subscription: out, Secret: created.Secrets[len(created.Secrets)-1].Key}, nil
}

// UpdateAdminSubscription changes a subscription, keeping its secrets.
func (h *API) UpdateAdminSubscription(ctx context.Context, request UpdateAdminSubscriptionRequestObject) (UpdateAdminSubscriptionResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	if request.Body != nil && request.Body.Secret != nil {
		return nil, fmt.Errorf("%w: secret: a subscription's secret changes only by rotation (rotateAdminSubscriptionSecret)", rx.ErrInvalid)
	}
	id := uuid.UUID(request.Id)
	var updated webhook.Subscription
	err = h.adminChange(ctx, a, "updateAdminSubscription", id.String(), request.Body, func(ctx context.Context) error {
		old, err := h.cfg.Webhooks.Subscription(ctx, id)
		if err != nil {
			return err
		}
		sub, err := subscriptionOf(request.Body, old)
		if err != nil {
			return err
		}
		updated, err = h.cfg.Webhooks.UpdateSubscription(ctx, sub)
		return err
	})
	if err != nil {
		return nil, err
	}
	out, err := h.adminSubscription(ctx, updated)
	if err != nil {
		return nil, err
	}
	return UpdateAdminSubscription200JSONResponse(out), nil
}

// DisableAdminSubscription switches a subscription off.
func (h *API) DisableAdminSubscription(ctx context.Context, request DisableAdminSubscriptionRequestObject) (DisableAdminSubscriptionResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	id := uuid.UUID(request.Id)
	var updated webhook.Subscription
	err = h.adminChange(ctx, a, "disableAdminSubscription", id.String(), nil, func(ctx context.Context) error {
		sub, err := h.cfg.Webhooks.Subscription(ctx, id)
		if err != nil {
			return err
		}
		sub.Active = false
		updated, err = h.cfg.Webhooks.UpdateSubscription(ctx, sub)
		return err
	})
	if err != nil {
		return nil, err
	}
	out, err := h.adminSubscription(ctx, updated)
	if err != nil {
		return nil, err
	}
	return DisableAdminSubscription200JSONResponse(out), nil
}

// DeleteAdminSubscription deletes a subscription with its deliveries.
func (h *API) DeleteAdminSubscription(ctx context.Context, request DeleteAdminSubscriptionRequestObject) (DeleteAdminSubscriptionResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	id := uuid.UUID(request.Id)
	err = h.adminChange(ctx, a, "deleteAdminSubscription", id.String(), nil, func(ctx context.Context) error {
		if _, err := h.cfg.Webhooks.Subscription(ctx, id); err != nil {
			return err
		}
		return h.cfg.Webhooks.DeleteSubscription(ctx, id)
	})
	if err != nil {
		return nil, err
	}
	return DeleteAdminSubscription204Response{}, nil
}

// RotateAdminSubscriptionSecret adds a new secret, shown once, and lets the
// old ones expire after the grace period.
func (h *API) RotateAdminSubscriptionSecret(ctx context.Context, request RotateAdminSubscriptionSecretRequestObject) (RotateAdminSubscriptionSecretResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	grace := 24 * time.Hour
	if request.Params.GraceSeconds != nil {
		grace = time.Duration(*request.Params.GraceSeconds) * time.Second
	}
	id := uuid.UUID(request.Id)
	var rotated webhook.Subscription
	err = h.adminChange(ctx, a, "rotateAdminSubscriptionSecret", id.String(), map[string]any{"graceSeconds": int64(grace / time.Second)}, func(ctx context.Context) error {
		rotated, err = h.cfg.Webhooks.RotateSecret(ctx, id, grace)
		return err
	})
	if err != nil {
		return nil, err
	}
	out, err := h.adminSubscription(ctx, rotated)
	if err != nil {
		return nil, err
	}
	return RotateAdminSubscriptionSecret200JSONResponse{Subscription: out, Secret: rotated.Secrets[len(rotated.Secrets)-1].Key}, nil
}

// RecoverAdminSubscription resends the failed deliveries of a time range.
func (h *API) RecoverAdminSubscription(ctx context.Context, request RecoverAdminSubscriptionRequestObject) (RecoverAdminSubscriptionResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	if request.Body == nil || !request.Body.Before.After(request.Body.From) {
		return nil, fmt.Errorf("%w: from, before: the range [from, before) must not be empty", rx.ErrInvalid)
	}
	id := uuid.UUID(request.Id)
	n := 0
	err = h.adminChange(ctx, a, "recoverAdminSubscription", id.String(), request.Body, func(ctx context.Context) error {
		n, err = h.cfg.Webhooks.Recover(ctx, id, request.Body.From, request.Body.Before)
		return err
	})
	if err != nil {
		return nil, err
	}
	return RecoverAdminSubscription200JSONResponse{Recovered: n}, nil
}

// RecoverAdminStranded resends the deliveries stranded by a disabling.
func (h *API) RecoverAdminStranded(ctx context.Context, _ RecoverAdminStrandedRequestObject) (RecoverAdminStrandedResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	n := 0
	err = h.adminChange(ctx, a, "recoverAdminStranded", "", nil, func(ctx context.Context) error {
		n, err = h.cfg.Webhooks.RecoverStranded(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return RecoverAdminStranded200JSONResponse{Recovered: n}, nil
}

// ListAdminDeliveries queries the delivery log.
func (h *API) ListAdminDeliveries(ctx context.Context, request ListAdminDeliveriesRequestObject) (ListAdminDeliveriesResponseObject, error) {
	if _, err := h.administrator(ctx); err != nil {
		return nil, err
	}
	p := request.Params
	limit := 100
	if p.Limit != nil {
		limit = *p.Limit
	}
	q := webhook.DeliveryQuery{Limit: limit}
	if p.Status != nil {
		q.State = webhook.DeliveryState(*p.Status)
	}
	if p.Subscription != nil {
		q.SubscriptionID = uuid.UUID(*p.Subscription)
	}
	if p.From != nil {
		q.CreatedFrom = *p.From
	}
	if p.Before != nil {
		q.CreatedBefore = *p.Before
	}
	if p.EventType != nil && *p.EventType != "" {
		// The log has no index by event type: read a wider window and
		// keep the page's worth of the type asked for.
		q.Limit = min(limit*10, 10000)
	}
	ds, err := h.cfg.Webhooks.Deliveries(ctx, q)
	if err != nil {
		return nil, err
	}
	out := ListAdminDeliveries200JSONResponse{}
	for _, d := range ds {
		if p.EventType != nil && *p.EventType != "" && string(d.EventType) != *p.EventType {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, adminDelivery(d))
	}
	return out, nil
}

func adminDelivery(d webhook.Delivery) AdminDelivery {
	out := AdminDelivery{
		Id: d.ID, EventId: d.EventID, SubscriptionId: d.SubscriptionID, EventType: string(d.EventType),
		Status: AdminDeliveryStatus(d.State), Attempts: d.Attempts,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
	if d.State == webhook.StatePending && !d.NextAttemptAt.IsZero() {
		t := d.NextAttemptAt.UTC()
		out.NextAttemptAt = &t
	}
	if d.LastStatus != 0 {
		out.LastStatus = &d.LastStatus
	}
	if d.LastError != "" {
		out.LastError = &d.LastError
	}
	if !d.CompletedAt.IsZero() {
		t := d.CompletedAt.UTC()
		out.CompletedAt = &t
	}
	return out
}

// GetAdminDelivery answers one delivery with every attempt.
func (h *API) GetAdminDelivery(ctx context.Context, request GetAdminDeliveryRequestObject) (GetAdminDeliveryResponseObject, error) {
	if _, err := h.administrator(ctx); err != nil {
		return nil, err
	}
	id := uuid.UUID(request.Id)
	d, err := h.cfg.Webhooks.Store.Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	attempts, err := h.cfg.Webhooks.Attempts(ctx, id)
	if err != nil {
		return nil, err
	}
	out := AdminDeliveryDetail{Delivery: adminDelivery(d), Attempts: []AdminDeliveryAttempt{}}
	for _, at := range attempts {
		a := AdminDeliveryAttempt{
			Number: at.Number, StartedAt: at.StartedAt.UTC(), StatusCode: at.StatusCode,
			LatencyMs: float32(at.Duration.Microseconds()) / 1000,
		}
		if at.Response != "" {
			a.Response = &at.Response
		}
		if at.Error != "" {
			a.Error = &at.Error
		}
		if !at.NextAttemptAt.IsZero() {
			t := at.NextAttemptAt.UTC()
			a.NextAttemptAt = &t
		}
		out.Attempts = append(out.Attempts, a)
	}
	return GetAdminDelivery200JSONResponse(out), nil
}

// ResendAdminDelivery sends one delivery again.
func (h *API) ResendAdminDelivery(ctx context.Context, request ResendAdminDeliveryRequestObject) (ResendAdminDeliveryResponseObject, error) {
	a, err := h.administrator(ctx)
	if err != nil {
		return nil, err
	}
	id := uuid.UUID(request.Id)
	err = h.adminChange(ctx, a, "resendAdminDelivery", id.String(), nil, func(ctx context.Context) error {
		if _, err := h.cfg.Webhooks.Store.Delivery(ctx, id); err != nil {
			return err
		}
		return h.cfg.Webhooks.Resend(ctx, id)
	})
	if err != nil {
		return nil, err
	}
	return ResendAdminDelivery202Response{}, nil
}
