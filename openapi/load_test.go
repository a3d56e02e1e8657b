package openapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// BenchmarkLoad measures the API over loopback as a client sees it: a read
// (GET /api/protocols/{id}), a list (GET /api/users/withholds of a farm of
// 10,000 animals with a year of treatment history) and a write (POST
// /api/cases2, which enrolls a case: plan, tasks, withhold and webhook
// outbox row in one transaction), on SQLite and PostgreSQL, each with the
// server's request validation on and off. It reports requests per second
// and the 99th percentile latency; the validation cost is the ratio of the
// on and off runs of the same operation.
//
//	VETLINK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test ./openapi -run '^$' -bench Load -benchtime 5s
//
// Clients run GOMAXPROCS×8 requests at once (b.SetParallelism(8)), as a
// farm's apps and a vet's office would, over kept-alive connections.
func BenchmarkLoad(b *testing.B) {
	engines := []struct {
		name string
		open func(testing.TB) *store.DB
	}{
		{"sqlite", storetest.SQLite},
		{"postgres", storetest.Postgres},
	}
	for _, engine := range engines {
		b.Run(engine.name, func(b *testing.B) {
			if engine.name == "postgres" && os.Getenv(storetest.EnvPostgres) == "" {
				b.Skip("VETLINK_TEST_POSTGRES not set")
			}
			f := newLoadFarm(b, engine.open(b))
			var n atomic.Int64
			ops := []struct {
				name string
				call func(env *loadEnv) (int, error)
			}{
				{"read", func(env *loadEnv) (int, error) {
					return env.get(f.vor, fmt.Sprintf("/api/protocols/%d", f.protocolID))
				}},
				{"list", func(env *loadEnv) (int, error) { return env.get(f.mor, "/api/users/withholds") }},
				{"write", func(env *loadEnv) (int, error) {
					i := n.Add(1) - 1
					body := fmt.Sprintf(`{"id":0,"rxId":%q,"animalId":"L%07d","initiationTime":%q,"species":"DairyCattle",`+
						`"caseData":{"_type":"models.WeightData","weight":{"dimension":"Mass","value":600,"symbol":"kg"}}}`,
						f.rxFor(i), i, time.Now().Add(time.Minute).UTC().Format(time.RFC3339))
					return env.post(f.mor, "/api/cases2", body)
				}},
			}
			// prepare readies a sub-benchmark of requests calls: the writes
			// get fresh prescriptions enough for all of them.
			prepare := func(b *testing.B, op string, requests int) {
				if op == "write" {
					f.prescribe(b, requests)
					n.Store(0)
				}
			}
			for _, op := range ops {
				b.Run(op.name+"/validate=true", func(b *testing.B) {
					prepare(b, op.name, b.N)
					loadRun(b, func() (int, error) { return op.call(f.on) })
				})
				b.Run(op.name+"/validate=false", func(b *testing.B) {
					prepare(b, op.name, b.N)
					loadRun(b, func() (int, error) { return op.call(f.off) })
				})
				b.Run(op.name+"/validation-cost", func(b *testing.B) {
					prepare(b, op.name, 2*b.N)
					loadPair(b, func() (int, error) { return op.call(f.on) }, func() (int, error) { return op.call(f.off) })
				})
			}
		})
	}
}

// BenchmarkServe measures the server's own work for one request, in
// process and one at a time, with request validation on and off: what
// validation adds to the CPU a request costs, which is what bounds a
// saturated server's throughput. The loopback benchmark (BenchmarkLoad)
// shows the same from a client's side.
//
//	go test ./openapi -run '^$' -bench Serve -count 6
func BenchmarkServe(b *testing.B) {
	f := newLoadFarm(b, storetest.SQLite(b))
	ops := []struct{ name, method, path, token, body string }{
		{"read", http.MethodGet, fmt.Sprintf("/api/protocols/%d", f.protocolID), f.vor, ""},
		{"list", http.MethodGet, "/api/users/withholds", f.mor, ""},
	}
	for _, op := range ops {
		for _, validate := range []bool{true, false} {
			h := f.on.env.handler(b, envOptions{noValidation: !validate})
			b.Run(fmt.Sprintf("%s/validate=%v", op.name, validate), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					req := httptest.NewRequest(op.method, op.path, nil)
					req.Header.Set("X-APIKEY", f.on.env.APIKey)
					req.Header.Set("X-Auth-Token", op.token)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", op.path, w.Code, w.Body)
					}
				}
			})
		}
	}
}

// loadPrescriptions is how many prescriptions the write benchmark
// enrolls under at once, round robin. Enrollments under one prescription
// take its row lock in turn (its fills are counted exactly); a herd with a
// few protocols in use enrolls under several, and the benchmark measures
// the server, not one prescription's queue.
const loadPrescriptions = 8

// prescribe writes fresh prescriptions for requests enrollments: sets of
// loadPrescriptions, each prescription used for at most 1 + rx.MaxRefills
// cases, so no enrollment meets a used-up prescription.
func (f *loadFarm) prescribe(b *testing.B, requests int) {
	b.Helper()
	perSet := loadPrescriptions * (1 + rx.MaxRefills)
	sets := (requests + perSet - 1) / perSet
	f.rxIDs = f.rxIDs[:0]
	for range sets * loadPrescriptions {
		code, body := f.on.send(http.MethodPost, f.vor, "/api/protocols/prescriptions",
			rx.PrescriptionRequest{Protocol: f.protocol, MOR: f.morID, Refills: rx.MaxRefills})
		var rxp rx.Prescription
		if code != http.StatusCreated && code != http.StatusOK || json.Unmarshal(body, &struct {
			Prescription *rx.Prescription `json:"prescription"`
		}{&rxp}) != nil || rxp.ID == "" {
			b.Fatalf("prescribe: %d %s", code, body)
		}
		f.rxIDs = append(f.rxIDs, rxp.ID)
	}
}

// rxFor is the prescription of the i-th enrollment (from 0).
func (f *loadFarm) rxFor(i int64) string {
	set := i / (loadPrescriptions * (1 + rx.MaxRefills))
	return f.rxIDs[set*loadPrescriptions+i%loadPrescriptions]
}

// loadFarm is a seeded database served twice: with and without request
// validation.
type loadFarm struct {
	on, off    *loadEnv
	vor, mor   string // tokens
	morID      rx.UserID
	protocol   protocol.Protocol
	rxIDs      []string // prescriptions the write benchmark enrolls under
	protocolID int64
}

// loadEnv sends requests to one server over a shared keep-alive client.
type loadEnv struct {
	env    *testEnv
	client *http.Client
}

func newLoadFarm(b *testing.B, db *store.DB) *loadFarm {
	b.Helper()
	start := time.Now()
	h := &storetest.Herd{Animals: 10_000, Cases: 20_000, Current: 300, Years: 1, Now: time.Now().UTC()}
	storetest.SeedHerd(b, db, h)
	transport := &http.Transport{MaxIdleConnsPerHost: 256}
	on := newEnv(b, db, envOptions{})
	f := &loadFarm{
		on:  &loadEnv{env: on, client: &http.Client{Transport: transport}},
		off: &loadEnv{env: on.another(b, envOptions{noValidation: true}), client: &http.Client{Transport: transport}},
	}
	ctx := context.Background()
	login := func(id rx.UserID) string {
		u, err := db.Rx().User(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		if err := f.on.env.Auth.SetPassword(ctx, id, testPassword); err != nil {
			b.Fatal(err)
		}
		code, body := f.on.env.do(b, nil, http.MethodPost, "/api/users/logins",
			map[string]string{"apikey": f.on.env.APIKey, "identifier": u.Uname, "password": testPassword})
		if code != http.StatusOK {
			b.Fatalf("login %s: %d %s", u.Uname, code, body)
		}
		var s struct{ Token string }
		if err := json.Unmarshal(body, &s); err != nil {
			b.Fatal(err)
		}
		return s.Token
	}
	f.vor, f.mor, f.morID = login(h.VOR), login(h.MOR), h.MOR

	p := rxtest.Flunixin()
	p.OwnerID = int64(h.VOR)
	p.Instructions = &protocol.Instructions{DoThis: "Give IV only; record each dose."}
	code, body := f.on.send(http.MethodPost, f.vor, "/api/protocols", p)
	if code != http.StatusOK && code != http.StatusCreated {
		b.Fatalf("create protocol: %d %s", code, body)
	}
	var created struct {
		Protocol struct {
			ID int64 `json:"id"`
		} `json:"protocol"`
	}
	if err := json.Unmarshal(body, &created); err != nil || created.Protocol.ID == 0 {
		b.Fatalf("create protocol: no id in %s (%v)", body, err)
	}
	f.protocolID = created.Protocol.ID
	// The farm enrolls under several prescriptions at once, as a herd
	// with a few protocols in use does: enrollments under one prescription
	// take its row lock in turn (its fills are counted exactly), and the
	// benchmark measures the server, not one prescription's queue.
	f.protocol = p
	b.Logf("seeded %d cases (%d tasks) of 10,000 animals in %v", h.Cases+h.Current, h.Tasks, time.Since(start).Round(time.Millisecond))
	return f
}

// send encodes body as JSON and returns the status and body.
func (e *loadEnv) send(method, token, path string, body any) (int, []byte) {
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.env.URL+path, bytes.NewReader(j))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-APIKEY", e.env.APIKey)
	req.Header.Set("X-Auth-Token", token)
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (e *loadEnv) get(token, path string) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, e.env.URL+path, nil)
	return e.roundTrip(req, token)
}

func (e *loadEnv) post(token, path, body string) (int, error) {
	req, _ := http.NewRequest(http.MethodPost, e.env.URL+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	return e.roundTrip(req, token)
}

// roundTrip sends req and reads the whole answer, as a client would.
func (e *loadEnv) roundTrip(req *http.Request, token string) (int, error) {
	req.Header.Set("X-APIKEY", e.env.APIKey)
	req.Header.Set("X-Auth-Token", token)
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		return resp.StatusCode, fmt.Errorf("%s", body)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// loadPair measures what request validation costs: each client sends
// its requests to the validating and the non-validating server in turn,
// so both see the same moment's load, and the benchmark reports the
// median latency of each and the cost as the ratio of the medians, in
// percent. (Run one after the other, the two servers meet different
// background load, which on a 2-core machine can exceed the cost itself.)
func loadPair(b *testing.B, on, off func() (int, error)) {
	b.Helper()
	var (
		mu      sync.Mutex
		ons     []time.Duration
		offs    []time.Duration
		failed  atomic.Value
		measure = func(call func() (int, error)) time.Duration {
			t0 := time.Now()
			code, err := call()
			d := time.Since(t0)
			if err != nil || code != http.StatusOK {
				failed.CompareAndSwap(nil, fmt.Sprintf("status %d, err %v", code, err))
			}
			return d
		}
	)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var myOn, myOff []time.Duration
		for i := 0; pb.Next(); i++ {
			if i%2 == 0 {
				myOn = append(myOn, measure(on))
				myOff = append(myOff, measure(off))
			} else {
				myOff = append(myOff, measure(off))
				myOn = append(myOn, measure(on))
			}
		}
		mu.Lock()
		ons, offs = append(ons, myOn...), append(offs, myOff...)
		mu.Unlock()
	})
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatalf("a request failed: %s", f)
	}
	med := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	mOn, mOff := med(ons), med(offs)
	b.ReportMetric(mOn, "on-p50-ms")
	b.ReportMetric(mOff, "off-p50-ms")
	b.ReportMetric((mOn/mOff-1)*100, "cost-%")
}

// loadRun runs call b.N times from parallel clients, fails on any answer
// but 200, and reports requests/s and the p50 and p99 latencies.
func loadRun(b *testing.B, call func() (int, error)) {
	b.Helper()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failed    atomic.Value
	)
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			code, err := call()
			mine = append(mine, time.Since(t0))
			if err != nil || code != http.StatusOK {
				failed.CompareAndSwap(nil, fmt.Sprintf("status %d, err %v", code, err))
			}
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatalf("a request failed: %s", f)
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[int(float64(len(latencies)-1)*p)].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
