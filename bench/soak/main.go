// Command soak runs three reference servers on one fresh PostgreSQL
// database, drives a mixed load through all three for a bounded time,
// SIGKILLs one halfway and restarts it, and then checks what an operator
// must be able to trust:
//
//   - every change a request committed (a 2xx answer) produced its
//     webhook at the loopback receiver: 0 lost;
//   - no job occurrence ran twice while the server that ran it first was
//     alive (a rerun only of the killed server's runs);
//   - every HL7 message sent over MLLP to the listener job got its ACK and
//     was stored exactly once, across the listener's failover;
//   - no request saw a 5xx, except from the killed process.
//
// It prints requests/s, the p99 latency and the invariants, and exits 1
// when one is broken.
//
//	cd bench && go run ./soak -duration 60s
//
// The load: each worker picks a server in turn and an operation — log in,
// prescribe (POST /api/protocols/prescriptions), enroll (POST
// /api/cases2), execute a dose task (POST /api/users/tasks), list the
// withholds (GET /api/users/withholds) — while an MLLP sender delivers lab
// results to the hl7-mllp-listener job, and webhook-maintenance jobs every
// two seconds run on whichever server claims them.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/mllp"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/vetview/jobs"
	"github.com/vetlink/vetlink/webhook"
)

const (
	secretKey = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
	apiKey    = "vlk_soak_0123456789abcdef0123456789"
	password  = "soak-pasture-gate-42"
)

func main() {
	duration := flag.Duration("duration", 60*time.Second, "how long the load runs; the kill is at half of it")
	workers := flag.Int("workers", 12, "concurrent API clients")
	pg := flag.String("pg", envOr("VETLINK_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "a PostgreSQL DSN on which to create the soak's database")
	hl7Rate := flag.Int("hl7-rate", 20, "HL7 messages a second")
	keep := flag.Bool("keep", false, "keep the database and the servers' logs")
	src := flag.String("src", "", "the vetlink module to build the server from (default: the one this module requires, ../ by its replace)")
	flag.Parse()
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	if err := soak(*duration, *workers, *pg, *hl7Rate, *keep, *src); err != nil {
		log.Printf("soak: %v", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// proc is one server process.
type proc struct {
	name, addr, roles string
	cmd               *exec.Cmd
	logf              *os.File
	down              atomic.Bool // killed and not yet ready again
}

type harness struct {
	bin, dsn, dir string
	procs         []*proc
	http          *http.Client
}

func soak(duration time.Duration, workers int, pgDSN string, hl7Rate int, keep bool, src string) error {
	dir, err := os.MkdirTemp("", "vetlink-soak-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	h := &harness{dir: dir, bin: filepath.Join(dir, "vetlink-server"),
		http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}

	// The binary CI builds: go build ./examples/server, in the main module.
	root := []byte(src)
	if src == "" {
		if root, err = exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/vetlink/vetlink").Output(); err != nil {
			return fmt.Errorf("locating the vetlink module: %w", err)
		}
	}
	build := exec.Command("go", "build", "-o", h.bin, "./examples/server")
	build.Dir, build.Stdout, build.Stderr = strings.TrimSpace(string(root)), os.Stderr, os.Stderr
	log.Printf("building the server in %s", build.Dir)
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build ./examples/server: %w", err)
	}

	// A fresh database.
	dbName := fmt.Sprintf("vetlink_soak_%d", time.Now().UnixNano())
	h.dsn, err = createDatabase(pgDSN, dbName)
	if err != nil {
		return err
	}
	if !keep {
		defer dropDatabase(pgDSN, dbName)
	}
	log.Printf("database %s", dbName)

	receiver := newReceiver()
	defer receiver.close()
	hl7Port := freePort()

	// Three servers with every role, on one database; the first
	// bootstraps it alone.
	for i, name := range []string{"soak-a", "soak-b", "soak-c"} {
		p := &proc{name: name, addr: fmt.Sprintf("127.0.0.1:%d", freePort()), roles: "all"}
		h.procs = append(h.procs, p)
		if err := h.start(p); err != nil {
			return err
		}
		if i == 0 {
			if err := h.waitReady(p, 60*time.Second); err != nil {
				return err
			}
		}
	}
	for _, p := range h.procs {
		if err := h.waitReady(p, 60*time.Second); err != nil {
			return err
		}
	}
	defer h.stopAll()

	fx, err := setUp(h, receiver.url, hl7Port)
	if err != nil {
		return err
	}
	log.Printf("servers ready; load for %s with %d workers, HL7 at %d/s to 127.0.0.1:%d", duration, workers, hl7Rate, hl7Port)

	// Watch the run history throughout: a job keeps only its last runs.
	runs := newRunWatch(fx.db)
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	watchDone := make(chan struct{})
	go func() { defer close(watchDone); runs.watch(watchCtx) }()

	ld := &load{h: h, fx: fx}
	loadCtx, stopLoad := context.WithTimeout(context.Background(), duration)
	defer stopLoad()
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); ld.worker(loadCtx, i) }()
	}
	sender := &hl7Sender{addr: fmt.Sprintf("127.0.0.1:%d", hl7Port), rate: hl7Rate}
	wg.Add(1)
	go func() { defer wg.Done(); sender.run(loadCtx) }()

	// Halfway: SIGKILL the server that runs the HL7 listener, so that the
	// listener fails over, and start it again.
	time.Sleep(duration / 2)
	victim, victimID, err := h.listenerHolder(fx)
	if err != nil {
		return err
	}
	killedAt := time.Now()
	victim.down.Store(true)
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("SIGKILL %s: %w", victim.name, err)
	}
	victim.cmd.Wait()
	log.Printf("SIGKILLed %s (vetview server %s), which ran the HL7 listener", victim.name, victimID)
	if err := h.start(victim); err != nil {
		return err
	}
	if err := h.waitReady(victim, 60*time.Second); err != nil {
		return err
	}
	restartedAt := time.Now()
	victim.down.Store(false)
	log.Printf("%s is back after %s", victim.name, restartedAt.Sub(killedAt).Round(time.Millisecond))

	wg.Wait()
	loadEnd := time.Now()
	log.Printf("load done; letting deliveries and HL7 retries drain")

	// Drain: the HL7 messages not acknowledged yet are sent until they
	// are, and webhooks arrive.
	drainCtx, stopDrain := context.WithTimeout(context.Background(), 90*time.Second)
	defer stopDrain()
	sender.drain(drainCtx)
	expected := ld.expectedEvents()
	for drainCtx.Err() == nil && len(receiver.missing(expected)) > 0 {
		time.Sleep(200 * time.Millisecond)
	}
	stopWatch()
	<-watchDone
	runs.poll(context.Background())

	// The invariants.
	rep := report{}
	st := ld.stats(killedAt, restartedAt, victim.name)
	rep.add("requests", fmt.Sprintf("%d in %s: %.0f requests/s, p50 %s, p99 %s, max %s",
		st.n, loadEnd.Sub(ld.start()).Round(time.Millisecond), float64(st.n)/loadEnd.Sub(ld.start()).Seconds(), st.p50, st.p99, st.max), true)
	rep.add("operations", st.byOp, true)
	rep.add("no 5xx but the killed process's", fmt.Sprintf("%d 5xx elsewhere %v; %d 5xx and %d connection errors from %s while it was killed; %d connection errors elsewhere",
		st.bad5xx, st.bad5xxSamples, st.killed5xx, st.killedConnErrs, victim.name, st.otherConnErrs), st.bad5xx == 0 && st.otherConnErrs == 0)
	missing := receiver.missing(expected)
	rep.add("0 webhooks lost", fmt.Sprintf("%d committed changes, %d webhooks missing %v; %d deliveries received (%d repeated, at least once)",
		len(expected), len(missing), first(missing, 5), receiver.total.Load(), receiver.repeats()), len(missing) == 0 && len(expected) > 0)
	dup, rerunsOfKilled, occurrences := runs.check(victimID)
	rep.add("no occurrence ran twice while its server lived", fmt.Sprintf("%d occurrences, %d rerun after the kill (first run on the killed server), %d run twice otherwise %v",
		occurrences, rerunsOfKilled, len(dup), first(dup, 5)), len(dup) == 0 && occurrences > 0)
	sent, acked, notAcked := sender.result()
	stored, storedTwice, err := storedHL7(fx.db, sender.ids())
	if err != nil {
		return err
	}
	rep.add("every HL7 message got one ACK", fmt.Sprintf("%d sent, %d acknowledged AA (%d sends retried), %d never acknowledged; %d stored, %d stored more than once",
		sent, acked, sender.retries.Load(), notAcked, stored, storedTwice), sent > 0 && acked == sent && notAcked == 0 && stored == sent && storedTwice == 0)
	rep.print()
	if !rep.ok {
		return errors.New("an invariant is broken (above); the servers' logs are in " + dir + " with -keep")
	}
	return nil
}

func first[T any](s []T, n int) []T { return s[:min(n, len(s))] }

// report collects the lines of the closing report.
type report struct {
	lines []string
	ok    bool
	bad   bool
}

func (r *report) add(name, detail string, ok bool) {
	mark := "ok  "
	if !ok {
		mark, r.bad = "FAIL", true
	}
	r.lines = append(r.lines, fmt.Sprintf("%s %s: %s", mark, name, detail))
	r.ok = !r.bad
}

func (r *report) print() {
	fmt.Println()
	for _, l := range r.lines {
		fmt.Println(l)
	}
}

// --- processes ---

func (h *harness) start(p *proc) error {
	logPath := filepath.Join(h.dir, p.name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(h.bin, "-addr", p.addr, "-db", h.dsn, "-name", p.name, "-roles", p.roles,
		"-key-file", filepath.Join(h.dir, "vetlink.key"), "-webhook-allow", "127.0.0.1")
	cmd.Env = append(os.Environ(),
		"VETLINK_SECRET_KEY="+secretKey, "VETLINK_API_KEY="+apiKey,
		"VETLINK_ADMIN_USERNAME=administrator", "VETLINK_ADMIN_PASSWORD="+password,
		"OTEL_SDK_DISABLED=false")
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("starting %s: %w", p.name, err)
	}
	p.cmd, p.logf = cmd, f
	return nil
}

func (h *harness) waitReady(p *proc, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		resp, err := h.http.Get("http://" + p.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready within %s (log: %s)", p.name, within, filepath.Join(h.dir, p.name+".log"))
}

func (h *harness) stopAll() {
	for _, p := range h.procs {
		if p.cmd != nil && p.cmd.ProcessState == nil {
			p.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, p := range h.procs {
		if p.cmd != nil && p.cmd.ProcessState == nil {
			done := make(chan struct{})
			go func() { p.cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(40 * time.Second):
				p.cmd.Process.Kill()
				<-done
			}
		}
		if p.logf != nil {
			p.logf.Close()
		}
	}
}

// listenerHolder returns the process that holds the HL7 listener's lease,
// and its vetview server ID.
func (h *harness) listenerHolder(fx *fixture) (*proc, string, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var name, id sql.NullString
		err := fx.db.QueryRow(`SELECT lease_server, lease_server_id FROM vetview_jobs WHERE id = $1`, fx.listenerJob).Scan(&name, &id)
		if err != nil {
			return nil, "", err
		}
		for _, p := range h.procs {
			if name.Valid && p.name == name.String {
				return p, id.String, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil, "", errors.New("no server took the HL7 listener job within 30 s")
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func createDatabase(base, name string) (string, error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		return "", fmt.Errorf("CREATE DATABASE %s: %w (is PostgreSQL running?)", name, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func dropDatabase(base, name string) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return
	}
	defer db.Close()
	db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
}

// --- fixture ---

// fixture is what the load works with: a vet and a farm that may log in,
// a protocol, and the jobs.
type fixture struct {
	db          *sql.DB
	vor, mor    string // unames
	morID       rx.UserID
	protocol    protocol.Protocol
	protocolID  int64
	listenerJob string
}

// setUp creates the users directly in the store (as a practice's user
// administration would have), the protocol through the API, a webhook
// subscription to the receiver, and the jobs.
func setUp(h *harness, receiverURL string, hl7Port int) (*fixture, error) {
	ctx := context.Background()
	db, err := store.Open(ctx, h.dsn)
	if err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	for i := range key {
		key[i] = 0x5a
	}
	if err := db.SetSecretKey(key); err != nil {
		return nil, err
	}
	fx := &fixture{db: db.SQL(), vor: "soak-vet", mor: "soak-farm"}
	as := &auth.Service{Store: db.Auth(), Key: key}
	vor := rx.User{Uname: fx.vor, Type: rx.VOR, Firstname: "Soak", Lastname: "Vet", Email: "vet@example.org"}
	mor := rx.User{Uname: fx.mor, Type: rx.MOR, Firstname: "Soak", Lastname: "Farm", Email: "farm@example.org"}
	for _, u := range []*rx.User{&vor, &mor} {
		if err := db.Rx().CreateUser(ctx, u); err != nil {
			return nil, fmt.Errorf("user %s: %w", u.Uname, err)
		}
		if err := as.SetPassword(ctx, u.ID, password); err != nil {
			return nil, err
		}
	}
	if err := db.Rx().AddRelation(ctx, rx.Relation{Kind: rx.Client, Left: vor.ID, Right: mor.ID}); err != nil {
		return nil, err
	}
	fx.morID = mor.ID

	ws := &webhook.Service{Store: db.Webhooks(), Guard: &webhook.Guard{Disabled: true}}
	if _, err := ws.CreateSubscription(ctx, webhook.Subscription{
		Name: "soak receiver", URL: receiverURL, Active: true,
		Events:  []webhook.EventType{"prescription.*", "case.*", "task.*"},
		Secrets: []webhook.Secret{{Key: webhook.NewSecret()}},
	}); err != nil {
		return nil, fmt.Errorf("webhook subscription: %w", err)
	}

	c := &apiClient{h: h, base: "http://" + h.procs[0].addr}
	token, _, err := c.login(fx.vor)
	if err != nil {
		return nil, err
	}
	p := rxtest.Flunixin()
	p.OwnerID = int64(vor.ID)
	p.Instructions = &protocol.Instructions{DoThis: "Give IV only; record each dose."}
	code, body, err := c.send(http.MethodPost, token, "/api/protocols", p)
	if err != nil || code/100 != 2 {
		return nil, fmt.Errorf("create protocol: %d %s %v", code, body, err)
	}
	var created struct {
		Protocol struct {
			ID int64 `json:"id"`
		} `json:"protocol"`
	}
	if err := json.Unmarshal(body, &created); err != nil || created.Protocol.ID == 0 {
		return nil, fmt.Errorf("create protocol: no id in %s", body)
	}
	fx.protocol, fx.protocolID = p, created.Protocol.ID

	// The jobs: the HL7 listener on soak-a, -b and -c (one runs it; its
	// window outlasts the soak, so a run ends only by a kill or a stop),
	// and three short maintenance jobs every two seconds.
	var kinds vetview.Registry
	vetview.MustRegister(&kinds, jobs.MLLPListenerKind(db.HL7(), jobs.MLLPListenerOptions{}))
	vetview.MustRegister(&kinds, jobs.WebhookMaintenanceKind(ws, nil))
	vv, err := vetview.New(vetview.Config{Store: db.Vetview(), Kinds: &kinds})
	if err != nil {
		return nil, err
	}
	names := []string{"soak-a", "soak-b", "soak-c"}
	listener, err := vv.CreateJob(ctx, vetview.JobSpec{
		Name: "lab results", Kind: "hl7-mllp-listener", Active: true, Servers: names, Schedule: vetview.Every(time.Minute),
		Settings: []byte(fmt.Sprintf(`{"addr":"127.0.0.1:%d","windowMinutes":30,"readTimeoutSeconds":60}`, hl7Port)),
	})
	if err != nil {
		return nil, fmt.Errorf("listener job: %w", err)
	}
	if err := vv.RunNow(ctx, listener.ID); err != nil {
		return nil, err
	}
	fx.listenerJob = listener.ID.String()
	for i := range 3 {
		if _, err := vv.CreateJob(ctx, vetview.JobSpec{
			Name: fmt.Sprintf("maintenance %d", i), Kind: "webhook-maintenance", Active: true, Servers: names,
			Schedule: vetview.Every(2 * time.Second), Settings: []byte(`{"retentionDays":30}`),
		}); err != nil {
			return nil, fmt.Errorf("maintenance job: %w", err)
		}
	}
	return fx, nil
}

// --- API load ---

type apiClient struct {
	h    *harness
	base string
}

func (c *apiClient) send(method, token, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			b, _ = json.Marshal(body)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-APIKEY", apiKey)
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := c.h.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

func (c *apiClient) login(uname string) (string, int, error) {
	code, body, err := c.send(http.MethodPost, "", "/api/users/logins", map[string]string{"apikey": apiKey, "identifier": uname, "password": password})
	if err != nil || code != http.StatusOK {
		return "", code, fmt.Errorf("login %s: %d %s %v", uname, code, body, err)
	}
	var s struct{ Token string }
	if err := json.Unmarshal(body, &s); err != nil || s.Token == "" {
		return "", code, fmt.Errorf("login %s: no token in %s", uname, body)
	}
	return s.Token, code, nil
}

// sample is one request's outcome.
type sample struct {
	op, server string
	at         time.Time
	latency    time.Duration
	code       int // 0: no answer
}

type load struct {
	h  *harness
	fx *fixture

	mu       sync.Mutex
	samples  []sample
	rxIDs    []string          // prescriptions to enroll under
	tasks    []json.RawMessage // tasks to execute
	events   []expectedEvent   // changes committed: the webhooks they owe
	begin    time.Time
	begunSet sync.Once
	tokens   sync.Map // "server/uname" -> token
	animals  atomic.Int64

	firstBody, firstRefusal, firstExec sync.Once
}

// expectedEvent is a webhook a committed change owes.
type expectedEvent struct{ typ, id string }

func (l *load) start() time.Time { return l.begin }

func (l *load) record(s sample) {
	l.mu.Lock()
	l.samples = append(l.samples, s)
	l.mu.Unlock()
}

func (l *load) owe(typ, id string) {
	l.mu.Lock()
	l.events = append(l.events, expectedEvent{typ, id})
	l.mu.Unlock()
}

func (l *load) expectedEvents() []expectedEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

func (l *load) worker(ctx context.Context, i int) {
	l.begunSet.Do(func() { l.begin = time.Now() })
	rnd := rand.New(rand.NewPCG(uint64(i), 7))
	for n := i; ctx.Err() == nil; n++ {
		p := l.h.procs[n%len(l.h.procs)]
		if p.down.Load() {
			continue
		}
		c := &apiClient{h: l.h, base: "http://" + p.addr}
		switch r := rnd.IntN(100); {
		case r < 10:
			l.do(p, "login", func() (int, error) {
				_, code, err := c.login(l.fx.mor)
				if code != 0 {
					return code, nil
				}
				return code, err
			})
		case r < 25:
			l.prescribe(c, p)
		case r < 55:
			l.enroll(c, p, n)
		case r < 75:
			l.execute(c, p)
		default:
			token := l.token(c, p, l.fx.mor)
			l.do(p, "withholds", func() (int, error) {
				code, _, err := c.send(http.MethodGet, token, "/api/users/withholds", nil)
				return code, err
			})
		}
	}
}

func (l *load) do(p *proc, op string, f func() (int, error)) {
	start := time.Now()
	code, _ := f()
	l.record(sample{op: op, server: p.name, at: start, latency: time.Since(start), code: code})
}

// token logs uname in on p once and keeps the token.
func (l *load) token(c *apiClient, p *proc, uname string) string {
	k := p.name + "/" + uname
	if t, ok := l.tokens.Load(k); ok {
		return t.(string)
	}
	t, _, _ := c.login(uname)
	if t != "" {
		l.tokens.Store(k, t)
	}
	return t
}

func (l *load) prescribe(c *apiClient, p *proc) {
	token := l.token(c, p, l.fx.vor)
	l.do(p, "prescribe", func() (int, error) {
		code, body, err := c.send(http.MethodPost, token, "/api/protocols/prescriptions",
			rx.PrescriptionRequest{Protocol: l.fx.protocol, MOR: l.fx.morID, Refills: rx.MaxRefills})
		if code/100 == 2 {
			var out struct {
				Prescription struct {
					ID string `json:"rxId"`
				} `json:"prescription"`
			}
			if json.Unmarshal(body, &out) == nil && out.Prescription.ID != "" {
				l.mu.Lock()
				l.rxIDs = append(l.rxIDs, out.Prescription.ID)
				l.mu.Unlock()
				l.owe("prescription.created", out.Prescription.ID)
			}
		}
		return code, err
	})
}

func (l *load) enroll(c *apiClient, p *proc, n int) {
	l.mu.Lock()
	if len(l.rxIDs) == 0 {
		l.mu.Unlock()
		l.prescribe(c, p)
		return
	}
	rxID := l.rxIDs[n%len(l.rxIDs)]
	l.mu.Unlock()
	token := l.token(c, p, l.fx.mor)
	body := fmt.Sprintf(`{"id":0,"rxId":%q,"animalId":"S%07d","initiationTime":%q,"species":"DairyCattle",`+
		`"caseData":{"_type":"models.WeightData","weight":{"dimension":"Mass","value":600,"symbol":"kg"}}}`,
		rxID, l.animals.Add(1), time.Now().UTC().Format(time.RFC3339))
	l.do(p, "enroll", func() (int, error) {
		code, out, err := c.send(http.MethodPost, token, "/api/cases2", []byte(body))
		if code/100 == 2 {
			var hx struct {
				Case struct {
					ID    json.Number       `json:"id"`
					Tasks []json.RawMessage `json:"doses"`
				} `json:"case"`
			}
			l.firstBody.Do(func() { log.Printf("an enrollment answered: %.600s", out) })
			if json.Unmarshal(out, &hx) == nil && hx.Case.ID != "" {
				l.owe("case.created", hx.Case.ID.String())
				l.mu.Lock()
				if len(hx.Case.Tasks) > 0 {
					l.tasks = append(l.tasks, hx.Case.Tasks[0])
				}
				l.mu.Unlock()
			}
		}
		if code == http.StatusUnprocessableEntity || code == http.StatusConflict {
			l.firstRefusal.Do(func() { log.Printf("an enrollment refused: %d %.400s", code, out) })
		}
		return code, err
	})
}

func (l *load) execute(c *apiClient, p *proc) {
	l.mu.Lock()
	if len(l.tasks) == 0 {
		l.mu.Unlock()
		return
	}
	task := l.tasks[len(l.tasks)-1]
	l.tasks = l.tasks[:len(l.tasks)-1]
	l.mu.Unlock()
	var t struct {
		ID json.Number `json:"id"`
	}
	json.Unmarshal(task, &t)
	token := l.token(c, p, l.fx.mor)
	l.do(p, "execute", func() (int, error) {
		code, out, err := c.send(http.MethodPost, token, "/api/users/tasks", []byte(task))
		if code/100 == 4 {
			l.firstExec.Do(func() { log.Printf("an execution refused: %d %.400s", code, out) })
		}
		if code/100 == 2 {
			l.owe("task.completed", t.ID.String())
		}
		return code, err
	})
}

// stats summarizes the samples.
type stats struct {
	n                             int
	p50, p99, max                 time.Duration
	byOp                          string
	bad5xx, killed5xx             int
	killedConnErrs, otherConnErrs int
	bad5xxSamples                 []string
}

func (l *load) stats(killedAt, restartedAt time.Time, victim string) stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	var st stats
	var lat []time.Duration
	ops := map[string]map[int]int{}
	for _, s := range l.samples {
		// The killed process's answers and failures from just before the
		// kill (requests in flight) until it was ready again.
		killWindow := s.server == victim && s.at.Add(s.latency).After(killedAt.Add(-time.Second)) && s.at.Before(restartedAt)
		switch {
		case s.code == 0 && killWindow:
			st.killedConnErrs++
		case s.code == 0:
			st.otherConnErrs++
		case s.code >= 500 && killWindow:
			st.killed5xx++
		case s.code >= 500:
			st.bad5xx++
			if len(st.bad5xxSamples) < 5 {
				st.bad5xxSamples = append(st.bad5xxSamples, fmt.Sprintf("%s %d on %s", s.op, s.code, s.server))
			}
		}
		if s.code != 0 {
			lat = append(lat, s.latency)
		}
		if ops[s.op] == nil {
			ops[s.op] = map[int]int{}
		}
		ops[s.op][s.code]++
	}
	st.n = len(lat)
	slices.Sort(lat)
	if len(lat) > 0 {
		st.p50 = lat[len(lat)/2].Round(100 * time.Microsecond)
		st.p99 = lat[len(lat)*99/100].Round(100 * time.Microsecond)
		st.max = lat[len(lat)-1].Round(100 * time.Microsecond)
	}
	var parts []string
	for _, op := range slices.Sorted(mapKeys(ops)) {
		var codes []string
		for _, code := range slices.Sorted(mapKeys(ops[op])) {
			codes = append(codes, fmt.Sprintf("%d×%d", code, ops[op][code]))
		}
		parts = append(parts, op+" "+strings.Join(codes, " "))
	}
	st.byOp = strings.Join(parts, "; ")
	return st
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// --- webhook receiver ---

type receiver struct {
	srv   *http.Server
	url   string
	mu    sync.Mutex
	seen  map[expectedEvent]int
	total atomic.Int64
}

func newReceiver() *receiver {
	r := &receiver{seen: map[expectedEvent]int{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	r.url = "http://" + l.Addr().String() + "/hook"
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve)}
	go r.srv.Serve(l)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var env struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	typ := env.Type
	if typ == "" {
		typ = req.Header.Get("webhook-event")
	}
	id := resourceID(typ, env.Data)
	r.total.Add(1)
	r.mu.Lock()
	r.seen[expectedEvent{typ, id}]++
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// resourceID reads the changed resource's ID from a delivery's data: the
// resource itself (a prescription's "rxId", a case's or task's "id") or
// the thin form ({"<param>": ...}).
func resourceID(typ string, data json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	keys := []string{"id", "case_id", "task_id"}
	if strings.HasPrefix(typ, "prescription.") {
		keys = []string{"rxId", "prescription_id"}
	}
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}

func (r *receiver) missing(want []expectedEvent) []expectedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []expectedEvent
	for _, e := range want {
		if r.seen[e] == 0 {
			out = append(out, e)
		}
	}
	return out
}

func (r *receiver) repeats() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.seen {
		n += c - 1
	}
	return n
}

func (r *receiver) close() { r.srv.Close() }

// --- job runs ---

// runWatch accumulates the run history, which keeps only a job's last
// runs, by polling it.
type runWatch struct {
	db   *sql.DB
	mu   sync.Mutex
	runs map[string]runRow
}

type runRow struct {
	job, serverID, server string
	scheduled, started    int64
}

func newRunWatch(db *sql.DB) *runWatch { return &runWatch{db: db, runs: map[string]runRow{}} }

func (w *runWatch) watch(ctx context.Context) {
	t := time.NewTicker(300 * time.Millisecond)
	defer t.Stop()
	for {
		w.poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *runWatch) poll(ctx context.Context) {
	rows, err := w.db.QueryContext(ctx, `SELECT id, job_id, server_id, server, scheduled_at, started_at FROM vetview_runs`)
	if err != nil {
		return
	}
	defer rows.Close()
	w.mu.Lock()
	defer w.mu.Unlock()
	for rows.Next() {
		var id string
		var r runRow
		if rows.Scan(&id, &r.job, &r.serverID, &r.server, &r.scheduled, &r.started) == nil {
			w.runs[id] = r
		}
	}
}

// check groups the runs by occurrence (job, scheduled instant): an
// occurrence run more than once is fine only when every run but the last
// was on the killed server.
func (w *runWatch) check(killedID string) (dup []string, rerunsOfKilled, occurrences int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	type occ struct {
		job       string
		scheduled int64
	}
	by := map[occ][]runRow{}
	for _, r := range w.runs {
		k := occ{r.job, r.scheduled}
		by[k] = append(by[k], r)
	}
	for k, rs := range by {
		if len(rs) == 1 {
			continue
		}
		slices.SortFunc(rs, func(a, b runRow) int { return int(a.started - b.started) })
		ok := true
		for _, r := range rs[:len(rs)-1] {
			if r.serverID != killedID {
				ok = false
			}
		}
		if ok {
			rerunsOfKilled++
		} else {
			var servers []string
			for _, r := range rs {
				servers = append(servers, r.server)
			}
			dup = append(dup, fmt.Sprintf("job %s at %d on %v", k.job[:8], k.scheduled, servers))
		}
	}
	return dup, rerunsOfKilled, len(by)
}

// --- HL7 ---

type hl7Sender struct {
	addr    string
	rate    int
	mu      sync.Mutex
	acks    map[string]int // control ID -> AA acknowledgments received
	pending []string
	retries atomic.Int64
	client  *mllp.Client
}

const oru = "MSH|^~\\&|ANALYZER|SOAKLAB|VETLINK|CLINIC|20261202120000||ORU^R01^ORU_R01|%s|P|2.5.1\r" +
	"PID|1||A-1234^^^CLINIC||Bossie^Cow\r" +
	"OBX|1|NM|2345-7^Glucose^LN||3.1|mmol/L|||||F\r"

func (s *hl7Sender) run(ctx context.Context) {
	s.acks = map[string]int{}
	s.client = &mllp.Client{Addr: s.addr}
	tick := time.NewTicker(time.Second / time.Duration(max(s.rate, 1)))
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		id := fmt.Sprintf("SOAK%06d", n)
		s.mu.Lock()
		s.acks[id] = 0
		s.mu.Unlock()
		if !s.send(ctx, id) {
			s.mu.Lock()
			s.pending = append(s.pending, id)
			s.mu.Unlock()
		}
		// Retry the messages not acknowledged yet, oldest first, one per
		// tick, as a sender's queue does.
		s.mu.Lock()
		if len(s.pending) > 0 {
			id := s.pending[0]
			s.mu.Unlock()
			if s.send(ctx, id) {
				s.mu.Lock()
				s.pending = s.pending[1:]
				s.mu.Unlock()
			}
		} else {
			s.mu.Unlock()
		}
	}
}

// send sends message id once and reports whether it was acknowledged AA.
func (s *hl7Sender) send(ctx context.Context, id string) bool {
	msg, err := hl7.Parse([]byte(strings.Replace(oru, "%s", id, 1)))
	if err != nil {
		log.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	ack, err := s.client.Send(sctx, msg)
	if err != nil {
		s.retries.Add(1)
		return false
	}
	code, _ := ack.Get("MSA-1")
	acked, _ := ack.Get("MSA-2")
	if code != "AA" {
		s.retries.Add(1)
		return false
	}
	s.mu.Lock()
	s.acks[acked]++
	s.mu.Unlock()
	return acked == id
}

// drain resends the unacknowledged messages until each is acknowledged.
func (s *hl7Sender) drain(ctx context.Context) {
	for ctx.Err() == nil {
		s.mu.Lock()
		pending := slices.Clone(s.pending)
		s.mu.Unlock()
		if len(pending) == 0 {
			return
		}
		var left []string
		for _, id := range pending {
			if !s.send(ctx, id) {
				left = append(left, id)
			}
		}
		s.mu.Lock()
		s.pending = left
		s.mu.Unlock()
		if len(left) > 0 {
			time.Sleep(250 * time.Millisecond)
		}
	}
}

func (s *hl7Sender) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Collect(mapKeys(s.acks))
}

// result counts the messages, those acknowledged exactly once, and those
// never acknowledged.
func (s *hl7Sender) result() (sent, acked, notAcked int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.acks {
		sent++
		switch n {
		case 0:
			notAcked++
		case 1:
			acked++
		}
	}
	return sent, acked, notAcked
}

// storedHL7 counts the sent messages stored, and those stored twice.
func storedHL7(db *sql.DB, ids []string) (stored, twice int, err error) {
	rows, err := db.Query(`SELECT control_id, COUNT(*) FROM hl7_inbound_messages WHERE sending_facility = 'SOAKLAB' GROUP BY control_id`)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return 0, 0, err
		}
		if want[id] {
			stored++
			if n > 1 {
				twice++
			}
		}
	}
	return stored, twice, rows.Err()
}
