package drugs_test

import (
	"fmt"

	"github.com/vetlink/vetlink/protocol/drugs"
)

func Example() {
	d := drugs.Default()

	// A brand name alone resolves to its ingredient and class.
	p, _ := d.ByBrand("Baytril 100 injectable")
	in, _ := d.Ingredient(p.Ingredients[0])
	fmt.Println(p.Brand, p.Application, in.Name, in.Class)

	// A synonym (INN sulfadimidine) finds the USAN name.
	in, _ = d.Ingredient("sulfadimidine")
	fmt.Println(in.Name, in.Class)

	// Cephalosporins carry their generation.
	for _, in := range d.Scan("cefuroxime or ceftiofur sodium") {
		fmt.Println(in.Name, in.Class, in.Generation)
	}
	// Output:
	// Baytril 100 NADA 141-068 enrofloxacin fluoroquinolone
	// sulfamethazine sulfonamide
	// cefuroxime cephalosporin 2
	// ceftiofur cephalosporin 3
}
