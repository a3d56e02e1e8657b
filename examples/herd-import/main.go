// Command herd-import is what a herd program's import does with vetlink:
// it signs in as the farm (API key + identifier + password, the VCPR
// way), finds the farm's prescription, enrolls one GROUP case listing
// the animals of a CSV file, and prints the case's dose tasks, the doses
// the farm is to give and when.
//
// The CSV holds one animal ID per line in its first column; a first line
// whose first cell is "animal_id" is a header. The group's own ID
// (-group) names the case; its members are the animals of the file.
//
// The enrollment carries an Idempotency-Key made from the prescription,
// the group and its members, so running the import again (after a crash,
// or a second time by mistake) answers the case the first run enrolled
// rather than enrolling a second one. A file with other animals makes
// another key: the server then refuses animals already in an open case
// of the prescription (409 naming it).
//
// Run it against a vetlink server (examples/server) with the farm's
// credentials in the environment:
//
//	VETLINK_API_KEY=... VETLINK_PASSWORD=... go run ./examples/herd-import \
//		-url http://localhost:8080 -user farm-smith -group pen-4 \
//		-species DairyCattle -weight "600 kg" examples/herd-import/testdata/herd.csv
//
// Without -rx the newest prescription the farm may still enroll under is
// used (narrowed to one protocol with -protocol).
package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

func main() {
	url := flag.String("url", "http://localhost:8080", "the vetlink server's base URL")
	user := flag.String("user", "", "the farm's vetlink identifier (user name)")
	rxID := flag.String("rx", "", "the prescription to enroll under; empty for the farm's newest usable one")
	proto := flag.String("protocol", "", "without -rx, only a prescription of the protocol with this name")
	group := flag.String("group", "", "the group's ID, naming the case (a pen, a lot)")
	species := flag.String("species", "DairyCattle", "the animals' FDA class")
	weight := flag.String("weight", "", `the animals' weight, such as "600 kg", when the protocol doses by weight`)
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: herd-import [flags] herd.csv  (VETLINK_API_KEY and VETLINK_PASSWORD in the environment)")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *user == "" || *group == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := runMain(*url, *user, *rxID, *proto, *group, *species, *weight, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "herd-import:", err)
		os.Exit(1)
	}
}

func runMain(url, user, rxID, proto, group, species, weight, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	animals, err := readHerd(f)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	sp, err := protocol.ParseSpecies(species)
	if err != nil {
		return fmt.Errorf("-species: %w", err)
	}
	var data protocol.CaseData
	if weight != "" {
		w, err := protocol.ParseQuantity(weight, protocol.Mass)
		if err != nil {
			return fmt.Errorf("-weight: %w", err)
		}
		data = &protocol.WeightData{Weight: w}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	api, err := client.New(ctx, url, client.WithAPIKey(os.Getenv("VETLINK_API_KEY")),
		client.WithLogin(user, os.Getenv("VETLINK_PASSWORD")))
	if err != nil {
		return err
	}
	hx, err := importHerd(ctx, api, Import{RxID: rxID, Protocol: proto, Group: group, Animals: animals,
		Species: sp, Data: data, Now: time.Now()})
	if err != nil {
		return err
	}
	return printTasks(os.Stdout, hx)
}

// Import is one run of the import: a group of animals to enroll.
type Import struct {
	// RxID is the prescription to enroll under; empty for the newest one
	// the farm may still enroll under (of Protocol, when set).
	RxID     string
	Protocol string
	// Group is the group's ID, the case's animalId; Animals are its
	// members, at least one.
	Group   string
	Animals []string
	Species protocol.Species
	// Data is the case data the protocol asks for (the weight, for a
	// dose by weight); nil for none.
	Data protocol.CaseData
	// Now is the enrollment's initiation time, and the time the
	// prescriptions are judged usable at.
	Now time.Time
}

// readHerd reads the animal IDs of a herd CSV: the first cell of each
// line, trimmed, skipping a header line "animal_id" and empty lines. An
// ID listed twice is an error naming it and both lines.
func readHerd(r io.Reader) ([]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	var animals []string
	seen := map[string]int{}
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		id := strings.TrimSpace(rec[0])
		switch {
		case id == "":
			continue
		case first && strings.EqualFold(id, "animal_id"):
			continue
		}
		if prev, ok := seen[id]; ok {
			return nil, fmt.Errorf("line %d: animal %q is listed on line %d already", line, id, prev)
		}
		seen[id] = line
		animals = append(animals, id)
	}
	if len(animals) == 0 {
		return nil, errors.New("no animals: want one animal ID per line")
	}
	return animals, nil
}

// idempotencyKey names an enrollment by what it enrolls: the same
// prescription, group and members (in any order) make the same key, so a
// re-run is a replay the server answers with the first run's case.
func idempotencyKey(rxID, group string, animals []string) string {
	sorted := slices.Sorted(slices.Values(animals))
	h := sha256.New()
	for _, s := range append([]string{rxID, group}, sorted...) {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return "herd-import-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// findPrescription answers the prescription with ID in.RxID or, without
// one, the newest the caller may still enroll under (of in.Protocol,
// when set).
func findPrescription(ctx context.Context, api *client.API, in Import) (rx.Prescription, error) {
	r, err := client.Check(api.GetPrescriptionsWithResponse(ctx))
	if err != nil {
		return rx.Prescription{}, fmt.Errorf("listing prescriptions: %w", err)
	}
	var all []rx.Prescription
	if r.JSON200 != nil && r.JSON200.Diagnoses != nil {
		all = *r.JSON200.Diagnoses
	}
	for _, p := range all { // newest first
		switch {
		case in.RxID != "":
			if p.ID == in.RxID {
				return p, nil
			}
		case in.Protocol != "" && p.Protocol.Name != in.Protocol:
		case p.Usable(in.Now) == nil:
			return p, nil
		}
	}
	switch {
	case in.RxID != "":
		return rx.Prescription{}, fmt.Errorf("prescription %q: not among the %d this farm may read", in.RxID, len(all))
	case in.Protocol != "":
		return rx.Prescription{}, fmt.Errorf("protocol %q: none of the %d prescriptions this farm may read is of it and still usable", in.Protocol, len(all))
	}
	return rx.Prescription{}, fmt.Errorf("none of the %d prescriptions this farm may read is still usable", len(all))
}

// importHerd enrolls in's animals as one group case under the farm's
// prescription, with an idempotency key of its content, and answers the
// case read back with its tasks.
func importHerd(ctx context.Context, api *client.API, in Import) (rx.CaseHx, error) {
	if in.Group == "" {
		return rx.CaseHx{}, errors.New("group: an ID naming the group's case is required")
	}
	if len(in.Animals) == 0 {
		return rx.CaseHx{}, fmt.Errorf("group %q: no animals to enroll", in.Group)
	}
	p, err := findPrescription(ctx, api, in)
	if err != nil {
		return rx.CaseHx{}, err
	}
	key := idempotencyKey(p.ID, in.Group, in.Animals)
	c := rx.Case{RxID: p.ID, AnimalID: in.Group, Initiation: in.Now, Species: in.Species, Data: in.Data,
		Head: len(in.Animals), Members: in.Animals}
	enrolled, err := client.Check(api.EnrollCaseWithResponse(ctx, &client.EnrollCaseParams{IdempotencyKey: &key}, c))
	if err != nil {
		return rx.CaseHx{}, fmt.Errorf("enrolling group %q (%d animals) under prescription %s: %w", in.Group, len(in.Animals), p.ID, err)
	}
	if enrolled.JSON200 == nil || enrolled.JSON200.Case == nil || enrolled.JSON200.Case.Id == nil {
		return rx.CaseHx{}, fmt.Errorf("enrolling group %q under prescription %s: the answer names no case", in.Group, p.ID)
	}
	id := *enrolled.JSON200.Case.Id
	read, err := client.Check(api.GetCaseHxWithResponse(ctx, id))
	if err != nil {
		return rx.CaseHx{}, fmt.Errorf("reading case %d: %w", id, err)
	}
	if read.JSON200 == nil || read.JSON200.CaseHx == nil {
		return rx.CaseHx{}, fmt.Errorf("reading case %d: the answer holds no case", id)
	}
	return *read.JSON200.CaseHx, nil
}

// printTasks writes the case and its dose tasks, one line each, in the
// order the server answers them.
func printTasks(w io.Writer, hx rx.CaseHx) error {
	fmt.Fprintf(w, "case %d: group %s, %d animals (%s), prescription %s\n",
		hx.ID, hx.AnimalID, hx.Head, strings.Join(hx.Members, ", "), hx.RxID)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tSEQ\tPRODUCT\tDOSE\tROUTE\tDO AT\tSTATUS")
	for _, t := range hx.DoseTasks {
		dose := "-"
		if !t.Dose.IsZero() {
			dose = t.Dose.String()
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Seq, t.Product, dose, t.Route,
			t.DoAt.UTC().Format(time.RFC3339), t.Status)
	}
	return tw.Flush()
}
