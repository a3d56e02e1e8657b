package protocol_test

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

// A product's concentration is keyed by the treatment's product identity,
// and a key that names no treatment is refused: a typo must not leave a
// dose without its volume. A weight sent as a float by another system is
// rounded once to 1 g.
func ExamplePlan_productKeys() {
	data, err := os.ReadFile("testdata/protocol_flunixin.json")
	if err != nil {
		panic(err)
	}
	var p protocol.Protocol
	if err := json.Unmarshal(data, &p); err != nil {
		panic(err)
	}
	weight, err := protocol.DecodeCaseData([]byte(`{"_type":"models.WeightData","weight":{"value":1322.7735731092084,"symbol":"lb"}}`))
	if err != nil {
		panic(err)
	}
	fifty := protocol.Product{Concentration: protocol.Concentration{
		Amount: protocol.Q(protocol.Int(50), protocol.Milligram),
		Per:    protocol.Q(protocol.Int(1), protocol.Milliliter),
	}}
	c := protocol.CaseInput{Initiation: time.Date(2024, 3, 1, 6, 0, 0, 0, time.UTC), Species: protocol.DairyCattle}
	if err := c.Apply(weight); err != nil {
		panic(err)
	}
	fmt.Println("key:", p.Treatments[0].ProductKey())

	c.Products = map[string]protocol.Product{"Banamine 50 mg/mL": fifty}
	_, err = protocol.Plan(&p, c)
	fmt.Println(err)

	c.Products = map[string]protocol.Product{p.Treatments[0].ProductKey(): fifty}
	plan, err := protocol.Plan(&p, c)
	if err != nil {
		panic(err)
	}
	d := plan.Doses[0]
	fmt.Println(d.Dose.Format(2), "of flunixin is", d.Volume.Format(1))
	// Output:
	// key: ndc:NADA 101-479
	// protocol: case.products "Banamine 50 mg/mL": matches no treatment of the protocol; its products are "Banamine (flunixin meglumine) 50 mg/mL" (ndc:NADA 101-479)
	// 1320 mg of flunixin is 26.4 ml
}
