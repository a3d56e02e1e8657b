package rx_test

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/vetlink/vetlink/rx"
)

func TestWriteCSV(t *testing.T) {
	recs := []rx.Record{{
		AnimalID: "Bossie34", Head: 1, Species: "DairyCattle", Condition: "fever, \"unknown\" origin",
		Drug: "Flunixin meglumine 50 mg/mL", Dose: "1320 mg", Volume: "26.4 ml", Route: "IV",
		Given: time.Date(2026, 3, 2, 6, 30, 0, 0, time.UTC), Planned: time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC),
		Administrator: "Tom Tech", AdministratorID: 4, Prescriber: "Hannah Herd, DVM", PrescriberID: 2,
		RxID: "Vi1y9kbpEj7Upqy7", CaseID: 1, TaskID: 1,
		MeatUntil: time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC), MilkUntil: time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC),
	}, {
		AnimalID: "pen 4", Head: 2, Members: []string{"Cow12", "Cow3"}, Species: "BeefCattle", Condition: "pneumonia",
		Drug: "Draxxin", Dose: "1500 mg", Volume: "15 ml", Route: "SC",
		Given: time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC), Planned: time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC),
		Administrator: "Tom Tech", AdministratorID: 4, Prescriber: "Hannah Herd, DVM", PrescriberID: 2,
		RxID: "Vi1y9kbpEj7Upqy8", CaseID: 2, TaskID: 7,
		MeatUntil: time.Date(2026, 3, 21, 7, 0, 0, 0, time.UTC),
	}}
	var b bytes.Buffer
	if err := rx.WriteCSV(&b, recs); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/records.csv")
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}
}
