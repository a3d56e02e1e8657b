// Command vetviewsoak runs vetview's scheduler in three server processes
// on one database, kills one of them with SIGKILL halfway, and reports what
// the issue "vetview under load" asks of the defaults: due occurrences,
// runs, misses, duplicates while alive, re-runs after the kill, start
// lateness p50/p99 and failover time.
//
// Run it from /bench:
//
//	go run ./vetviewsoak -engine postgres   # VETLINK_TEST_POSTGRES or -dsn names the server
//	go run ./vetviewsoak -engine sqlite
//
// Each server runs with vetview's default settings (heartbeat, lease,
// poll interval, slots) unless -heartbeat, -poll or -slots override them;
// only its name is set. 100 jobs run every second (-phase aligned: all
// due at the same instant, the worst case; -phase spread: spread evenly),
// each assigned to two of the three servers; each run takes -work (50 ms).
// A server reports every run it starts on its standard output, one line
// as it starts, so a killed server's runs are counted up to its death.
//
// To measure under load, run a parallel `go test ./...` of the main module
// in another shell while this runs; -load N also starts N busy goroutines
// in a separate process.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/vetview"
)

// tuning overrides vetview's defaults when set, to compare settings; the
// servers get the same flags.
var tuning vetview.Config

// phase is how the jobs' due times fall within each interval: "aligned"
// or "spread".
var phase string

// runLine is what a server prints when it starts a run.
type runLine struct {
	Job       string    `json:"job"`
	Scheduled time.Time `json:"scheduled"`
	Started   time.Time `json:"started"`
	// Claimed is when the run's server claimed it (RunInfo.StartedAt):
	// before Scheduled when the scheduler claimed it ahead.
	Claimed time.Time `json:"claimed"`
	Server  string    `json:"server"`
	RunID   string    `json:"run"`
	RerunOf string    `json:"rerunOf,omitempty"`
}

func main() {
	var (
		engine   = flag.String("engine", "postgres", "postgres or sqlite")
		dsn      = flag.String("dsn", os.Getenv("VETLINK_TEST_POSTGRES"), "PostgreSQL server URL; a fresh schema is made in it")
		jobs     = flag.Int("jobs", 100, "jobs")
		every    = flag.Duration("every", time.Second, "each job's interval")
		duration = flag.Duration("duration", 60*time.Second, "length of the run")
		killAt   = flag.Duration("kill", 30*time.Second, "when to SIGKILL server 2 (0: never)")
		work     = flag.Duration("work", 50*time.Millisecond, "how long a run works")
		load     = flag.Int("load", 0, "busy goroutines to run in a separate process meanwhile")
		child    = flag.String("child", "", "internal: run as the server of this name on -dsn")
		spin     = flag.Bool("spin", false, "internal: burn CPU until killed")
	)
	flag.DurationVar(&tuning.HeartbeatInterval, "heartbeat", 0, "heartbeat interval (0: vetview's default)")
	flag.DurationVar(&tuning.PollInterval, "poll", 0, "poll interval (0: vetview's default)")
	flag.IntVar(&tuning.MaxConcurrent, "slots", 0, "runs in progress per server (0: vetview's default)")
	flag.StringVar(&phase, "phase", "aligned", "aligned: every job due at the same instant each interval (the worst case, like cron jobs on the minute); spread: due times spread evenly over the interval")
	flag.DurationVar(&tuning.ClaimAhead, "ahead", 0, "claim this long before the due time (0: vetview's adaptive default; negative: off)")
	flag.Parse()
	switch {
	case *spin:
		burn(*load)
	case *child != "":
		if err := serve(*child, *dsn, *work); err != nil {
			log.Fatalf("%s: %v", *child, err)
		}
	default:
		if err := soak(*engine, *dsn, *jobs, *every, *duration, *killAt, *work, *load); err != nil {
			log.Fatal(err)
		}
	}
}

// serve is one server process: vetview at its defaults, one job kind that
// reports its runs and works for a while.
func serve(name, dsn string, work time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var kinds vetview.Registry
	vetview.MustRegister(&kinds, vetview.Kind[struct{}]{
		Name: "tick",
		Run: func(ctx context.Context, run vetview.RunInfo, _ struct{}) error {
			line, _ := json.Marshal(runLine{Job: run.Job.Name, Scheduled: run.ScheduledAt, Started: time.Now(), Claimed: run.StartedAt, Server: run.Server, RunID: run.RunID})
			mu.Lock()
			out.Write(append(line, '\n'))
			out.Flush()
			mu.Unlock()
			select {
			case <-time.After(work):
			case <-ctx.Done():
			}
			return nil
		},
	})
	cfg := tuning
	cfg.Store, cfg.Kinds, cfg.ServerName, cfg.Version = db.Vetview(), &kinds, name, "soak"
	svc, err := vetview.New(cfg)
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}

func burn(n int) {
	for range n {
		go func() {
			x := 0
			for {
				x++
			}
		}()
	}
	select {}
}

func soak(engine, base string, jobs int, every, duration, killAt, work time.Duration, load int) error {
	ctx := context.Background()
	dsn, cleanup, err := freshDatabase(ctx, engine, base)
	if err != nil {
		return err
	}
	defer cleanup()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var kinds vetview.Registry
	vetview.MustRegister(&kinds, vetview.Kind[struct{}]{Name: "tick", Run: func(context.Context, vetview.RunInfo, struct{}) error { return nil }})
	admin, err := vetview.New(vetview.Config{Store: db.Vetview(), Kinds: &kinds, ServerName: "admin"})
	if err != nil {
		return err
	}
	names := []string{"interfaces-1", "interfaces-2", "interfaces-3"}
	for i := range jobs {
		if _, err := admin.CreateJob(ctx, vetview.JobSpec{
			Name: fmt.Sprintf("job-%03d", i), Kind: "tick", Schedule: vetview.Every(every), Active: true,
			Servers: []string{names[i%3], names[(i+1)%3]},
		}); err != nil {
			return err
		}
	}
	// Phases: every job due at the same instants (a burst each interval,
	// as cron jobs on the minute fall due), or spread evenly over the
	// interval. The first occurrence is 3 s away, so that the servers
	// have started by then and startup is not counted as lateness.
	firstDue := time.Now().Add(3 * time.Second).Truncate(every).Add(every)
	for i := range jobs {
		at := firstDue
		if phase == "spread" {
			at = at.Add(time.Duration(i) * every / time.Duration(jobs))
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE vetview_jobs SET next_run_at = $1 WHERE name = $2`,
			at.UTC().UnixMicro(), fmt.Sprintf("job-%03d", i)); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if load > 0 {
		burner := exec.Command(self, "-spin", "-load", fmt.Sprint(load))
		if err := burner.Start(); err != nil {
			return err
		}
		defer burner.Process.Kill()
	}

	var (
		mu   sync.Mutex
		runs []runLine
		wg   sync.WaitGroup
	)
	procs := make([]*exec.Cmd, len(names))
	for i, name := range names {
		cmd := exec.Command(self, "-child", name, "-dsn", dsn, "-work", work.String(),
			"-heartbeat", tuning.HeartbeatInterval.String(), "-poll", tuning.PollInterval.String(), "-slots", fmt.Sprint(tuning.MaxConcurrent), "-ahead", tuning.ClaimAhead.String())
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		procs[i] = cmd
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				var r runLine
				if json.Unmarshal(sc.Bytes(), &r) == nil {
					mu.Lock()
					runs = append(runs, r)
					mu.Unlock()
				}
			}
		}()
	}
	started := time.Now()
	victim := names[1]
	var killedAt time.Time
	if killAt > 0 && killAt < duration {
		time.Sleep(killAt)
		killedAt = time.Now()
		procs[1].Process.Signal(syscall.SIGKILL)
		procs[1].Wait()
		time.Sleep(duration - killAt)
	} else {
		time.Sleep(duration)
	}
	stoppedAt := time.Now()
	for i, p := range procs {
		if names[i] == victim && !killedAt.IsZero() {
			continue
		}
		p.Process.Signal(os.Interrupt)
	}
	for i, p := range procs {
		if names[i] == victim && !killedAt.IsZero() {
			continue
		}
		if err := p.Wait(); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", names[i], err)
		}
	}
	wg.Wait()

	// History from the database: which runs were re-runs, and why.
	reruns := 0
	all, err := admin.Jobs(ctx)
	if err != nil {
		return err
	}
	for _, j := range all {
		hist, err := admin.History(ctx, j.ID, 1000)
		if err != nil {
			return err
		}
		for _, h := range hist {
			if h.RerunOf != "" {
				reruns++
			}
		}
	}
	report(engine, runs, names, victim, started, killedAt, stoppedAt, every, jobs, load, reruns)
	return nil
}

// report analyses the runs the servers reported.
func report(engine string, runs []runLine, names []string, victim string, started, killedAt, stoppedAt time.Time, every time.Duration, jobs, load, rerunsInHistory int) {
	type occ struct {
		job string
		at  time.Time
	}
	byOcc := map[occ][]runLine{}
	first := map[string]time.Time{}
	for _, r := range runs {
		o := occ{r.Job, r.Scheduled.UTC()}
		byOcc[o] = append(byOcc[o], r)
		if f, ok := first[r.Job]; !ok || r.Scheduled.Before(f) {
			first[r.Job] = r.Scheduled.UTC()
		}
	}
	// Occurrences counted: every grid point of every job from its first
	// run to two intervals before the stop.
	lastCounted := stoppedAt.Add(-2 * every)
	var due, ran, missed, missedAlive, dupAlive, rerunAfterKill int
	var lateness, latenessAlive []time.Duration
	// While all alive, split by when the run was claimed: ahead of its due
	// time (the start is then the scheduler's own wake-up), or at or after
	// it (every slot was busy, or the look came late).
	var claimedAhead, claimedAfter []time.Duration
	failover := map[string]time.Duration{}
	for job, f := range first {
		for at := f; at.Before(lastCounted); at = at.Add(every) {
			due++
			rs := byOcc[occ{job, at}]
			if len(rs) == 0 {
				missed++
				// A miss while every server that could run the job was
				// alive is the scheduler's fault; one around the kill is
				// failover.
				if killedAt.IsZero() || at.Before(killedAt.Add(-every)) {
					missedAlive++
				}
				continue
			}
			ran++
			slices.SortFunc(rs, func(a, b runLine) int { return a.Started.Compare(b.Started) })
			lateness = append(lateness, rs[0].Started.Sub(at))
			if killedAt.IsZero() || at.Before(killedAt.Add(-every)) {
				latenessAlive = append(latenessAlive, rs[0].Started.Sub(at))
				if rs[0].Claimed.Before(at) {
					claimedAhead = append(claimedAhead, rs[0].Started.Sub(at))
				} else {
					claimedAfter = append(claimedAfter, rs[0].Started.Sub(at))
				}
			}
			if len(rs) > 1 {
				// A second run of an occurrence the victim started before
				// it died is the documented re-run after a crash; any
				// other second run is a duplicate among live servers.
				if !killedAt.IsZero() && rs[0].Server == victim && rs[0].Started.Before(killedAt) {
					rerunAfterKill += len(rs) - 1
				} else {
					dupAlive += len(rs) - 1
					fmt.Printf("duplicate: %s at %s on %v\n", job, at.Format("15:04:05.000"), servers(rs))
				}
			}
		}
	}
	// Failover: for each job the victim last ran before the kill, the time
	// from the kill to its first run on a survivor.
	if !killedAt.IsZero() {
		last := map[string]runLine{}
		for _, r := range runs {
			if r.Started.Before(killedAt) && r.Started.After(last[r.Job].Started) {
				last[r.Job] = r
			}
		}
		for job, r := range last {
			if r.Server != victim {
				continue
			}
			var next time.Time
			for _, s := range runs {
				if s.Job == job && s.Server != victim && s.Started.After(killedAt) && (next.IsZero() || s.Started.Before(next)) {
					next = s.Started
				}
			}
			if !next.IsZero() {
				failover[job] = next.Sub(killedAt)
			}
		}
	}
	slices.Sort(lateness)
	slices.Sort(latenessAlive)
	slices.Sort(claimedAhead)
	slices.Sort(claimedAfter)
	fo := slices.Collect(mapValues(failover))
	slices.Sort(fo)
	fmt.Printf("engine=%s jobs=%d every=%s servers=%d duration=%s kill=%s load=%d settings=%s\n",
		engine, jobs, every, len(names), stoppedAt.Sub(started).Round(time.Second), killAfter(started, killedAt), load, settings())
	fmt.Printf("due=%d ran=%d missed=%d (while all alive: %d) duplicates-while-alive=%d reruns-after-kill=%d (in the retained history: %d)\n",
		due, ran, missed, missedAlive, dupAlive, rerunAfterKill, rerunsInHistory)
	fmt.Printf("start lateness while all alive p50=%s p99=%s max=%s; over the whole run p50=%s p99=%s max=%s\n",
		pct(latenessAlive, 50), pct(latenessAlive, 99), pct(latenessAlive, 100), pct(lateness, 50), pct(lateness, 99), pct(lateness, 100))
	// The jobs' phases: how much of each interval their due times cover
	// (they were created one after another, so they fall due in a burst).
	var phases []time.Duration
	var earliest time.Time
	for _, f := range first {
		if earliest.IsZero() || f.Before(earliest) {
			earliest = f
		}
	}
	for _, f := range first {
		phases = append(phases, f.Sub(earliest)%every)
	}
	slices.Sort(phases)
	fmt.Printf("  phase=%s: the %d jobs fall due within %s of each %s\n", phase, len(phases), pct(phases, 100), every)
	fmt.Printf("  of which claimed ahead of the due time: %d, p50=%s p99=%s max=%s; claimed at or after it: %d, p50=%s p99=%s max=%s\n",
		len(claimedAhead), pct(claimedAhead, 50), pct(claimedAhead, 99), pct(claimedAhead, 100),
		len(claimedAfter), pct(claimedAfter, 50), pct(claimedAfter, 99), pct(claimedAfter, 100))
	if len(fo) > 0 {
		fmt.Printf("failover (kill to first run on a survivor, %d jobs the victim held) p50=%s max=%s\n", len(fo), pct(fo, 50), pct(fo, 100))
	}
}

// settings names the settings that differ from vetview's defaults.
func settings() string {
	var s []string
	if tuning.HeartbeatInterval > 0 {
		s = append(s, "heartbeat="+tuning.HeartbeatInterval.String())
	}
	if tuning.PollInterval > 0 {
		s = append(s, "poll="+tuning.PollInterval.String())
	}
	if tuning.MaxConcurrent > 0 {
		s = append(s, fmt.Sprint("slots=", tuning.MaxConcurrent))
	}
	if tuning.ClaimAhead != 0 {
		s = append(s, "ahead="+tuning.ClaimAhead.String())
	}
	if len(s) == 0 {
		return "vetview defaults"
	}
	return strings.Join(s, ",")
}

func servers(rs []runLine) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Server)
	}
	return out
}

func killAfter(started, killedAt time.Time) string {
	if killedAt.IsZero() {
		return "none"
	}
	return killedAt.Sub(started).Round(time.Second).String()
}

func mapValues(m map[string]time.Duration) func(func(time.Duration) bool) {
	return func(yield func(time.Duration) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := (len(d)*p + 99) / 100
	return d[max(0, min(len(d)-1, i-1))].Round(time.Millisecond)
}

// freshDatabase returns the DSN of an empty database for the run and a
// function that removes it.
func freshDatabase(ctx context.Context, engine, base string) (string, func(), error) {
	switch engine {
	case "sqlite":
		dir, err := os.MkdirTemp("", "vetviewsoak")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "vetlink.db"), func() { os.RemoveAll(dir) }, nil
	case "postgres":
		if base == "" {
			return "", nil, errors.New("-engine postgres needs -dsn or VETLINK_TEST_POSTGRES")
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return "", nil, err
		}
		schema := fmt.Sprintf("vetviewsoak_%d", time.Now().UnixNano())
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			admin.Close()
			return "", nil, err
		}
		u, err := url.Parse(base)
		if err != nil {
			return "", nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), func() {
			admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		}, nil
	}
	return "", nil, fmt.Errorf("-engine %q: want postgres or sqlite", strings.TrimSpace(engine))
}
