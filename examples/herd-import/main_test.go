package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

const password = "correct horse battery"

// vetlink is the reference API served over loopback on a real store, as
// examples/server serves it.
type vetlink struct {
	URL    string
	APIKey string
	DB     *store.DB
	Auth   *auth.Service
}

func startVetlink(t *testing.T, db *store.DB) *vetlink {
	t.Helper()
	v := &vetlink{DB: db}
	v.Auth = &auth.Service{Store: db.Auth(), Key: bytes.Repeat([]byte{7}, 32), TokenTTL: time.Hour,
		Hashing: auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1}}
	h, err := openapi.NewHandler(openapi.Config{DB: db, Rx: &rx.Service{Store: db.Rx()}, Library: &rx.Library{Store: db.Library()},
		Site: &site.Service{Store: db.Site()}, Auth: v.Auth, Webhooks: &webhook.Service{Store: db.Webhooks()}})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	v.URL = srv.URL
	v.APIKey, _, err = v.Auth.CreateAPIKey(context.Background(), "herd-import test")
	require.NoError(t, err)
	return v
}

func (v *vetlink) user(t *testing.T, typ rx.UserType, uname string) rx.User {
	t.Helper()
	ctx := context.Background()
	u := rx.User{Uname: uname, Type: typ, Firstname: uname, Lastname: "Test", Email: uname + "@example.org"}
	require.NoError(t, v.DB.Rx().CreateUser(ctx, &u))
	require.NoError(t, v.Auth.SetPassword(ctx, u.ID, password))
	return u
}

func (v *vetlink) login(t *testing.T, uname string) *client.API {
	t.Helper()
	api, err := client.New(context.Background(), v.URL, client.WithAPIKey(v.APIKey), client.WithLogin(uname, password))
	require.NoError(t, err)
	return api
}

func flunixin(t *testing.T) protocol.Protocol {
	t.Helper()
	b, err := os.ReadFile("../../protocol/testdata/protocol_flunixin.json")
	require.NoError(t, err)
	var p protocol.Protocol
	require.NoError(t, json.Unmarshal(b, &p))
	if p.Instructions == nil {
		p.Instructions = &protocol.Instructions{DoThis: "Weigh the cow; give the dose IV."}
	}
	return p
}

func herd(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/herd.csv")
	require.NoError(t, err)
	defer f.Close()
	animals, err := readHerd(f)
	require.NoError(t, err)
	return animals
}

// taskIDs reads the TASK column of printTasks' table.
func taskIDs(t *testing.T, out string) []int64 {
	t.Helper()
	var ids []int64
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.GreaterOrEqual(t, len(lines), 2, "a case line and the table's header: %q", out)
	for _, l := range lines[2:] {
		id, err := strconv.ParseInt(strings.Fields(l)[0], 10, 64)
		require.NoError(t, err, l)
		ids = append(ids, id)
	}
	return ids
}

// TestImportHerd runs the import against the real server on both
// engines: the group case lists every animal of the file, a second run
// answers the same case and enrolls none, and the tasks printed are the
// case's dose tasks as the store holds them.
func TestImportHerd(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		v := startVetlink(t, db)
		ctx := context.Background()
		vetU, farmU := v.user(t, rx.VOR, "vet-herd"), v.user(t, rx.MOR, "farm-herd")
		other := v.user(t, rx.MOR, "farm-other")
		for _, f := range []rx.User{farmU, other} {
			require.NoError(t, db.Rx().AddRelation(ctx, rx.Relation{Kind: rx.Client, Left: vetU.ID, Right: f.ID}))
		}
		vet := v.login(t, "vet-herd")
		created, err := client.Check(vet.CreatePrescriptionWithResponse(ctx, rx.PrescriptionRequest{Protocol: flunixin(t), MOR: farmU.ID, Refills: 5}))
		require.NoError(t, err)
		p := created.JSON201.Prescription
		// Another farm's prescription, newer: the farm must not find it.
		_, err = client.Check(vet.CreatePrescriptionWithResponse(ctx, rx.PrescriptionRequest{Protocol: flunixin(t), MOR: other.ID, Refills: 5}))
		require.NoError(t, err)

		animals := herd(t)
		farm := v.login(t, "farm-herd")
		in := Import{Group: "pen-4", Animals: animals, Species: protocol.DairyCattle,
			Data: &protocol.WeightData{Weight: protocol.Q(protocol.Int(600), protocol.Kilogram)}, Now: time.Now()}

		hx, err := importHerd(ctx, farm, in)
		require.NoError(t, err)
		require.Equal(t, p.ID, hx.RxID)
		require.Equal(t, "pen-4", hx.AnimalID)
		require.Equal(t, animals, hx.Members, "the case lists every animal of the file")
		require.Equal(t, len(animals), hx.Head)
		cases, err := db.Rx().Cases(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, cases, 1)
		require.ElementsMatch(t, animals, cases[0].Members)

		var out bytes.Buffer
		require.NoError(t, printTasks(&out, hx))
		stored, err := db.Rx().Tasks(ctx, hx.ID)
		require.NoError(t, err)
		var doses []int64
		for _, task := range stored {
			if task.Kind == rx.DoseTaskKind {
				doses = append(doses, task.ID)
			}
		}
		require.NotEmpty(t, doses, "flunixin plans doses")
		require.ElementsMatch(t, doses, taskIDs(t, out.String()), "the tasks printed are the case's dose tasks:\n%s", out.String())
		require.Contains(t, out.String(), fmt.Sprintf("case %d: group pen-4, %d animals", hx.ID, len(animals)))

		// A re-run, later and with the file in another order, is a replay:
		// the same case, nothing enrolled again.
		again := in
		again.Now = in.Now.Add(time.Minute)
		again.Animals = slices.Clone(animals)
		slices.Reverse(again.Animals)
		hx2, err := importHerd(ctx, v.login(t, "farm-herd"), again)
		require.NoError(t, err)
		require.Equal(t, hx.ID, hx2.ID)
		cases, err = db.Rx().Cases(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, cases, 1, "running the import twice makes one case")
		var out2 bytes.Buffer
		require.NoError(t, printTasks(&out2, hx2))
		require.ElementsMatch(t, doses, taskIDs(t, out2.String()))

		// A file adding an animal is another enrollment: the animals
		// already in the open case are refused, naming it.
		more := in
		more.Animals = append(slices.Clone(animals), "Fern")
		_, err = importHerd(ctx, farm, more)
		require.ErrorIs(t, err, rx.ErrConflict)
		require.ErrorContains(t, err, "pen-4")

		tests := []struct {
			name string
			in   func(Import) Import
			want string
		}{
			{"unknown prescription", func(in Import) Import { in.RxID = "no-such-rx"; return in }, `prescription "no-such-rx"`},
			{"another protocol", func(in Import) Import { in.Protocol = "Penicillin"; return in }, `protocol "Penicillin"`},
			{"no group", func(in Import) Import { in.Group = ""; return in }, "group"},
			{"no animals", func(in Import) Import { in.Animals = nil; return in }, "no animals"},
		}
		for _, tc := range tests {
			_, err := importHerd(ctx, farm, tc.in(in))
			require.ErrorContains(t, err, tc.want, tc.name)
		}
		cases, err = db.Rx().Cases(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, cases, 1)
	})
}

func TestReadHerd(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"header and IDs", "animal_id\nBossie34\nClover\n", []string{"Bossie34", "Clover"}, ""},
		{"no header, more columns", "Bossie34,pen 4\n Clover ,pen 4\n", []string{"Bossie34", "Clover"}, ""},
		{"blank lines and comments", "# from the parlour\n\nBossie34\n,\nClover\n", []string{"Bossie34", "Clover"}, ""},
		{"animal_id not first is an ID", "Bossie34\nanimal_id\n", []string{"Bossie34", "animal_id"}, ""},
		{"duplicate", "animal_id\nBossie34\nClover\nBossie34\n", nil, `line 4: animal "Bossie34" is listed on line 2 already`},
		{"empty", "animal_id\n", nil, "no animals"},
		{"bad quoting", "\"Bossie34\n", nil, "line 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readHerd(strings.NewReader(tc.in))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func FuzzReadHerd(f *testing.F) {
	b, err := os.ReadFile("testdata/herd.csv")
	require.NoError(f, err)
	f.Add(string(b))
	f.Add("a,b\n\"c\"\"d\",e\n")
	f.Add("#x\n\n a \n")
	f.Fuzz(func(t *testing.T, s string) {
		animals, err := readHerd(strings.NewReader(s))
		if err != nil {
			return
		}
		require.NotEmpty(t, animals)
		seen := map[string]bool{}
		for _, a := range animals {
			require.NotEmpty(t, a)
			require.Equal(t, strings.TrimSpace(a), a)
			require.False(t, seen[a], "animal %q twice", a)
			seen[a] = true
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	base := idempotencyKey("rx1", "pen-4", []string{"a", "b", "c"})
	require.Equal(t, base, idempotencyKey("rx1", "pen-4", []string{"c", "a", "b"}), "order of the file does not matter")
	require.LessOrEqual(t, len(base), rx.MaxIdempotencyKey)
	tests := []struct {
		name    string
		rx, grp string
		animals []string
	}{
		{"another prescription", "rx2", "pen-4", []string{"a", "b", "c"}},
		{"another group", "rx1", "pen-5", []string{"a", "b", "c"}},
		{"another animal", "rx1", "pen-4", []string{"a", "b", "d"}},
		{"one animal more", "rx1", "pen-4", []string{"a", "b", "c", "d"}},
		{"IDs split otherwise", "rx1", "pen-4", []string{"a", "bc"}},
	}
	for _, tc := range tests {
		require.NotEqual(t, base, idempotencyKey(tc.rx, tc.grp, tc.animals), tc.name)
	}
}

func Example_printTasks() {
	at := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	hx := rx.CaseHx{Case: rx.Case{ID: 7, RxID: "rx-1", AnimalID: "pen-4", Head: 2, Members: []string{"Bossie34", "Clover"}},
		DoseTasks: []rx.Task{
			{Kind: rx.DoseTaskKind, ID: 31, CaseID: 7, Seq: 1, Product: "Banamine", Route: "IV", DoAt: at, Status: rx.TaskDue,
				Dose: protocol.Q(protocol.Int(660), protocol.Milligram)},
			{Kind: rx.DoseTaskKind, ID: 32, CaseID: 7, Seq: 2, Product: "Banamine", Route: "IV", DoAt: at.Add(24 * time.Hour), Status: rx.TaskRequired},
		}}
	_ = printTasks(os.Stdout, hx)
	// Output:
	// case 7: group pen-4, 2 animals (Bossie34, Clover), prescription rx-1
	// TASK  SEQ  PRODUCT   DOSE    ROUTE  DO AT                 STATUS
	// 31    1    Banamine  660 mg  IV     2026-12-02T06:00:00Z  DUE
	// 32    2    Banamine  -       IV     2026-12-03T06:00:00Z  REQUIRED
}
