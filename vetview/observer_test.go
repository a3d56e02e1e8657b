package vetview_test

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/vetview"
)

// observed records what a scheduler tells its Observer.
type observed struct {
	mu       sync.Mutex
	started  []vetview.RunEvent
	finished []vetview.RunEvent
	missed   map[string]int
}

func (o *observed) RunStarted(e vetview.RunEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.started = append(o.started, e)
}

func (o *observed) RunFinished(e vetview.RunEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finished = append(o.finished, e)
}

func (o *observed) OccurrencesMissed(j vetview.Job, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.missed == nil {
		o.missed = map[string]int{}
	}
	o.missed[j.Name] += n
}

func TestObserverSeesRunsLatenessAndMisses(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		obs := &observed{}
		svc, err := vetview.New(vetview.Config{
			Store: b.store, Kinds: b.kinds, ServerName: "interfaces-1",
			HeartbeatInterval: 10 * time.Second, PollInterval: time.Second, Observer: obs,
		})
		require.NoError(t, err)
		b.job(t, svc, "poll", time.Minute, 2000, "interfaces-1")
		stop := start(t, svc)
		time.Sleep(90 * time.Second) // runs at 1m
		stop()
		time.Sleep(10 * time.Minute) // down: the 2m run is late, 3m..11m are skipped
		stop = start(t, svc)         // at 11m30s
		time.Sleep(15 * time.Second)
		stop()

		obs.mu.Lock()
		defer obs.mu.Unlock()
		require.Len(t, obs.started, 2)
		require.Len(t, obs.finished, 2)
		tests := []struct {
			lateness time.Duration
		}{{0}, {9*time.Minute + 30*time.Second}}
		for i, tt := range tests {
			s, f := obs.started[i], obs.finished[i]
			require.Equal(t, "poll", s.Job.Name)
			require.Equal(t, "work", s.Job.Kind)
			require.Equal(t, "interfaces-1", s.Server)
			require.Equal(t, tt.lateness, s.Lateness, "run %d", i)
			require.Zero(t, s.Duration, "not known when it starts")
			require.Equal(t, s.RunID, f.RunID)
			require.Equal(t, vetview.OutcomeOK, f.Outcome)
			require.Equal(t, 2*time.Second, f.Duration, "the kind works 2 s")
			require.NoError(t, f.Err)
		}
		require.Equal(t, map[string]int{"poll": 9}, obs.missed, "3m to 11m were skipped")
	})
}
