// Command dosecalc plans a case from a VCPR protocol: every dose with its
// size, volume and injection sites, the promise tasks, and when meat and
// milk may be sold again.
//
//	dosecalc -protocol protocol.json -weight "1320 lb" -start 2024-03-01T06:00:00Z \
//	    -conc "Banamine=50 mg/1 ml" -milkings 05:00,17:00 -tz America/New_York
//
// It is a thin wrapper over protocol.Plan; see that package for the rules.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dosecalc:", err)
		os.Exit(2)
	}
}

// concFlags collects -conc product=amount/per values.
type concFlags map[string]protocol.Product

func (c concFlags) String() string { return fmt.Sprint(map[string]protocol.Product(c)) }

func (c concFlags) Set(s string) error {
	name, spec, ok := strings.Cut(s, "=")
	if !ok {
		return errors.New(`want product=amount/per, such as "Banamine=50 mg/1 ml"`)
	}
	amt, per, ok := strings.Cut(spec, "/")
	if !ok {
		return errors.New(`concentration must be amount/per, such as "50 mg/1 ml"`)
	}
	a, err := protocol.ParseQuantity(amt, protocol.NoDimension)
	if err != nil {
		return err
	}
	p, err := protocol.ParseQuantity(per, protocol.NoDimension)
	if err != nil {
		return err
	}
	prod := c[name]
	prod.Concentration = protocol.Concentration{Amount: a, Per: p}
	c[name] = prod
	return nil
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("dosecalc", flag.ContinueOnError)
	path := fs.String("protocol", "", "VCPR protocol JSON file (required)")
	weight := fs.String("weight", "", `animal weight, such as "600 kg" or "1320 lb"`)
	start := fs.String("start", "", "initiation time, RFC 3339 (required)")
	count := fs.Int("doses", 0, "number of doses chosen for a per-day range")
	class := fs.String("class", "", "animal class for a dose-by-class function")
	maxSite := fs.String("maxsite", "", `largest volume per injection site for every product, such as "10 ml"`)
	tz := fs.String("tz", "", "farm time zone for local-day rules and milkings (IANA name)")
	localDays := fs.Bool("localdays", false, "also count withdrawal in whole local calendar days")
	milkings := fs.String("milkings", "", "milking times, such as 05:00,17:00")
	conc := concFlags{}
	fs.Var(conc, "conc", `product concentration, product=amount/per, such as "Banamine=50 mg/1 ml" (repeatable)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" || *start == "" {
		return errors.New("-protocol and -start are required")
	}
	data, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	var p protocol.Protocol
	if err := json.Unmarshal(data, &p); err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	in := protocol.CaseInput{DoseCount: *count, AnimalClass: *class, Products: conc, DosesOnly: len(conc) == 0}
	if in.Initiation, err = time.Parse(time.RFC3339, *start); err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	if *weight != "" {
		if in.Weight, err = protocol.ParseQuantity(*weight, protocol.Mass); err != nil {
			return fmt.Errorf("-weight: %w", err)
		}
	}
	if *maxSite != "" {
		q, err := protocol.ParseQuantity(*maxSite, protocol.Volume)
		if err != nil {
			return fmt.Errorf("-maxsite: %w", err)
		}
		for _, t := range p.Treatments {
			prod := conc[t.Product]
			prod.MaxPerSite = q
			conc[t.Product] = prod
		}
	}
	if *tz != "" {
		if in.Withholds.Location, err = time.LoadLocation(*tz); err != nil {
			return fmt.Errorf("-tz: %w", err)
		}
	}
	in.Withholds.LocalDays = *localDays
	if *milkings != "" {
		for _, m := range strings.Split(*milkings, ",") {
			t, err := time.Parse("15:04", strings.TrimSpace(m))
			if err != nil {
				return fmt.Errorf("-milkings: %w", err)
			}
			in.Withholds.Milkings = append(in.Withholds.Milkings, protocol.Clock{Hour: t.Hour(), Minute: t.Minute()})
		}
	}
	if err := protocol.Validate(&p, nil); err != nil {
		fmt.Fprintf(out, "warning: the protocol does not validate for prescribing:\n%v\n\n", err)
	}
	plan, err := protocol.Plan(&p, in)
	if err != nil {
		return err
	}
	loc := in.Withholds.Location
	if loc == nil {
		loc = time.UTC
	}
	when := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04 MST") }
	fmt.Fprintf(out, "%s, initiated %s\n\n", p.Name, when(plan.Initiation))
	for _, d := range plan.Doses {
		fmt.Fprintf(out, "%s  %-30s #%d  %s", when(d.At), d.Product, d.Seq, d.Dose.Format(2))
		if !d.Volume.IsZero() {
			fmt.Fprintf(out, " = %s", d.Volume.Format(1))
		}
		fmt.Fprintf(out, " %s", d.Route)
		if d.Sites > 0 {
			fmt.Fprintf(out, " at %d site(s)", d.Sites)
		}
		fmt.Fprintln(out)
	}
	for _, pt := range plan.Promises {
		fmt.Fprintf(out, "%s  promise: %s\n", when(pt.Due), pt.Name)
	}
	fmt.Fprintln(out)
	release := func(name string, r protocol.Release) {
		switch {
		case !r.Set:
			fmt.Fprintf(out, "%s: no withdrawal given\n", name)
		case r.Open:
			fmt.Fprintf(out, "%s: held until %s is recorded\n", name, r.WaitingFor)
		default:
			fmt.Fprintf(out, "%s: sellable from %s (dose of %s at %s, %s)", name, when(r.Until), r.Product, when(r.Given), r.Term)
			if r.DiscardedMilkings > 0 {
				fmt.Fprintf(out, ", %d milkings discarded", r.DiscardedMilkings)
			}
			fmt.Fprintln(out)
		}
	}
	release("meat", plan.Withholds.Meat)
	release("milk", plan.Withholds.Milk)
	return nil
}
