package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/mllp"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview/jobs"
	"github.com/vetlink/vetlink/webhook"
)

// eventsAbout returns the types of the events in db's webhook outbox whose
// resource is id, oldest first.
func eventsAbout(t *testing.T, db *store.DB, id uuid.UUID) []string {
	t.Helper()
	rows, err := db.SQL().QueryContext(t.Context(), `SELECT type FROM webhook_events WHERE resource_id = $1 ORDER BY occurred_at, id`, id.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var types []string
	for rows.Next() {
		var typ string
		if err := rows.Scan(&typ); err != nil {
			t.Fatal(err)
		}
		types = append(types, typ)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return types
}

// withoutHL7Events is a webhook service whose catalogue lacks the HL7
// events, so that publishing them fails.
func withoutHL7Events(t *testing.T, db *store.DB) *webhook.Service {
	t.Helper()
	c, err := webhook.NewCatalogue(webhook.EventKind{Type: "admin.changed", Param: "admin_change_id", Resource: "admin_changes"})
	if err != nil {
		t.Fatal(err)
	}
	return &webhook.Service{Store: db.Webhooks(), Catalogue: c}
}

// TestPublishingHL7StoreSaveInbound: a new message is stored with one
// lab_result.received about it, a retransmission with nothing, and a
// message whose event cannot be published is not stored either.
func TestPublishingHL7StoreSaveInbound(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		woken := 0
		publishing := newPublishingHL7Store(db, &webhook.Service{Store: db.Webhooks()}, func() { woken++ })
		failing := newPublishingHL7Store(db, withoutHL7Events(t, db), func() { woken++ })
		received := time.Date(2026, 11, 21, 15, 30, 0, 0, time.UTC)
		message := func(controlID string) jobs.InboundMessage {
			return jobs.InboundMessage{ID: uuid.New(), Source: "chem-analyzer", SendingApplication: "CHEM", SendingFacility: "VETLAB",
				ControlID: controlID, MessageType: "ORU^R01", RemoteAddr: "127.0.0.1:40000", ReceivedAt: received, Data: []byte("MSH|^~\\&|CHEM|VETLAB\r")}
		}
		for _, tc := range []struct {
			name       string
			st         *publishingHL7Store
			msg        jobs.InboundMessage
			wantStored bool
			wantErr    bool
			wantEvents []string
			wantWoken  int
			wantInDB   bool // a message with msg's ID is stored
		}{
			{"a new message", publishing, message("CHEM-0042"), true, false, []string{"lab_result.received"}, 1, true},
			{"its retransmission", publishing, message("CHEM-0042"), false, false, nil, 0, false},
			{"a new message whose event fails", failing, message("CHEM-0043"), false, true, nil, 0, false},
			{"the same message once its event publishes", publishing, message("CHEM-0043"), true, false, []string{"lab_result.received"}, 1, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := woken
				stored, err := tc.st.SaveInbound(ctx, tc.msg)
				if (err != nil) != tc.wantErr || stored != tc.wantStored {
					t.Fatalf("SaveInbound = %v, %v; want stored %v, error %v", stored, err, tc.wantStored, tc.wantErr)
				}
				if got := eventsAbout(t, db, tc.msg.ID); !slices.Equal(got, tc.wantEvents) {
					t.Errorf("events about message %s: %q, want %q", tc.msg.ID, got, tc.wantEvents)
				}
				if got := woken - before; got != tc.wantWoken {
					t.Errorf("dispatcher woken %d times, want %d", got, tc.wantWoken)
				}
				msgs, err := db.HL7().InboundMessages(ctx, "chem-analyzer", time.Time{}, 100)
				if err != nil {
					t.Fatal(err)
				}
				inDB := slices.ContainsFunc(msgs, func(m jobs.InboundMessage) bool { return m.ID == tc.msg.ID })
				if inDB != tc.wantInDB {
					t.Errorf("message %s stored: %v, want %v", tc.msg.ControlID, inDB, tc.wantInDB)
				}
			})
		}
	})
}

// TestPublishingHL7StoreRecordNAHLNAttempt: an attempt NAHLN answered
// (accepted, rejected) publishes one nahln_report.sent about the report;
// one it did not answer publishes nothing; and an accepted attempt whose
// event cannot be published is not recorded.
func TestPublishingHL7StoreRecordNAHLNAttempt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		woken := 0
		publishing := newPublishingHL7Store(db, &webhook.Service{Store: db.Webhooks()}, func() { woken++ })
		failing := newPublishingHL7Store(db, withoutHL7Events(t, db), func() { woken++ })
		at := time.Date(2026, 11, 21, 16, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			name         string
			st           *publishingHL7Store
			status       jobs.NAHLNStatus
			unknown      bool // the report was never enqueued
			wantErr      bool
			wantEvents   []string
			wantWoken    int
			wantStatus   jobs.NAHLNStatus
			wantAttempts int
		}{
			{"accepted", publishing, jobs.NAHLNAccepted, false, false, []string{"nahln_report.sent"}, 1, jobs.NAHLNAccepted, 1},
			{"rejected", publishing, jobs.NAHLNRejected, false, false, []string{"nahln_report.sent"}, 1, jobs.NAHLNRejected, 1},
			{"pending again", publishing, jobs.NAHLNPending, false, false, nil, 0, jobs.NAHLNPending, 1},
			{"invalid", publishing, jobs.NAHLNInvalid, false, false, nil, 0, jobs.NAHLNInvalid, 1},
			{"failed", publishing, jobs.NAHLNFailed, false, false, nil, 0, jobs.NAHLNFailed, 1},
			{"accepted, event fails", failing, jobs.NAHLNAccepted, false, true, nil, 0, jobs.NAHLNPending, 0},
			{"unknown report", publishing, jobs.NAHLNAccepted, true, true, nil, 0, "", 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				id := uuid.New()
				if !tc.unknown {
					if err := db.HL7().EnqueueNAHLNReport(ctx, jobs.NAHLNReport{ID: id, CreatedAt: at, NextAttemptAt: at}); err != nil {
						t.Fatal(err)
					}
				}
				before := woken
				err := tc.st.RecordNAHLNAttempt(ctx, id, jobs.NAHLNAttempt{At: at, Status: tc.status, NextAttemptAt: at.Add(5 * time.Minute), AckCode: "AA"})
				if (err != nil) != tc.wantErr {
					t.Fatalf("RecordNAHLNAttempt = %v, want error %v", err, tc.wantErr)
				}
				if tc.unknown && !errors.Is(err, jobs.ErrNAHLNReportNotFound) {
					t.Errorf("RecordNAHLNAttempt of an unknown report = %v, want ErrNAHLNReportNotFound", err)
				}
				if got := eventsAbout(t, db, id); !slices.Equal(got, tc.wantEvents) {
					t.Errorf("events about report %s: %q, want %q", id, got, tc.wantEvents)
				}
				if got := woken - before; got != tc.wantWoken {
					t.Errorf("dispatcher woken %d times, want %d", got, tc.wantWoken)
				}
				if tc.unknown {
					return
				}
				r, err := db.HL7().NAHLNReport(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if r.Status != tc.wantStatus || r.Attempts != tc.wantAttempts {
					t.Errorf("report is %s after %d attempts, want %s after %d", r.Status, r.Attempts, tc.wantStatus, tc.wantAttempts)
				}
			})
		}
	})
}

// TestLabResultWebhookEndToEnd is a lab's result reaching an integrator
// through the real server, on both engines: the administrator subscribes a
// receiver to lab_result.received and configures an MLLP listener job; an
// instrument sends an ORU^R01; the receiver gets the signed webhook, and
// the lab_result_id it carries is the stored message's ID, the key by which
// the integration API's lab_results collection finds it.
func TestLabResultWebhookEndToEnd(t *testing.T) {
	onEachEngine(t, testLabResultWebhook)
}

func testLabResultWebhook(t *testing.T, dsn string) {
	const serverName = "hl7-events-e2e"
	addr := startIntegrationServer(t, dsn, serverName)
	base := "http://" + addr
	ctx := t.Context()

	var sess struct {
		Token string `json:"token"`
	}
	status, body := call(t, "POST", base+"/api/users/logins", "", fmt.Sprintf(`{"apikey":%q,"identifier":"administrator","password":%q}`, e2eAPIKey, e2eAdminPassword))
	if status != 200 || json.Unmarshal(body, &sess) != nil || sess.Token == "" {
		t.Fatalf("login: %d %s", status, body)
	}

	// The integrator's receiver checks each webhook's signature.
	secret := webhook.NewSecret()
	key, err := webhook.ParseKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	verifier := &webhook.Verifier{Keys: []webhook.Key{key}}
	got := make(chan []byte, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := verifier.Verify(r.Header, b); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		got <- b
	}))
	defer recv.Close()
	status, body = call(t, "POST", base+"/api/admin/webhooks/subscriptions", sess.Token,
		`{"name":"LabFeed","url":"`+recv.URL+`/events","events":["lab_result.received"],"secret":"`+secret+`"}`)
	if status != 201 {
		t.Fatalf("subscribe: %d %s", status, body)
	}

	// The MLLP listener job, on this server, on a loopback port.
	mllpAddr := freeAddr(t)
	status, body = call(t, "POST", base+"/api/admin/jobs", sess.Token, `{"name":"Chemistry analyzer","kind":"hl7-mllp-listener",
		"settings":{"addr":"`+mllpAddr+`","source":"chem-analyzer","windowMinutes":1,"readTimeoutSeconds":30},
		"schedule":{"every":"PT1S"},"servers":["`+serverName+`"],"active":true}`)
	if status != 201 {
		t.Fatalf("configure the listener: %d %s", status, body)
	}

	// The instrument sends until the listener, started by the scheduler
	// within a few seconds, acknowledges.
	er7, err := os.ReadFile("../../hl7/testdata/oru_r01_251_cbc.hl7")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := hl7.Parse(er7)
	if err != nil {
		t.Fatal(err)
	}
	instrument := &mllp.Client{Addr: mllpAddr, ReadTimeout: 10 * time.Second, BackoffMin: 100 * time.Millisecond, BackoffMax: time.Second}
	defer instrument.Close()
	sendCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := instrument.Send(sendCtx, msg); err != nil {
		t.Fatalf("send the ORU^R01: %v", err)
	}

	var event struct {
		Type string `json:"type"`
		Data struct {
			LabResultID string `json:"lab_result_id"`
		} `json:"data"`
	}
	select {
	case b := <-got:
		if err := json.Unmarshal(b, &event); err != nil {
			t.Fatalf("webhook %s: %v", b, err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no lab_result.received reached the receiver")
	}
	if event.Type != "lab_result.received" || event.Data.LabResultID == "" {
		t.Fatalf("webhook %+v, want lab_result.received with a lab_result_id", event)
	}

	// The ID is the stored message's, and GET /api/0.1/lab_results/<id>/
	// (the lab_results collection filtered by its key) finds it.
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	msgs, err := db.HL7().InboundMessages(ctx, "chem-analyzer", time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].ID.String() != event.Data.LabResultID || msgs[0].ControlID != "LAB20261121-0042" {
		t.Fatalf("stored messages %+v, want the one message %s, LAB20261121-0042", msgs, event.Data.LabResultID)
	}
	page, err := db.RestAPI().List(ctx, "lab_results", store.RestQuery{Filters: []store.FilterParam{{Param: "id", Value: event.Data.LabResultID}}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 || page.Records[0]["control_id"] != "LAB20261121-0042" || page.Records[0]["message_type"] != "ORU^R01" {
		t.Fatalf("lab_results/%s/: %+v", event.Data.LabResultID, page.Records)
	}
}
