// Package hl7jobstest checks implementations of jobs.HL7Store, the store
// of the HL7 job kinds, so every engine passes the same suite.
package hl7jobstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/hl7/nahln"
	"github.com/vetlink/vetlink/vetview/jobs"
)

// TestStore runs the conformance suite. newStore returns an empty store
// for each subtest.
func TestStore(t *testing.T, newStore func(t *testing.T) jobs.HL7Store) {
	t.Run("InboundStoredOnce", func(t *testing.T) { testInbound(t, newStore(t)) })
	t.Run("InboundListing", func(t *testing.T) { testInboundListing(t, newStore(t)) })
	t.Run("ReportRoundTrip", func(t *testing.T) { testReportRoundTrip(t, newStore(t)) })
	t.Run("ClaimDueOnly", func(t *testing.T) { testClaim(t, newStore(t)) })
	t.Run("RecordAttempts", func(t *testing.T) { testRecord(t, newStore(t)) })
	t.Run("ConcurrentClaims", func(t *testing.T) { testConcurrentClaims(t, newStore(t)) })
}

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func message(source, facility, control string, at time.Time) jobs.InboundMessage {
	return jobs.InboundMessage{
		ID: uuid.New(), Source: source, SendingApplication: "ANALYZER", SendingFacility: facility,
		ControlID: control, MessageType: "ORU^R01", RemoteAddr: "192.0.2.7:40112", ReceivedAt: at,
		// Not UTF-8 on purpose: 8859/1 bytes are stored as they came.
		Data: []byte("MSH|^~\\&|ANALYZER|" + facility + "|||20261121||ORU^R01|" + control + "|P|2.5.1||||||8859/1\rNTE|1||caf\xe9\r"),
	}
}

func testInbound(t *testing.T, st jobs.HL7Store) {
	ctx := context.Background()
	m := message("chem-1", "LAB", "C1", t0)
	stored, err := st.SaveInbound(ctx, m)
	require.NoError(t, err)
	require.True(t, stored)

	again := message("chem-1", "LAB", "C1", t0.Add(time.Second)) // retransmission
	stored, err = st.SaveInbound(ctx, again)
	require.NoError(t, err)
	require.False(t, stored)

	for _, other := range []jobs.InboundMessage{
		message("chem-2", "LAB", "C1", t0),                    // another listener
		message("chem-1", "LAB2", "C1", t0.Add(time.Second)),  // another facility
		message("chem-1", "LAB", "C2", t0.Add(2*time.Second)), // another message
	} {
		stored, err = st.SaveInbound(ctx, other)
		require.NoError(t, err)
		require.True(t, stored, "%s %s %s", other.Source, other.SendingFacility, other.ControlID)
	}
	got, err := st.InboundMessages(ctx, "chem-1", t0, 10)
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.Equal(t, m, got[0])
}

func testInboundListing(t *testing.T, st jobs.HL7Store) {
	ctx := context.Background()
	for i := range 5 {
		_, err := st.SaveInbound(ctx, message("hema", "LAB", fmt.Sprint("H", i), t0.Add(time.Duration(4-i)*time.Minute)))
		require.NoError(t, err)
	}
	got, err := st.InboundMessages(ctx, "hema", t0.Add(time.Minute), 3)
	require.NoError(t, err)
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ControlID)
	}
	require.Equal(t, []string{"H3", "H2", "H1"}, ids) // oldest first, from since, at most 3
	none, err := st.InboundMessages(ctx, "other", t0, 10)
	require.NoError(t, err)
	require.Empty(t, none)
}

func report(control string, created time.Time) jobs.NAHLNReport {
	return jobs.NAHLNReport{
		ID:            uuid.New(),
		CreatedAt:     created,
		NextAttemptAt: created,
		Report: nahln.Report{
			ControlID:       control,
			Time:            created,
			SendingFacility: nahln.HD{Name: "VDL", OID: "2.16.840.1.113883.3.5.7.40"},
			Accession:       nahln.Identifier{ID: "A-" + control},
			Animal:          nahln.Animal{Species: nahln.Code{Code: "9913008", Text: "Bos taurus", System: nahln.SNOMEDCT}},
			Specimens: []nahln.Specimen{{ID: "S1", Orders: []nahln.Order{{Results: []nahln.Result{{
				Test:    nahln.Code{Code: "94309-2", System: nahln.LOINC},
				Numeric: &nahln.Quantity{Value: "38.20", Unit: nahln.Code{Code: "{Ct}", System: nahln.UCUM}},
			}}}}}},
		},
	}
}

func testReportRoundTrip(t *testing.T, st jobs.HL7Store) {
	ctx := context.Background()
	r := report("R1", t0)
	require.NoError(t, st.EnqueueNAHLNReport(ctx, r))
	got, err := st.NAHLNReport(ctx, r.ID)
	require.NoError(t, err)
	want := r
	want.Status = jobs.NAHLNPending
	require.Equal(t, want, got)

	_, err = st.NAHLNReport(ctx, uuid.New())
	require.ErrorIs(t, err, jobs.ErrNAHLNReportNotFound)
}

func testClaim(t *testing.T, st jobs.HL7Store) {
	ctx := context.Background()
	early, late, future := report("E", t0), report("L", t0.Add(time.Minute)), report("F", t0.Add(time.Hour))
	for _, r := range []jobs.NAHLNReport{late, future, early} {
		require.NoError(t, st.EnqueueNAHLNReport(ctx, r))
	}
	now, until := t0.Add(2*time.Minute), t0.Add(12*time.Minute)
	got, err := st.ClaimNAHLNReports(ctx, now, until, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"E", "L"}, controlIDs(got))
	require.Equal(t, until, got[0].NextAttemptAt)

	again, err := st.ClaimNAHLNReports(ctx, now, until, 10)
	require.NoError(t, err)
	require.Empty(t, again, "claimed reports stay hidden until the lease ends")

	afterLease, err := st.ClaimNAHLNReports(ctx, until, until.Add(10*time.Minute), 1)
	require.NoError(t, err)
	require.Equal(t, []string{"E"}, controlIDs(afterLease), "a lapsed claim is claimable again, limit respected")
}

func testRecord(t *testing.T, st jobs.HL7Store) {
	ctx := context.Background()
	retry, ok := report("RETRY", t0), report("OK", t0)
	require.NoError(t, st.EnqueueNAHLNReport(ctx, retry))
	require.NoError(t, st.EnqueueNAHLNReport(ctx, ok))
	_, err := st.ClaimNAHLNReports(ctx, t0, t0.Add(time.Minute), 10)
	require.NoError(t, err)

	next := t0.Add(5 * time.Minute)
	require.NoError(t, st.RecordNAHLNAttempt(ctx, retry.ID, jobs.NAHLNAttempt{
		At: t0.Add(time.Second), Status: jobs.NAHLNPending, NextAttemptAt: next, Error: "HTTP 503"}))
	rejected := []nahln.AckError{{Location: "PID^1^35", Code: "103", Text: "species not in value set", Severity: "E"}}
	require.NoError(t, st.RecordNAHLNAttempt(ctx, ok.ID, jobs.NAHLNAttempt{
		At: t0.Add(2 * time.Second), Status: jobs.NAHLNRejected, AckCode: "AE", AckErrors: rejected, Error: "NAHLN answered AE"}))

	got, err := st.NAHLNReport(ctx, retry.ID)
	require.NoError(t, err)
	require.Equal(t, jobs.NAHLNPending, got.Status)
	require.Equal(t, 1, got.Attempts)
	require.Equal(t, next, got.NextAttemptAt)
	require.Equal(t, t0.Add(time.Second), got.LastAttemptAt)
	require.Equal(t, "HTTP 503", got.LastError)
	require.Nil(t, got.AckErrors)

	got, err = st.NAHLNReport(ctx, ok.ID)
	require.NoError(t, err)
	require.Equal(t, jobs.NAHLNRejected, got.Status)
	require.Equal(t, "AE", got.AckCode)
	require.Equal(t, rejected, got.AckErrors)

	claimed, err := st.ClaimNAHLNReports(ctx, next, next.Add(time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"RETRY"}, controlIDs(claimed), "final reports are never claimed")

	err = st.RecordNAHLNAttempt(ctx, ok.ID, jobs.NAHLNAttempt{At: t0, Status: jobs.NAHLNAccepted})
	require.ErrorIs(t, err, jobs.ErrNAHLNReportNotFound, "a final outcome is not overwritten")
	err = st.RecordNAHLNAttempt(ctx, uuid.New(), jobs.NAHLNAttempt{At: t0, Status: jobs.NAHLNAccepted})
	require.ErrorIs(t, err, jobs.ErrNAHLNReportNotFound)
}

// Claims racing from several goroutines (servers) get disjoint reports,
// and together all of them.
func testConcurrentClaims(t *testing.T, st jobs.HL7Store) {
	ctx := context.Background()
	const n = 40
	for i := range n {
		require.NoError(t, st.EnqueueNAHLNReport(ctx, report(fmt.Sprint("C", i), t0.Add(time.Duration(i)*time.Millisecond))))
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for {
				got, err := st.ClaimNAHLNReports(ctx, t0.Add(time.Second), t0.Add(time.Hour), 3)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, r := range got {
					seen[r.Report.ControlID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	require.NoError(t, errors.Join(collect(errs)...))
	require.Len(t, seen, n)
	for id, c := range seen {
		require.Equal(t, 1, c, "report %s claimed %d times", id, c)
	}
}

func collect(ch <-chan error) []error {
	var out []error
	for err := range ch {
		out = append(out, err)
	}
	return out
}

func controlIDs(rs []jobs.NAHLNReport) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Report.ControlID)
	}
	return out
}
