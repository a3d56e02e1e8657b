package labels_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/protocol/labels"
)

func TestAllAreCited(t *testing.T) {
	cs, err := labels.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 8 {
		t.Fatalf("%d claims, want 8", len(cs))
	}
	for _, c := range cs {
		if !strings.HasPrefix(c.CFR, "21 CFR 5") || c.Note == "" || c.Claim.Product == "" {
			t.Errorf("claim %d: cfr %q, note %d bytes, product %q", c.Claim.ID, c.CFR, len(c.Note), c.Claim.Product)
		}
		if _, err := c.Rule(); err != nil {
			t.Errorf("claim %d: rule: %v", c.Claim.ID, err)
		}
	}
	// All decodes afresh: a caller's change is not seen by the next call.
	cs[0].Claim.Product = "changed"
	again, _ := labels.All()
	if again[0].Claim.Product == "changed" {
		t.Error("All shares its claims between calls")
	}
}

func TestRuleOfDryCowClaim(t *testing.T) {
	cs, err := labels.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.CFR != "21 CFR 526.464(d)" {
			continue
		}
		r, err := c.Rule()
		if err != nil {
			t.Fatal(err)
		}
		// Slaughter 30 days after the infusion; milk held until calving.
		if len(r.Meat) != 1 || r.Meat[0].String() != "720h after administration" ||
			len(r.Milk) != 1 || r.Milk[0].Event != protocol.Calving || r.Milk[0].Period != 0 {
			t.Errorf("rule %+v", r)
		}
		return
	}
	t.Fatal("no claim of 21 CFR 526.464(d)")
}

func ExampleAll() {
	cs, err := labels.All()
	if err != nil {
		panic(err)
	}
	c := cs[0]
	fmt.Println(c.CFR)
	fmt.Println(c.Claim.Product, c.Claim.Route, c.Claim.WtMeatHrs, c.Claim.WtMilkHrs)
	// Output:
	// 21 CFR 522.970(e)(2)
	// Flunixin meglumine injection 50 mg/mL IV 96 36
}
