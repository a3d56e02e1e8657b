package store_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store/storetest"
)

// EnvRxScale sets the number of executed tasks BenchmarkRxHerd seeds. The
// default, 50,000, keeps an ordinary -bench run short; the figures the
// issue asks for come from
//
//	VETLINK_RX_SCALE_TASKS=1000000 go test ./store -run '^$' -bench BenchmarkRxHerd -benchtime 1000x -v
//
// Measured 2026-11-22 on the shared 2-core build machine (load 1–2, after
// the overdue-dose rule and group members were added), 1,001,500 tasks over
// 200,300 cases; p50 / p99:
//
//	                       SQLite                PostgreSQL 15
//	seed                   31 s (32,000 tasks/s) 63 s (16,000 tasks/s)
//	under withhold now     13.3 / 15.7 ms (631)  10.7 / 18.5 ms (631)
//	today's tasks          17.6 / 20.6 ms (1143) 14.8 / 22.9 ms (1143)
//	enroll                 651 /s                372 /s
//
// With 50,000 tasks the same queries answer the same rows in the same
// time (today's tasks 17.5 and 17.0 ms p50): the cost follows the answer
// (about 15 µs a row, mostly decoding), not the history.
const EnvRxScale = "VETLINK_RX_SCALE_TASKS"

// BenchmarkRxHerd seeds a herd of 10,000 animals with five years of
// executed treatments (five tasks a case) and 300 cases in progress, then
// measures the farm's two morning queries and enrollment, on each engine.
// Latencies are reported as p50 and p99 in microseconds, enrollment as
// enrollments per second.
func BenchmarkRxHerd(b *testing.B) {
	tasks := 50_000
	if v := os.Getenv(EnvRxScale); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 {
			b.Fatalf("%s=%q: want a number of tasks ≥ 5", EnvRxScale, v)
		}
		tasks = n
	}
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			h := &storetest.Herd{Animals: 10_000, Cases: tasks / 5, Current: 300, Years: 5, Now: rxtest.Start}
			began := time.Now()
			storetest.SeedHerd(b, db, h)
			seeded := time.Since(began)
			b.Logf("%s: seeded %d tasks (%d cases, %d animals) in %s (%.0f tasks/s)",
				engine, h.Tasks, h.Cases+h.Current, h.Animals, seeded.Round(time.Millisecond), float64(h.Tasks)/seeded.Seconds())
			s := db.Rx()
			ctx := context.Background()
			endOfDay := time.Date(h.Now.Year(), h.Now.Month(), h.Now.Day()+1, 0, 0, 0, 0, time.UTC)

			b.Run("UnderWithholdNow", func(b *testing.B) {
				measure(b, func() (int, error) {
					ws, err := s.Withholds(ctx, h.MOR, h.Now)
					return len(ws), err
				})
			})
			b.Run("TodaysTasks", func(b *testing.B) {
				measure(b, func() (int, error) {
					ts, err := s.DueTasks(ctx, h.MOR, endOfDay)
					return len(ts), err
				})
			})
			b.Run("Enroll", func(b *testing.B) {
				farm := rx.Actor{User: rx.User{ID: h.MOR, Type: rx.MOR}}
				svc := &rx.Service{Store: s, Clock: func() time.Time { return h.Now }}
				f := rxtest.Fixture{Clock: &rxtest.Clock{}}
				f.Clock.Set(h.Now)
				b.ResetTimer()
				start := time.Now()
				for i := 0; b.Loop(); i++ {
					req := f.Cow(h.RxID, fmt.Sprintf("A%05d", i%h.Animals))
					if _, err := svc.Enroll(ctx, farm, req); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "enroll/s")
			})
		})
	}
}

// measure runs q b.N times and reports the p50 and p99 latency and the
// rows returned.
func measure(b *testing.B, q func() (int, error)) {
	var lat []time.Duration
	rows := 0
	for b.Loop() {
		t0 := time.Now()
		n, err := q()
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		rows = n
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds())
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(float64(rows), "rows")
}

// BenchmarkRxHerdClearance answers "which of this farm's animals may ship
// meat (or milk) now, and why not" for a herd of 10,000 animals, each in
// at least one case (five years of history, 300 cases in progress), with
// one call of rx.Service.HerdClearance: one query plus rx.Clear for each
// animal. Reported per engine as p50 and p99 in microseconds, with the
// animals answered and those held.
//
//	go test ./store -run '^$' -bench Clearance -benchmem
func BenchmarkRxHerdClearance(b *testing.B) {
	tasks := 50_000
	if v := os.Getenv(EnvRxScale); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 {
			b.Fatalf("%s=%q: want a number of tasks ≥ 5", EnvRxScale, v)
		}
		tasks = n
	}
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			h := &storetest.Herd{Animals: 10_000, Cases: tasks / 5, Current: 300, Years: 5, Now: rxtest.Start}
			storetest.SeedHerd(b, db, h)
			ctx := context.Background()
			farm := rx.Actor{User: rx.User{ID: h.MOR, Type: rx.MOR}}
			svc := &rx.Service{Store: db.Rx(), Clock: func() time.Time { return h.Now }}
			for _, c := range []rx.Commodity{rx.Meat, rx.Milk} {
				b.Run(string(c), func(b *testing.B) {
					held := 0
					measure(b, func() (int, error) {
						cs, err := svc.HerdClearance(ctx, farm, h.MOR, c, h.Now)
						held = 0
						for _, x := range cs {
							if !x.Allowed {
								held++
							}
						}
						return len(cs), err
					})
					b.ReportMetric(float64(held), "held")
				})
			}
		})
	}
}
