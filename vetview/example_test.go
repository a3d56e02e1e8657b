package vetview_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/vetview"
)

// labPoll is the settings type of an example job kind.
type labPoll struct {
	URL   string `json:"url"`
	Limit int    `json:"limit"`
}

// Validate is called whenever a job's settings are decoded.
func (p labPoll) Validate() error {
	if p.Limit < 1 {
		return fmt.Errorf("limit %d: must be at least 1", p.Limit)
	}
	return nil
}

func ExampleRegister() {
	var kinds vetview.Registry
	err := vetview.Register(&kinds, vetview.Kind[labPoll]{
		Name:     "lab-poll",
		Title:    "Poll the lab for results",
		Defaults: labPoll{URL: "https://lab.example/results", Limit: 50},
		Run: func(ctx context.Context, run vetview.RunInfo, s labPoll) error {
			// Fetch up to s.Limit results from s.URL…
			return nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range kinds.Kinds() {
		fmt.Println(k.Name, string(k.Defaults))
	}
	fmt.Println(kinds.ValidateSettings("lab-poll", json.RawMessage(`{"url":"https://lab.example","limit":0}`)))
	// Output:
	// lab-poll {"url":"https://lab.example/results","limit":50}
	// vetview: settings "{\"url\":\"https://lab.example\",\"limit\":0}": rejected by kind lab-poll: limit 0: must be at least 1
}

func ExampleParseCron() {
	c, err := vetview.ParseCron("0 6 * * mon-fri")
	if err != nil {
		log.Fatal(err)
	}
	friday := time.Date(2026, 3, 6, 7, 0, 0, 0, time.UTC)
	fmt.Println(c.Next(friday))

	_, err = vetview.ParseCron("0 0 30 2 *")
	fmt.Println(err)
	// Output:
	// 2026-03-09 06:00:00 +0000 UTC
	// vetview: cron "0 0 30 2 *": never fires (no such day)
}

func ExampleSchedule_Next() {
	every5 := vetview.Every(5 * time.Minute)
	prev := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

	// On time: the next tick of the grid.
	fmt.Println(every5.Next(prev, prev.Add(time.Minute)).Format("15:04"))
	// After 17 minutes of downtime: one run at the next tick, no burst.
	fmt.Println(every5.Next(prev, prev.Add(17*time.Minute)).Format("15:04"))
	// Output:
	// 10:05
	// 10:20
}

// ExampleService configures a job on a SQLite database and reads its
// status. Servers that run jobs call Service.Run as well.
func ExampleService() {
	dir, err := os.MkdirTemp("", "vetview-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "vetlink.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	var kinds vetview.Registry
	vetview.MustRegister(&kinds, vetview.Kind[labPoll]{
		Name:     "lab-poll",
		Defaults: labPoll{URL: "https://lab.example/results", Limit: 50},
		Run:      func(context.Context, vetview.RunInfo, labPoll) error { return nil },
	})
	svc, err := vetview.New(vetview.Config{Store: db.Vetview(), Kinds: &kinds, ServerName: "interfaces-1"})
	if err != nil {
		log.Fatal(err)
	}

	unconfigured, _ := svc.UnconfiguredKinds(ctx)
	fmt.Println("can add:", len(unconfigured), unconfigured[0].Name)

	job, err := svc.CreateJob(ctx, vetview.JobSpec{
		Name:     "Lab results",
		Kind:     "lab-poll",
		Settings: json.RawMessage(`{"url":"https://lab.example/results","limit":100}`),
		Schedule: vetview.Every(5 * time.Minute),
		Servers:  []string{"interfaces-1"},
		Active:   true,
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = svc.CreateJob(ctx, vetview.JobSpec{Name: "Bad", Kind: "lab-poll", Schedule: vetview.Every(-time.Minute)})
	fmt.Println(errors.Is(err, vetview.ErrInvalid), err)

	st, err := svc.Status(ctx, job.ID)
	if err != nil {
		log.Fatal(err)
	}
	// No server named interfaces-1 runs yet, so the job is not running.
	fmt.Println(st.Job.Name, "|", st.Job.Schedule, "|", st.State, "|", st.NextRunAt.IsZero())
	// Output:
	// can add: 1 lab-poll
	// true vetview: schedule.every "-1m0s": must be positive
	// Lab results | every 5m0s | not running | true
}

func ExampleDeriveStatus() {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	server := vetview.Server{Name: "interfaces-1", HeartbeatAt: now.Add(-5 * time.Second), HeartbeatInterval: 10 * time.Second}
	job := vetview.Job{
		Name: "Reminders", Active: true, Servers: []string{"interfaces-1"},
		Schedule: vetview.Every(time.Hour), NextRunAt: now.Add(20 * time.Minute),
	}
	st := vetview.DeriveStatus(job, []vetview.Server{server}, nil, now, 3)
	fmt.Println(st.State, "at", st.NextRunAt.Format("15:04"))

	// 31 s later the server has missed three heartbeats.
	st = vetview.DeriveStatus(job, []vetview.Server{server}, nil, now.Add(26*time.Second), 3)
	fmt.Println(st.State)
	// Output:
	// waiting for the next execution at 10:20
	// not running
}

// ExampleService_Run is the shape of an interface server's main: the
// scheduler runs until the process is told to stop, then stops cleanly.
func ExampleService_Run() {
	ctx, stop := signalContext()
	defer stop()
	db, err := store.Open(ctx, "postgres://vetlink@db.internal:5432/vetlink")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	var kinds vetview.Registry
	// vetview.MustRegister(&kinds, …) for each kind this build runs.
	svc, err := vetview.New(vetview.Config{
		Store:             db.Vetview(),
		Kinds:             &kinds,
		ServerName:        "interfaces-1",
		Version:           "1.4.0",
		HeartbeatInterval: 10 * time.Second,
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := svc.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// signalContext stands in for signal.NotifyContext(ctx, os.Interrupt).
func signalContext() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
