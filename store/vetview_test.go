package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/vetview/vetviewtest"
)

func TestVetviewStore(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			vetviewtest.TestStore(t, func(t *testing.T) vetview.Store {
				return storetest.Open(t, engine).Vetview()
			})
		})
	}
}

var _ vetview.Store = (*store.VetviewStore)(nil)

// benchJobs fills db with n active jobs of kind "test", due at t0 and
// assigned to the servers, and refreshes the planner's statistics as
// PostgreSQL's autovacuum would on a live database.
func benchJobs(b *testing.B, db *store.DB, n int, t0 time.Time, servers ...string) *store.VetviewStore {
	b.Helper()
	ctx := context.Background()
	s := db.Vetview()
	for i := range n {
		j := vetviewtest.Job(fmt.Sprintf("job %04d", i), t0, servers...)
		if err := s.CreateJob(ctx, j); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.SQL().ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkVetviewClaim measures one server claiming due runs, batch runs
// at a time; each lease expires at once, so the pool never runs dry.
// claims/s counts runs claimed.
func BenchmarkVetviewClaim(b *testing.B) {
	for _, engine := range storetest.Engines() {
		for _, batch := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/batch=%d", engine, batch), func(b *testing.B) {
				t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
				s := benchJobs(b, storetest.Open(b, engine), 1000, t0, "a")
				srv := vetviewtest.Server("a", t0)
				ctx := context.Background()
				claimed := 0
				b.ResetTimer()
				for i := range b.N {
					now := t0.Add(time.Duration(2*i+1) * time.Microsecond)
					jobs, err := s.Claim(ctx, vetview.ClaimRequest{
						ServerID: srv.ID, ServerName: "a", Kinds: []string{"test"},
						Now: now, Until: now.Add(time.Microsecond), Limit: batch,
					})
					if err != nil {
						b.Fatal(err)
					}
					claimed += len(jobs)
				}
				b.ReportMetric(float64(claimed)/b.Elapsed().Seconds(), "claims/s")
			})
		}
	}
}

// BenchmarkVetviewRun measures the scheduling overhead of one run: claim,
// one lease extension and the finish (history row, next run time, prune),
// from four servers at once. ns/op is the database time per run.
func BenchmarkVetviewRun(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			names := []string{"s0", "s1", "s2", "s3"}
			s := benchJobs(b, storetest.Open(b, engine), 1000, t0, names...)
			var next atomic.Int64
			var runs atomic.Int64
			b.SetParallelism(2) // 2 × GOMAXPROCS claimers
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				srv := vetviewtest.Server(names[next.Add(1)%4], t0)
				for pb.Next() {
					now := t0.Add(time.Duration(next.Add(1)) * time.Microsecond)
					jobs, err := s.Claim(ctx, vetview.ClaimRequest{
						ServerID: srv.ID, ServerName: srv.Name, Kinds: []string{"test"},
						Now: now, Until: now.Add(time.Minute), Limit: 1,
					})
					if err != nil {
						b.Error(err)
						return
					}
					for _, j := range jobs {
						if err := s.ExtendLease(ctx, *j.Lease, now.Add(2*time.Minute)); err != nil {
							b.Error(err)
							return
						}
						// Due again at once: the pool never runs dry.
						if err := s.FinishRun(ctx, *j.Lease, vetview.Finish{At: now, NextRunAt: now, KeepRuns: 20}); err != nil {
							b.Error(err)
							return
						}
						runs.Add(1)
					}
				}
			})
			b.ReportMetric(float64(runs.Load())/b.Elapsed().Seconds(), "runs/s")
		})
	}
}

// TestVetviewOccurrenceClaimedOnce: whatever a claim's conditions, the
// database itself refuses a second run of an occurrence that repeats no
// earlier run (migration 0021's unique key).
func TestVetviewOccurrenceClaimedOnce(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		s := db.Vetview()
		j := vetviewtest.Job("reminders", t0, "a")
		require.NoError(t, s.CreateJob(ctx, j))
		srv := vetviewtest.Server("a", t0)
		jobs, err := s.Claim(ctx, vetview.ClaimRequest{
			ServerID: srv.ID, ServerName: "a", Kinds: []string{"test"}, Now: t0, Until: t0.Add(time.Minute), Limit: 1,
		})
		require.NoError(t, err)
		require.Len(t, jobs, 1)

		insert := `INSERT INTO vetview_runs (id, job_id, server_id, server, scheduled_at, started_at, rerun_of)
			VALUES ($1, $2, $3, 'b', $4, $4, $5)`
		_, err = db.SQL().ExecContext(ctx, insert, "second-claim", j.ID.String(), srv.ID.String(), t0.UnixMicro(), nil)
		require.Error(t, err, "a second first run of the occurrence")
		_, err = db.SQL().ExecContext(ctx, insert, "rerun-1", j.ID.String(), srv.ID.String(), t0.UnixMicro(), jobs[0].Lease.Token)
		require.NoError(t, err, "one re-run of the first run")
		_, err = db.SQL().ExecContext(ctx, insert, "rerun-2", j.ID.String(), srv.ID.String(), t0.UnixMicro(), jobs[0].Lease.Token)
		require.Error(t, err, "a second re-run of the same run")
	})
}
