package vetview_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/vetview"
)

func TestDeriveStatus(t *testing.T) {
	t.Parallel()
	now := at("2026-03-02 10:00:00")
	next := at("2026-03-02 10:05:00")
	alive := vetview.Server{ID: uuid.New(), Name: "interfaces-1", HeartbeatAt: now.Add(-25 * time.Second), HeartbeatInterval: 10 * time.Second}
	stale := vetview.Server{ID: uuid.New(), Name: "interfaces-2", HeartbeatAt: now.Add(-31 * time.Second), HeartbeatInterval: 10 * time.Second}
	lastRun := vetview.Run{
		ID: "r1", Server: "interfaces-2", StartedAt: at("2026-03-02 09:55:00"),
		FinishedAt: at("2026-03-02 09:55:02"), Error: "smtp: 554 rejected",
	}
	liveLease := &vetview.Lease{Token: "r2", ServerID: alive.ID, Server: "interfaces-1", Until: now.Add(time.Second)}
	staleHolder := &vetview.Lease{Token: "r2", ServerID: stale.ID, Server: "interfaces-2", Until: now.Add(time.Second)}
	goneHolder := &vetview.Lease{Token: "r2", ServerID: uuid.New(), Server: "interfaces-1", Until: now.Add(time.Second)}
	expiredLease := &vetview.Lease{Token: "r2", Server: "interfaces-2", Until: now}

	job := func(active bool, servers []string, lease *vetview.Lease) vetview.Job {
		return vetview.Job{Name: "Reminders", Active: active, Servers: servers, NextRunAt: next, Lease: lease}
	}
	overdue := func(by time.Duration) vetview.Job {
		j := job(true, []string{"interfaces-1"}, nil)
		j.NextRunAt = now.Add(-by)
		return j
	}
	tests := []struct {
		name       string
		job        vetview.Job
		runs       []vetview.Run
		wantState  vetview.State
		wantServer string
		wantNext   time.Time
	}{
		{"active on a live server", job(true, []string{"interfaces-1"}, nil), nil, vetview.Waiting, "", next},
		{"one of two servers live", job(true, []string{"interfaces-2", "interfaces-1"}, nil), []vetview.Run{lastRun}, vetview.Waiting, "interfaces-2", next},
		{"running", job(true, []string{"interfaces-1"}, liveLease), []vetview.Run{lastRun}, vetview.Running, "interfaces-1", time.Time{}},
		{"running although since deactivated", job(false, []string{"interfaces-1"}, liveLease), nil, vetview.Running, "interfaces-1", time.Time{}},
		{"lease expired, server stale", job(true, []string{"interfaces-2"}, expiredLease), []vetview.Run{lastRun}, vetview.NotRunning, "interfaces-2", time.Time{}},
		{"lease expired, other server live", job(true, []string{"interfaces-1", "interfaces-2"}, expiredLease), nil, vetview.Waiting, "", next},
		{"inactive", job(false, []string{"interfaces-1"}, nil), nil, vetview.NotRunning, "", time.Time{}},
		{"no server assigned", job(true, nil, nil), nil, vetview.NotRunning, "", time.Time{}},
		{"only stale servers", job(true, []string{"interfaces-2"}, nil), nil, vetview.NotRunning, "", time.Time{}},
		{"lease held by a stale server", job(true, []string{"interfaces-1", "interfaces-2"}, staleHolder), []vetview.Run{lastRun}, vetview.NotRunning, "interfaces-2", time.Time{}},
		{"lease held by a server no longer registered", job(true, []string{"interfaces-1"}, goneHolder), nil, vetview.NotRunning, "interfaces-1", time.Time{}},
		{"next run passed 3.9s ago shows now", overdue(3900 * time.Millisecond), nil, vetview.Waiting, "", now},
		{"next run passed 1µs ago shows now", overdue(time.Microsecond), nil, vetview.Waiting, "", now},
		{"next run exactly now", overdue(0), nil, vetview.Waiting, "", now},
		{"assigned server never registered", job(true, []string{"interfaces-9"}, nil), nil, vetview.NotRunning, "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := vetview.DeriveStatus(tt.job, []vetview.Server{alive, stale}, tt.runs, now, 3)
			require.Equal(t, tt.wantState, st.State)
			require.Equal(t, tt.wantServer, st.Server)
			require.Equal(t, tt.wantNext, st.NextRunAt)
			require.Equal(t, tt.runs, st.History)
			if len(tt.runs) > 0 {
				require.Equal(t, at("2026-03-02 09:55:00"), st.LastStartedAt)
				require.Equal(t, at("2026-03-02 09:55:02"), st.LastFinishedAt)
				require.Equal(t, "smtp: 554 rejected", st.LastError)
			}
		})
	}
}

func TestServerStale(t *testing.T) {
	t.Parallel()
	s := vetview.Server{HeartbeatAt: at("2026-03-02 10:00:00"), HeartbeatInterval: 10 * time.Second}
	require.Equal(t, at("2026-03-02 10:00:30"), s.StaleAfter(0), "default multiple 3")
	require.Equal(t, at("2026-03-02 10:00:50"), s.StaleAfter(5))
	require.False(t, s.Stale(at("2026-03-02 10:00:30"), 3))
	require.True(t, s.Stale(at("2026-03-02 10:00:30.000001"), 3))
}
