package main

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/vetview/jobs"
	"github.com/vetlink/vetlink/webhook"
)

// The webhook events of the HL7 job kinds (webhook/catalogue.go). Their
// resource IDs are the keys of the integration API's collections
// lab_results and nahln_reports (store/restapi_more.go), so that an
// integration told lab_result_id=<id> reads GET /api/0.1/lab_results/<id>/.
const (
	eventLabResultReceived webhook.EventType = "lab_result.received"
	eventNAHLNReportSent   webhook.EventType = "nahln_report.sent"
)

// publishingHL7Store is the store the server gives the HL7 job kinds: the
// durable store, with the webhook events of what they record published in
// the same transaction as the record, so that an event is never published
// for a write that rolled back, nor a write committed without its event.
//
//   - SaveInbound publishes lab_result.received with the message's ID when
//     the message is new; a retransmission the store already holds
//     publishes nothing (its event went out with the first copy).
//   - RecordNAHLNAttempt publishes nahln_report.sent with the report's ID
//     when NAHLN answered (accepted or rejected); an attempt that leaves
//     the report pending, or marks it invalid or failed, was not answered
//     by NAHLN and publishes nothing.
//
// When Publish fails, the write is rolled back and the error returned: the
// listener then answers AE and the instrument sends the message again, and
// the NAHLN run reports the attempt as not recorded (the claim's lease
// returns the report to the queue). The other methods are the store's.
type publishingHL7Store struct {
	jobs.HL7Store // *store.HL7Store of db

	db       *store.DB
	webhooks *webhook.Service
	// published is called after a commit that published an event (the
	// dispatcher's Wake); nil means nobody is told.
	published func()
}

var _ jobs.HL7Store = (*publishingHL7Store)(nil)

// newPublishingHL7Store returns db's HL7 store publishing through
// webhooks, calling published (when not nil) after each commit that
// published an event.
func newPublishingHL7Store(db *store.DB, webhooks *webhook.Service, published func()) *publishingHL7Store {
	return &publishingHL7Store{HL7Store: db.HL7(), db: db, webhooks: webhooks, published: published}
}

// SaveInbound stores m and, when it is new, publishes lab_result.received
// in the same transaction.
func (s *publishingHL7Store) SaveInbound(ctx context.Context, m jobs.InboundMessage) (bool, error) {
	var stored bool
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if stored, err = s.HL7Store.SaveInbound(ctx, m); err != nil || !stored {
			return err
		}
		return s.publish(ctx, eventLabResultReceived, m.ID, "HL7 message "+m.ControlID+" from "+m.Source)
	})
	if err != nil {
		return false, err
	}
	if stored {
		s.wake()
	}
	return stored, nil
}

// RecordNAHLNAttempt records a, and publishes nahln_report.sent in the same
// transaction when NAHLN answered it.
func (s *publishingHL7Store) RecordNAHLNAttempt(ctx context.Context, id uuid.UUID, a jobs.NAHLNAttempt) error {
	answered := a.Status == jobs.NAHLNAccepted || a.Status == jobs.NAHLNRejected
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.HL7Store.RecordNAHLNAttempt(ctx, id, a); err != nil || !answered {
			return err
		}
		return s.publish(ctx, eventNAHLNReportSent, id, "NAHLN report "+id.String()+" ("+string(a.Status)+")")
	})
	if err != nil {
		return err
	}
	if answered {
		s.wake()
	}
	return nil
}

// publish stores one event of type t about the record id, which what
// describes in the error.
func (s *publishingHL7Store) publish(ctx context.Context, t webhook.EventType, id uuid.UUID, what string) error {
	if _, err := s.webhooks.Publish(ctx, webhook.Event{Type: t, ResourceID: id.String()}); err != nil {
		return fmt.Errorf("server: publishing %s for %s: %w", t, what, err)
	}
	return nil
}

func (s *publishingHL7Store) wake() {
	if s.published != nil {
		s.published()
	}
}
