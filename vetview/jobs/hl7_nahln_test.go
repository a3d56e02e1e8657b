package jobs_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/nahln"
	"github.com/vetlink/vetlink/hl7/v2xml"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/vetview/jobs"
)

// nahlnReceiver answers like NAHLN: AA, or AE for the control IDs in
// reject, or the HTTP status in *fail when it is set.
func nahlnReceiver(t *testing.T, reject string, fail *atomic.Int32, posts *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if code := fail.Load(); code != 0 {
			http.Error(w, "busy", int(code))
			return
		}
		body, _ := io.ReadAll(r.Body)
		m, err := v2xml.Unmarshal(body)
		require.NoError(t, err)
		code, opts := hl7.AA, hl7.ACKOptions{ControlID: "ACK"}
		if id, _ := m.Get("MSH-10"); id == reject {
			code = hl7.AE
			opts.Errors = []hl7.AckError{{Location: hl7.Location{Segment: "PID", SegmentSeq: 1, Field: 35}, Code: hl7.CodeTableValueNotFound, Text: "species not reportable"}}
		}
		ack, err := hl7.NewACK(m, code, opts)
		require.NoError(t, err)
		x, err := v2xml.Marshal(ack)
		require.NoError(t, err)
		_, _ = w.Write(x)
	}))
}

func nahlnReport(control string, at time.Time) jobs.NAHLNReport {
	r := nahln.Report{
		ControlID:          control,
		Time:               at,
		SendingApplication: nahln.HD{Name: "LIMS", OID: "2.16.840.1.113883.3.5.7.40.1"},
		SendingFacility:    nahln.HD{Name: "VDL", OID: "2.16.840.1.113883.3.5.7.40"},
		Accession:          nahln.Identifier{ID: "A-" + control},
		// OPU_R25 in v2.6 requires at least one accession-level ROL.
		Roles: []nahln.Role{{Code: nahln.Code{Code: "PREM", Text: "Premises", System: "L"}, Organization: "Hillside Dairy"}},
		Owner: nahln.Party{Person: nahln.Person{Family: "Jensen"}},
		Animal: nahln.Animal{ID: nahln.Identifier{ID: "840003123456789"},
			Species: nahln.Code{Code: "9913008", Text: "Bos taurus", System: nahln.SNOMEDCT}},
		Specimens: []nahln.Specimen{{ID: "S1", Type: nahln.Code{Code: "119297000", System: nahln.SNOMEDCT},
			Orders: []nahln.Order{{Test: nahln.Code{Code: "5196-1", System: nahln.LOINC}, Reason: nahln.Code{Code: "SURV", System: "L"},
				Results: []nahln.Result{{Test: nahln.Code{Code: "5196-1", System: nahln.LOINC},
					Coded: &nahln.Code{Code: "260385009", Text: "Negative", System: nahln.SNOMEDCT}}}}}}},
	}
	return jobs.NAHLNReport{ID: uuid.New(), Report: r, CreatedAt: at, NextAttemptAt: at}
}

func nahlnKind(st jobs.HL7Store, now *time.Time) vetview.Kind[jobs.NAHLNSettings] {
	return jobs.NAHLNReportKind(st, jobs.NAHLNOptions{
		Getenv: func(k string) string {
			if k == "NAHLN_TOKEN" {
				return "s3cret"
			}
			return ""
		},
		Now: func() time.Time { return *now },
	})
}

func TestNAHLNReportOutcomes(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t).HL7()
	var fail, posts atomic.Int32
	srv := nahlnReceiver(t, "R-REJECT", &fail, &posts)
	defer srv.Close()
	now := time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC)

	ok, rejected, invalid, later := nahlnReport("R-OK", now), nahlnReport("R-REJECT", now), nahlnReport("R-INVALID", now), nahlnReport("R-LATER", now.Add(time.Hour))
	invalid.Report.Animal.Species.System = "L" // fails the profile: never sent
	for _, r := range []jobs.NAHLNReport{ok, rejected, invalid, later} {
		require.NoError(t, st.EnqueueNAHLNReport(ctx, r))
	}
	kind := nahlnKind(st, &now)
	s := jobs.NAHLNSettings{URL: srv.URL, BearerTokenEnv: "NAHLN_TOKEN", Batch: 10, MaxAttempts: 3, RetryMinutes: 5}
	require.NoError(t, kind.Run(ctx, vetview.RunInfo{}, s))
	require.Equal(t, int32(2), posts.Load())

	tests := []struct {
		r      jobs.NAHLNReport
		status jobs.NAHLNStatus
		ack    string
		tries  int
	}{
		{ok, jobs.NAHLNAccepted, "AA", 1},
		{rejected, jobs.NAHLNRejected, "AE", 1},
		{invalid, jobs.NAHLNInvalid, "", 1},
		{later, jobs.NAHLNPending, "", 0},
	}
	for _, tt := range tests {
		got, err := st.NAHLNReport(ctx, tt.r.ID)
		require.NoError(t, err)
		require.Equal(t, tt.status, got.Status, tt.r.Report.ControlID)
		require.Equal(t, tt.ack, got.AckCode, tt.r.Report.ControlID)
		require.Equal(t, tt.tries, got.Attempts, tt.r.Report.ControlID)
	}
	got, err := st.NAHLNReport(ctx, rejected.ID)
	require.NoError(t, err)
	require.Equal(t, []nahln.AckError{{Location: "PID^1^35", Code: "103", Text: "species not reportable", Severity: "E"}}, got.AckErrors)
	got, err = st.NAHLNReport(ctx, invalid.ID)
	require.NoError(t, err)
	require.Contains(t, got.LastError, "PID-35.3")
}

// A receiver that is down gets the report again after RetryMinutes, then
// after twice that, until MaxAttempts; the run reports the failure.
func TestNAHLNReportRetries(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t).HL7()
	var fail, posts atomic.Int32
	fail.Store(http.StatusServiceUnavailable)
	srv := nahlnReceiver(t, "", &fail, &posts)
	defer srv.Close()
	now := time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC)
	r := nahlnReport("R-1", now)
	require.NoError(t, st.EnqueueNAHLNReport(ctx, r))
	kind := nahlnKind(st, &now)
	s := jobs.NAHLNSettings{URL: srv.URL, BearerTokenEnv: "NAHLN_TOKEN", Batch: 10, MaxAttempts: 3, RetryMinutes: 5}

	steps := []struct {
		advance time.Duration
		status  jobs.NAHLNStatus
		next    time.Duration // after the start, for pending
	}{
		{0, jobs.NAHLNPending, 5 * time.Minute},
		{5 * time.Minute, jobs.NAHLNPending, 15 * time.Minute}, // 5 + 10
		{10 * time.Minute, jobs.NAHLNFailed, 0},
	}
	start := now
	for i, step := range steps {
		now = now.Add(step.advance)
		err := kind.Run(ctx, vetview.RunInfo{}, s)
		require.ErrorContains(t, err, "1 of 1 reports not delivered")
		got, err := st.NAHLNReport(ctx, r.ID)
		require.NoError(t, err)
		require.Equal(t, step.status, got.Status, "attempt %d", i+1)
		require.Equal(t, i+1, got.Attempts)
		require.Contains(t, got.LastError, "503")
		if step.status == jobs.NAHLNPending {
			require.Equal(t, start.Add(step.next), got.NextAttemptAt)
			// Not due yet: a run now sends nothing.
			require.NoError(t, kind.Run(ctx, vetview.RunInfo{}, s))
		}
	}
	require.Equal(t, int32(3), posts.Load())
}

func TestNAHLNReportNeedsURL(t *testing.T) {
	now := time.Now()
	kind := nahlnKind(storetest.SQLite(t).HL7(), &now)
	require.NoError(t, kind.Defaults.Validate())
	require.ErrorContains(t, kind.Run(context.Background(), vetview.RunInfo{}, kind.Defaults), "url is not set")
}
